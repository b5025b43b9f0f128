// Colour modes of the view: camera RGB as sent, or a colour map of depth or height.
// Pure module (no DOM): runs per frame on the CPU (~21k points: well under a millisecond) so the
// mapping is unit-tested here and the shader stays a plain vertex-colour one.

export const COLOUR_MODES = ['rgb', 'depth', 'height'];
export const COLOUR_MODE_LABELS = { rgb: 'camera RGB', depth: 'depth (turbo)', height: 'height (viridis)' };

const clamp01 = (t) => (t < 0 ? 0 : t > 1 ? 1 : t);

/**
 * Google's Turbo colour map (Mikhailov 2019, Apache-2.0): 17 of its 256 published entries (every
 * 16th and the last), linearly interpolated — within 7/255 of the full table everywhere. (The
 * well-known polynomial fit is off by ~40/255 at the blue end.)
 */
const TURBO_ANCHORS = [
  [0.18995, 0.07176, 0.23217],
  [0.25107, 0.25237, 0.63374],
  [0.27628, 0.42118, 0.89123],
  [0.25862, 0.57958, 0.99876],
  [0.15844, 0.73551, 0.92305],
  [0.09267, 0.86554, 0.7623],
  [0.19659, 0.94901, 0.59466],
  [0.42778, 0.99419, 0.38575],
  [0.64362, 0.98999, 0.23356],
  [0.80473, 0.92452, 0.20459],
  [0.93301, 0.81236, 0.22667],
  [0.99314, 0.67408, 0.20348],
  [0.9836, 0.49291, 0.12849],
  [0.92105, 0.31489, 0.05475],
  [0.81608, 0.18462, 0.01809],
  [0.66449, 0.08436, 0.00424],
  [0.4796, 0.01583, 0.01055],
];
const TURBO_INDEX = [...Array.from({ length: 16 }, (_, i) => i * 16), 255]; // table index of each anchor

/** Turbo: t in [0,1] → [r,g,b] in [0,1]. */
export function turbo(t) {
  const x = clamp01(t) * 255;
  let k = 0;
  while (k < TURBO_INDEX.length - 2 && x > TURBO_INDEX[k + 1]) k++;
  const f = (x - TURBO_INDEX[k]) / (TURBO_INDEX[k + 1] - TURBO_INDEX[k]);
  const a = TURBO_ANCHORS[k];
  const b = TURBO_ANCHORS[k + 1];
  return [0, 1, 2].map((c) => a[c] + (b[c] - a[c]) * f);
}

/** matplotlib's viridis, 6th-degree polynomial fit: t in [0,1] → [r,g,b] in [0,1]. */
export function viridis(t) {
  const x = clamp01(t);
  const c = [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ];
  const out = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    let v = c[6][k];
    for (let i = 5; i >= 0; i--) v = c[i][k] + x * v;
    out[k] = clamp01(v);
  }
  return out;
}

function lut(map) {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = map(i / 255);
    table[i * 3] = Math.round(r * 255);
    table[i * 3 + 1] = Math.round(g * 255);
    table[i * 3 + 2] = Math.round(b * 255);
  }
  return table;
}
const TURBO = lut(turbo);
const VIRIDIS = lut(viridis);

/**
 * Range of the colour map for a frame: depth uses the message's `range` [near, far] (the depth
 * mapping's ends, so colours mean the same metres from frame to frame), height the frame's own
 * min..max y. Falls back to the points' min..max when `range` is missing.
 */
export function colourRange(frame, mode) {
  const { n, xyz } = frame;
  if (mode === 'depth' && Array.isArray(frame.range) && frame.range[1] > frame.range[0]) {
    return [frame.range[0], frame.range[1]];
  }
  const axis = mode === 'height' ? 1 : 2;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = axis === 2 ? -xyz[i * 3 + 2] : xyz[i * 3 + 1];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return n > 0 ? [lo, hi] : [0, 1];
}

/**
 * The colours to draw `frame` with in `mode`: frame.rgb itself for 'rgb', else `out` (grown when
 * too small) filled from the colour map. depth: near → red, far → blue (turbo); height: low →
 * purple, high → yellow (viridis). Returns the Uint8Array(n*3) to draw.
 */
export function colourize(frame, mode, out) {
  if (mode === 'rgb' || !COLOUR_MODES.includes(mode)) return frame.rgb;
  const { n, xyz } = frame;
  const dst = out && out.length >= n * 3 ? out : new Uint8Array(n * 3);
  const [lo, hi] = colourRange(frame, mode);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const table = mode === 'depth' ? TURBO : VIRIDIS;
  for (let i = 0; i < n; i++) {
    let idx;
    if (mode === 'depth')
      idx = 255 - (-xyz[i * 3 + 2] - lo) * scale; // near = 255 (red)
    else idx = (xyz[i * 3 + 1] - lo) * scale;
    idx = idx < 0 ? 0 : idx > 255 ? 255 : Math.round(idx);
    dst[i * 3] = table[idx * 3];
    dst[i * 3 + 1] = table[idx * 3 + 1];
    dst[i * 3 + 2] = table[idx * 3 + 2];
  }
  return dst.subarray(0, n * 3);
}
