// HUD arithmetic: frame-rate window, rolling means, clock offset from ping/pong, WebRTC stats.
// Pure module (no DOM); times are milliseconds unless a name says Us (microseconds).

/**
 * Events per second over a sliding window (default 2 s): events in the window / window length once
 * the meter has run a whole window, (events-1) / (last-first) before that; 0 after a stall longer
 * than the window.
 */
export class RateMeter {
  constructor(windowMs = 2000) {
    this.windowMs = windowMs;
    this.times = [];
    this.total = 0;
    this.first = NaN;
  }
  push(now) {
    if (this.total === 0) this.first = now;
    this.times.push(now);
    this.total++;
    this.#trim(now);
  }
  #trim(now) {
    const cut = now - this.windowMs;
    let i = 0;
    while (i < this.times.length && this.times[i] <= cut) i++;
    if (i > 0) this.times.splice(0, i);
  }
  rate(now) {
    this.#trim(now);
    const t = this.times;
    if (now - this.first >= this.windowMs) return (t.length * 1000) / this.windowMs;
    if (t.length < 2) return 0;
    const span = t[t.length - 1] - t[0];
    return span > 0 ? ((t.length - 1) * 1000) / span : 0;
  }
}

/** Mean (and last) of numeric samples over a sliding time window. NaN samples are ignored. */
export class WindowMean {
  constructor(windowMs = 2000) {
    this.windowMs = windowMs;
    this.samples = []; // [time, value]
    this.sum = 0;
    this.last = NaN;
  }
  push(now, value) {
    if (!Number.isFinite(value)) return;
    this.samples.push([now, value]);
    this.sum += value;
    this.last = value;
    this.#trim(now);
  }
  #trim(now) {
    const cut = now - this.windowMs;
    while (this.samples.length && this.samples[0][0] <= cut) this.sum -= this.samples.shift()[1];
    if (!this.samples.length) this.sum = 0;
  }
  mean(now) {
    this.#trim(now);
    return this.samples.length ? this.sum / this.samples.length : NaN;
  }
  max(now) {
    this.#trim(now);
    let m = NaN;
    for (const [, v] of this.samples) if (!(v <= m)) m = v;
    return m;
  }
  get count() {
    return this.samples.length;
  }
}

/**
 * Server-clock offset from ping/pong. A pong {t, server} answers a ping sent at page time t (ms);
 * received at page time now: rtt = now - t, offset = server/1000 - (t + rtt/2) (ms), i.e.
 * serverMs ≈ pageMs + offset. Of the last `keep` samples the one with the smallest rtt is used
 * (its midpoint assumption has the smallest possible error, ±rtt/2).
 */
export class ClockSync {
  constructor(keep = 8) {
    this.keep = keep;
    this.samples = []; // {rtt, offset}
  }
  onPong(pong, now) {
    const t = Number(pong.t);
    const serverUs = Number(pong.server);
    if (!Number.isFinite(t) || !Number.isFinite(serverUs)) return null;
    const rtt = now - t;
    if (rtt < 0) return null;
    const s = { rtt, offset: serverUs / 1000 - (t + rtt / 2) };
    this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.shift();
    return s;
  }
  get best() {
    let b = null;
    for (const s of this.samples) if (!b || s.rtt < b.rtt) b = s;
    return b;
  }
  get synced() {
    return this.samples.length > 0;
  }
  /** Offset in ms to add to the page clock to get the server clock (NaN before the first pong). */
  get offsetMs() {
    const b = this.best;
    return b ? b.offset : NaN;
  }
  get rttMs() {
    const b = this.best;
    return b ? b.rtt : NaN;
  }
  /** ms from the server-clock instant `serverUs` to page-clock instant `pageNowMs`. */
  ageMs(serverUs, pageNowMs) {
    return pageNowMs + this.offsetMs - serverUs / 1000;
  }
}

/**
 * Reduces an RTCStatsReport (anything iterable as [id, stat] or with forEach) to the sender side's
 * numbers, using deltas against the previous call for per-frame encode time and bitrate.
 * Returns {encodeMs, rttMs, netMs, encodeNetMs, fps, width, height, kbps, codec, framesEncoded}.
 */
export class SenderStats {
  constructor() {
    this.prev = null;
  }
  update(report, now) {
    const all = [];
    if (typeof report.forEach === 'function') report.forEach((s) => all.push(s));
    else for (const [, s] of report) all.push(s);
    const byId = new Map(all.map((s) => [s.id, s]));
    const out = all.find((s) => s.type === 'outbound-rtp' && (s.kind === 'video' || s.mediaType === 'video'));
    let pair = null;
    const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    if (transport) pair = byId.get(transport.selectedCandidatePairId) || null;
    if (!pair) pair = all.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') || null;
    const res = {
      encodeMs: NaN,
      rttMs: NaN,
      netMs: NaN,
      encodeNetMs: NaN,
      fps: NaN,
      width: NaN,
      height: NaN,
      kbps: NaN,
      codec: '',
      framesEncoded: 0,
    };
    if (pair && Number.isFinite(pair.currentRoundTripTime)) {
      res.rttMs = pair.currentRoundTripTime * 1000;
      res.netMs = res.rttMs / 2;
    }
    if (out) {
      res.framesEncoded = out.framesEncoded || 0;
      res.fps = out.framesPerSecond ?? NaN;
      res.width = out.frameWidth ?? NaN;
      res.height = out.frameHeight ?? NaN;
      const codec = out.codecId ? byId.get(out.codecId) : null;
      if (codec && codec.mimeType) res.codec = codec.mimeType.replace(/^video\//, '');
      const p = this.prev;
      if (p && out.framesEncoded > p.framesEncoded && Number.isFinite(out.totalEncodeTime)) {
        res.encodeMs = ((out.totalEncodeTime - p.totalEncodeTime) * 1000) / (out.framesEncoded - p.framesEncoded);
      } else if (out.framesEncoded > 0 && Number.isFinite(out.totalEncodeTime)) {
        res.encodeMs = (out.totalEncodeTime * 1000) / out.framesEncoded;
      }
      if (p && now > p.now && Number.isFinite(out.bytesSent)) {
        res.kbps = ((out.bytesSent - p.bytesSent) * 8) / (now - p.now);
      }
      this.prev = {
        now,
        framesEncoded: out.framesEncoded || 0,
        totalEncodeTime: out.totalEncodeTime || 0,
        bytesSent: out.bytesSent || 0,
      };
    }
    if (Number.isFinite(res.encodeMs) && Number.isFinite(res.netMs)) res.encodeNetMs = res.encodeMs + res.netMs;
    return res;
  }
}

/** Formats a number for the HUD: '—' for NaN/undefined, else fixed digits. */
export function fmt(v, digits = 1) {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** Human-readable byte size (kB = 1000 B). */
export function fmtBytes(b) {
  if (!Number.isFinite(b)) return '—';
  if (b >= 1e6) return `${(b / 1e6).toFixed(2)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${Math.round(b)} B`;
}
