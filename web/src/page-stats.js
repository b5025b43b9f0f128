// The page's numbers: one plain `stats` object (window.depthcast.stats, what the HUD shows and the
// tests read) and the rolling windows it is computed from. Pure: every method is given the time it
// happens at, so a test drives it with made-up clocks. Owned by the page's main thread.
import { STAGES } from './cloud.js';
import { ClockSync, RateMeter, WindowMean } from './stats.js';

/** Means and rates are over the last 2 s: long enough to be steady, short enough to follow a change. */
export const WINDOW_MS = 2000;
/** A results message's warnings are shown once each, and at most this many kinds are kept. */
const MAX_WARNINGS = 20;

/** The stats object as the page starts; `source` is 'live', 'replay' or 'none' (offline viewer). */
export function createStats({ source = 'live' } = {}) {
  return {
    phase: 'starting',
    source,
    frames: 0, // results messages received
    rendered: 0, // frames drawn
    redraws: 0, // times the view was drawn: new clouds, camera moves and the sway (tests wait on it)
    skipped: 0, // received but replaced by a newer one before being drawn
    fps: 0, // received results per second over the last 2 s
    drawnFps: 0,
    bytes: NaN, // mean message bytes/frame, last 2 s
    lastBytes: NaN,
    totalBytes: 0,
    points: NaN, // points in the last frame
    meanPoints: NaN,
    latencyMs: NaN, // ingest→render, mean over 2 s (server ingest clock → page render, offset-corrected)
    latencyMaxMs: NaN,
    serverMs: NaN, // sentUs - ingestUs, mean
    clockOffsetMs: NaN,
    clockRttMs: NaN,
    encodeMs: NaN,
    netMs: NaN,
    encodeNetMs: NaN,
    sendFps: NaN,
    sendWidth: NaN,
    sendHeight: NaN,
    sendKbps: NaN,
    codec: '',
    batch: NaN,
    backend: '',
    model: '',
    w: NaN,
    h: NaN,
    stride: NaN,
    seq: NaN,
    level: NaN, // the server's link-adaptation level for this page (0 = densest)
    fov: NaN, // horizontal field of view (degrees) the server unprojected the last frame with: its intr.fov
    fovAsked: NaN, // the hfov this page sent for the current session; NaN when it left it to the server's --fov
    fovSetting: '', // the page's field-of-view setting in words (src/fov.js fovLabel)
    stab: null, // the last frame's depth stabiliser state {scale, shift, resets, failed}, or null
    decodeMs: NaN, // mean time to decode a message, last 2 s
    timing: Object.fromEntries(STAGES.map((s) => [s, NaN])),
    dropped: NaN,
    decodeErrors: 0,
    warnings: [],
    reconnects: 0, // sessions started after a lost one
  };
}

/**
 * Writes `stats` from the frame flow: what arrived, what was drawn, the clock sync and the
 * sender's WebRTC numbers. Times are the page's performance.now() ms unless named epoch.
 */
export class StatsRecorder {
  constructor(stats, { clock = new ClockSync(8) } = {}) {
    this.stats = stats;
    this.clock = clock;
    this.recvRate = new RateMeter(WINDOW_MS);
    this.drawRate = new RateMeter(WINDOW_MS);
    this.bytesMean = new WindowMean(WINDOW_MS);
    this.pointsMean = new WindowMean(WINDOW_MS);
    this.latencyMean = new WindowMean(WINDOW_MS);
    this.serverMean = new WindowMean(WINDOW_MS);
    this.decodeMean = new WindowMean(WINDOW_MS);
    this.stageMeans = Object.fromEntries(STAGES.map((s) => [s, new WindowMean(WINDOW_MS)]));
  }

  /** A decoded cloud arrived at `now`. Returns the warnings it carries that were not seen before. */
  received(frame, now) {
    const s = this.stats;
    const fresh = [];
    for (const w of frame.warnings) {
      if (!s.warnings.includes(w) && s.warnings.length < MAX_WARNINGS) {
        s.warnings.push(w);
        fresh.push(w);
      }
    }
    s.frames++;
    s.totalBytes += frame.bytes;
    this.recvRate.push(now);
    this.bytesMean.push(now, frame.bytes);
    this.pointsMean.push(now, frame.n);
    this.serverMean.push(now, (frame.sentUs - frame.ingestUs) / 1000);
    for (const st of STAGES) this.stageMeans[st].push(now, frame.timing[st]);
    s.lastBytes = frame.bytes;
    s.points = frame.n;
    s.batch = frame.batch;
    s.backend = frame.backend;
    s.model = frame.model;
    s.w = frame.w;
    s.h = frame.h;
    s.stride = frame.stride;
    s.seq = frame.seq;
    s.level = frame.level;
    s.fov = frame.intr?.fov ?? NaN;
    s.stab = frame.stab ?? null;
    this.decodeMean.push(now, frame.decodeMs);
    s.dropped = frame.dropped;
    return fresh;
  }

  /**
   * A new live session starts, asking for `hfov` (degrees; undefined: the server's --fov) from the
   * page's setting `setting` (in words). The field of view in use is unknown until its first frame.
   */
  sessionStarting({ hfov, setting }) {
    const s = this.stats;
    s.fovAsked = Number.isFinite(hfov) ? hfov : NaN;
    s.fovSetting = setting;
    s.fov = NaN;
  }

  /** `n` received clouds were replaced by newer ones before they could be drawn. */
  skipped(n = 1) {
    this.stats.skipped += n;
  }

  /** A results message could not be decoded. Returns how many have failed so far. */
  badResult() {
    return ++this.stats.decodeErrors;
  }

  /** The view was drawn at `now`; `frame` is the cloud it newly shows, or null (a camera move, the sway). */
  redrawn(frame, now, epochNowMs) {
    const s = this.stats;
    s.redraws++;
    if (!frame) return;
    s.rendered++;
    this.drawRate.push(now);
    if (!frame.replayed && this.clock.synced && Number.isFinite(frame.ingestUs)) {
      this.latencyMean.push(now, this.clock.ageMs(frame.ingestUs, epochNowMs));
    }
  }

  /** What SenderStats.update measured of the browser's own encoder and link. */
  sent(r) {
    const s = this.stats;
    s.encodeMs = r.encodeMs;
    s.netMs = r.netMs;
    s.encodeNetMs = r.encodeNetMs;
    s.sendFps = r.fps;
    s.sendWidth = r.width;
    s.sendHeight = r.height;
    s.sendKbps = r.kbps;
    s.codec = r.codec;
  }

  /** Brings the windowed numbers up to `now` (the HUD calls this before it shows them). */
  refresh(now) {
    const s = this.stats;
    s.fps = this.recvRate.rate(now);
    s.drawnFps = this.drawRate.rate(now);
    s.bytes = this.bytesMean.mean(now);
    s.meanPoints = this.pointsMean.mean(now);
    s.latencyMs = this.latencyMean.mean(now);
    s.latencyMaxMs = this.latencyMean.max(now);
    s.serverMs = this.serverMean.mean(now);
    s.decodeMs = this.decodeMean.mean(now);
    s.clockOffsetMs = this.clock.offsetMs;
    s.clockRttMs = this.clock.rttMs;
    for (const st of STAGES) s.timing[st] = this.stageMeans[st].mean(now);
  }
}
