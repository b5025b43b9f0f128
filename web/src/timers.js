// The browser's clock and timers as one object, so that a module given it (src/replay.js,
// src/live-session.js) can be driven by a test's fake clock instead.
export const BROWSER_TIMERS = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t),
};
