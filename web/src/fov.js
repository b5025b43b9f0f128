// The camera's field of view, as the person sets it in the page: a value in degrees, horizontal or
// diagonal (webcams are sold by their diagonal), or the server's default (`--fov`). The server
// unprojects with the HORIZONTAL field of view, sent as `hfov` in the offer (docs/protocol.md);
// a diagonal one is converted with the aspect ratio of the frames the camera actually sends.
// Pure module: storage is passed in (localStorage in the page, a Map-like fake in tests).

/** localStorage key of the setting: JSON {"degrees": number, "axis": "horizontal"|"diagonal"}; absent = default. */
export const FOV_STORAGE_KEY = 'depthcast.fov';
export const FOV_AXES = ['diagonal', 'horizontal'];
/**
 * What a field of view can be at all (a lens sees less than 180°). The server decides which of
 * these it accepts (it answers 400 naming its range), so the page does not repeat that range.
 */
export const FOV_LIMITS = { min: 1, max: 179 };
/** Used when the camera does not say its frame size: the 640×480 the page asks for. */
export const FALLBACK_SIZE = { width: 640, height: 480 };

/** Common cameras, as they are sold: diagonal degrees. */
export const FOV_PRESETS = [
  { degrees: 55, axis: 'diagonal', what: 'Logitech C270, basic webcams' },
  { degrees: 65, axis: 'diagonal', what: 'many laptop cameras' },
  { degrees: 78, axis: 'diagonal', what: "Logitech C920/C922, phones' main cameras" },
  { degrees: 90, axis: 'diagonal', what: 'wide webcams' },
  { degrees: 120, axis: 'diagonal', what: 'ultra-wide cameras' },
];

const RAD = Math.PI / 180;

/** Horizontal field of view (degrees) of a camera with diagonal field of view `dfov` and frames `width`×`height`. */
export function horizontalFromDiagonal(dfov, width, height) {
  return (2 * Math.atan(Math.tan((dfov * RAD) / 2) * (width / Math.hypot(width, height)))) / RAD;
}

/** A setting as stored or typed: {degrees, axis} when it is one, else null (the server's default). */
export function parseFovSetting(value) {
  if (!value || typeof value !== 'object') return null;
  const degrees = Number(value.degrees);
  if (!FOV_AXES.includes(value.axis) || !Number.isFinite(degrees)) return null;
  if (degrees < FOV_LIMITS.min || degrees > FOV_LIMITS.max) return null;
  return { degrees, axis: value.axis };
}

/**
 * The `hfov` to send for `setting` with frames of `size` ({width, height}; the camera track's
 * settings), rounded to 0.01°; undefined for the server's default (nothing is sent then).
 */
export function offerHfov(setting, size = FALLBACK_SIZE) {
  const s = parseFovSetting(setting);
  if (!s) return undefined;
  const { width, height } = knownSize(size);
  const h = s.axis === 'horizontal' ? s.degrees : horizontalFromDiagonal(s.degrees, width, height);
  return Math.round(h * 100) / 100;
}

/** `size` when it has a width and height, else FALLBACK_SIZE. */
export function knownSize(size) {
  const ok = size && size.width > 0 && size.height > 0;
  return ok ? { width: size.width, height: size.height } : FALLBACK_SIZE;
}

/** The setting in a few words: "78° diagonal", or "server default". */
export function fovLabel(setting) {
  const s = parseFovSetting(setting);
  return s ? `${s.degrees}° ${s.axis}` : 'server default';
}

/** The preset that `setting` is (its index in FOV_PRESETS), or -1. */
export function presetIndex(setting) {
  const s = parseFovSetting(setting);
  if (!s) return -1;
  return FOV_PRESETS.findIndex((p) => p.degrees === s.degrees && p.axis === s.axis);
}

/** The remembered setting, or null (default) when there is none, it is not readable, or storage fails. */
export function loadFovSetting(storage) {
  try {
    const text = storage?.getItem(FOV_STORAGE_KEY);
    return text ? parseFovSetting(JSON.parse(text)) : null;
  } catch {
    return null;
  }
}

/** Remembers `setting` (null: the default, which removes the key). Returns the setting kept. */
export function saveFovSetting(storage, setting) {
  const s = parseFovSetting(setting);
  try {
    if (s) storage?.setItem(FOV_STORAGE_KEY, JSON.stringify(s));
    else storage?.removeItem(FOV_STORAGE_KEY);
  } catch {
    /* private mode or a full quota: the setting still holds for this page */
  }
  return s;
}
