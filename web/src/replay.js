// Replay of a decoded recording (src/recording.js): hands each frame's message on at its recorded
// time, looping, pausable. It knows nothing of the page: the frames go to `onMessage`, the
// progress line to `onProgress`, and time comes from `timers`, so a test plays it on a fake clock.
import { BROWSER_TIMERS } from './timers.js';

/** Gap between a recording's last frame and its first on the next loop: one frame at 30 fps. */
export const LOOP_GAP_MS = 1000 / 30;

/** The replay bar's line, e.g. "Replaying a.dcrec: frame 3/40, 0.1/1.3 s (loop 2)". */
export function replayProgress({ name, index, count, t, lastT, loops }) {
  return (
    `Replaying ${name}: frame ${index + 1}/${count}, ` +
    `${(t / 1000).toFixed(1)}/${(lastT / 1000).toFixed(1)} s` +
    `${loops ? ` (loop ${loops + 1})` : ''}`
  );
}

export class Replay {
  /**
   * `frames`: [{t, msg}] with t the recording's ms from its start, ascending. Nothing plays until
   * start().
   */
  constructor(name, { header, frames }, { onMessage, onProgress = () => {}, timers = BROWSER_TIMERS }) {
    this.name = name;
    this.header = header;
    this.frames = frames;
    this.onMessage = onMessage;
    this.onProgress = onProgress;
    this.timers = timers;
    this.index = 0; // the next frame to play
    this.loops = 0;
    this.paused = false;
    this.offset = 0; // recording time at `base`
    this.base = timers.now();
    this.timer = null;
  }

  start() {
    this.#schedule();
  }

  #schedule() {
    this.timers.clearTimeout(this.timer);
    if (this.paused) return;
    const f = this.frames[this.index];
    const wait = Math.max(0, f.t - (this.offset + this.timers.now() - this.base));
    this.timer = this.timers.setTimeout(() => this.#play(), wait);
  }

  #play() {
    const f = this.frames[this.index];
    this.onMessage(f.msg);
    this.onProgress(
      replayProgress({
        name: this.name,
        index: this.index,
        count: this.frames.length,
        t: f.t,
        lastT: this.frames[this.frames.length - 1].t,
        loops: this.loops,
      }),
    );
    this.index++;
    if (this.index >= this.frames.length) {
      // Loop: restart the recording's clock at its first frame.
      this.index = 0;
      this.loops++;
      this.offset = this.frames[0].t;
      this.base = this.timers.now() + LOOP_GAP_MS;
    }
    this.#schedule();
  }

  /** Paused, the recording's clock stands still: resuming plays on from the same moment. */
  setPaused(p) {
    if (p === this.paused) return;
    if (p) this.offset += this.timers.now() - this.base;
    else this.base = this.timers.now();
    this.paused = p;
    this.#schedule();
  }

  stop() {
    this.paused = true;
    this.timers.clearTimeout(this.timer);
  }
}
