/**
 * When the view redraws. A redraw is not free: with software compositing (a browser without GPU
 * acceleration, as in the tests here) each one is read back into the page's main thread, which
 * waits for the renderer meanwhile — GLES2::ReadPixels took half of the main thread's time in a
 * trace of the page on a 2-core machine. So a new cloud or the user's own camera
 * moves redraw at once, and the sway alone at most SWAY_FPS times a second (not at the display's
 * 60 Hz): while results stream, it rides on the clouds' redraws and adds none.
 */
export const SWAY_FPS = 30;
const SWAY_INTERVAL_MS = 1000 / SWAY_FPS;

/**
 * Whether the sway, with nothing else changed, should redraw at `now` (ms) given the last redraw
 * at `lastDrawAt` (ms, -Infinity if none). A 2 ms slack keeps a 60 Hz display on every second frame
 * instead of drifting between one and two.
 */
export function swayRedrawDue(now, lastDrawAt) {
  return now - lastDrawAt >= SWAY_INTERVAL_MS - 2;
}
