// Every control of the page in one table: the keyboard handler and the "?" overlay both read it,
// so the overlay lists exactly what the keys do. Pure module (no DOM).

/**
 * action: name the page dispatches; keys: KeyboardEvent.key values (a leading "Shift+" requires
 * Shift); button: id of the toolbar control that does the same; what: the overlay's text.
 */
export const CONTROLS = [
  { action: 'help', keys: ['?'], button: 'btn-help', what: 'show or hide this list' },
  { action: 'reset', keys: ['r', 'Home'], button: 'btn-reset', what: 'reset the view (the first three-quarter view)' },
  { action: 'front', keys: ['1'], button: 'btn-front', what: 'front view: from the camera' },
  { action: 'top', keys: ['2'], button: 'btn-top', what: 'top view: from above' },
  { action: 'side', keys: ['3'], button: 'btn-side', what: 'side view: from the right' },
  { action: 'orbitLeft', keys: ['ArrowLeft'], what: 'orbit left (Shift: pan)' },
  { action: 'orbitRight', keys: ['ArrowRight'], what: 'orbit right (Shift: pan)' },
  { action: 'orbitUp', keys: ['ArrowUp'], what: 'orbit up (Shift: pan)' },
  { action: 'orbitDown', keys: ['ArrowDown'], what: 'orbit down (Shift: pan)' },
  { action: 'zoomIn', keys: ['=', '+', 'PageUp'], what: 'zoom in' },
  { action: 'zoomOut', keys: ['-', 'PageDown'], what: 'zoom out' },
  {
    action: 'pause',
    keys: [' ', 'p'],
    button: 'btn-pause',
    what: 'pause / resume the view (the stream keeps running)',
  },
  { action: 'smaller', keys: ['['], button: 'btn-smaller', what: 'smaller points' },
  { action: 'bigger', keys: [']'], button: 'btn-bigger', what: 'bigger points' },
  {
    action: 'colour',
    keys: ['c'],
    button: 'sel-colour',
    what: 'next colour mode: camera RGB, depth (turbo), height (viridis)',
  },
  { action: 'background', keys: ['b'], button: 'btn-background', what: 'light / dark background' },
  { action: 'exportPly', keys: ['e'], button: 'btn-export', what: 'export the frame on screen as binary PLY' },
  {
    action: 'record',
    keys: ['v'],
    button: 'btn-record',
    what: 'record the stream (length: the menu beside it); again: stop and save',
  },
  {
    action: 'open',
    keys: ['o'],
    button: 'btn-open',
    what: 'open a recording to replay (or drop the file on the page)',
  },
  {
    action: 'fov',
    keys: ['f'],
    button: 'btn-fov',
    what: "the camera's field of view (diagonal, as cameras are sold, or horizontal); a change reconnects at once",
  },
  {
    action: 'dense',
    keys: ['d'],
    button: 'btn-dense',
    what: 'dense (the whole depth grid as video, drawn on the GPU) / sparse points; remembered, reconnects',
  },
  { action: 'hud', keys: ['h'], button: 'hud-toggle', what: 'HUD: one line / full detail' },
  { action: 'preview', keys: ['i'], button: 'btn-preview', what: 'show / hide the camera preview' },
];

/** Pointer and touch gestures, for the overlay (OrbitControls does these). */
export const GESTURES = [
  ['drag', 'one-finger drag', 'orbit'],
  ['wheel', 'pinch', 'zoom'],
  ['right-drag or Shift+drag', 'two-finger drag', 'pan'],
];

/** The action for a keydown event, or null. Modifier keys other than Shift never match. */
export function actionForKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const key = ev.key;
  for (const c of CONTROLS) {
    for (const k of c.keys) {
      if (k === key) return c.action;
      if (k.length === 1 && k.toLowerCase() === key.toLowerCase() && /[a-z]/i.test(k) && !ev.shiftKey) return c.action;
    }
  }
  return null;
}

/** How a key is written in the overlay. */
export function keyLabel(k) {
  return { ' ': 'Space', ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓' }[k] ?? k;
}
