// A fake clock with the shape of src/timers.js's BROWSER_TIMERS, for the modules that take one.
// advance(ms) runs every timer that falls due, in time order, with now() at its due time.
export class FakeTimers {
  constructor(start = 0) {
    this.time = start;
    this.nextId = 1;
    this.pending = new Map(); // id → {at, fn, every}
  }

  now = () => this.time;
  setTimeout = (fn, ms = 0) => this.#add(fn, ms, null);
  setInterval = (fn, ms) => this.#add(fn, ms, ms);
  clearTimeout = (id) => this.pending.delete(id);
  clearInterval = (id) => this.pending.delete(id);

  #add(fn, ms, every) {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), fn, every });
    return id;
  }

  /** Timers still to run (intervals count while they are set). */
  get count() {
    return this.pending.size;
  }

  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let due = null;
      for (const [id, t] of this.pending) if (t.at <= end && (!due || t.at < due[1].at)) due = [id, t];
      if (!due) break;
      const [id, t] = due;
      this.time = t.at;
      if (t.every) t.at += t.every;
      else this.pending.delete(id);
      t.fn();
    }
    this.time = end;
  }
}
