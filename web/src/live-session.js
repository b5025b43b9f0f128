// The live connection's lifecycle: camera → session → results, and after a loss the wait and the
// next try (src/reconnect.js decides whether and how long). It owns the current Session and the
// camera stream; what it shows goes through `ui`, so a test drives it with a fake camera, a fake
// Session and fake timers. Owned by the page's main thread.
import { Backoff, retryWaitMs, shouldRetry } from './reconnect.js';
import { ApiError } from './session.js';
import { BROWSER_TIMERS } from './timers.js';

/** How often the "retrying in N s" countdown is rewritten: often enough that it never looks stuck. */
const COUNTDOWN_MS = 250;

/** One line for a failed request or a lost session, as a person reads it. */
export function describeApiError(e) {
  if (!(e instanceof ApiError)) return e.message || String(e);
  if (e.status === 503) return `The server refused the session (503 — at capacity): ${e.reason || 'no reason given'}`;
  if (e.status === 0) return 'server unreachable';
  if (e.status === 400 && Number.isFinite(e.hfov) && /\bh?fov\b|field of view/i.test(e.reason || '')) {
    const reason = e.reason.replace(/\.\s*$/, '');
    return `The server refused the field of view (${e.hfov}° horizontal): ${reason}. Press f to change it.`;
  }
  return `Server error ${e.status} on ${e.path}: ${e.reason || '(no reason given)'}`;
}

/** What getUserMedia's failure means for the person in front of the camera. */
export function cameraErrorMessage(e) {
  switch (e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow camera access and press "Start camera".';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera found: depthcast needs a webcam.';
    case 'NotReadableError':
    case 'AbortError':
      return `The camera could not be opened (is another application using it?): ${e.message}`;
    default:
      return `Camera error: ${e.message || e.name}`;
  }
}

/** A refusal a click can overcome: the "Start camera" button is shown for these. */
export function cameraPermissionRefused(e) {
  return e.name === 'NotAllowedError' || e.name === 'SecurityError';
}

/**
 * `stats`: the page's stats object (reads `source` and `phase`, counts `reconnects`).
 * `openCamera()` → a MediaStream; `createSession(stream)` → a Session (src/session.js).
 * `onResult(m)`, `onPong(msg, epochMs)`: the current session's results and clock pongs.
 * `isRecording()`: whether a new session should hand over message bytes from the start.
 * `ui`: setStatus(text, bad), showError(message, {fatal}), logError(message) (kept, not shown),
 *   showCamera(stream), showStartButton(show), showConn(text, buttonLabel), hideConn(),
 *   sessionStarted(id).
 */
export class LiveSession {
  constructor({
    stats,
    ui,
    openCamera,
    createSession,
    onResult,
    onPong,
    isRecording = () => false,
    timers = BROWSER_TIMERS,
    backoff = new Backoff(),
  }) {
    this.stats = stats;
    this.ui = ui;
    this.openCamera = openCamera;
    this.createSession = createSession;
    this.onResult = onResult;
    this.onPong = onPong;
    this.isRecording = isRecording;
    this.timers = timers;
    this.backoff = backoff;
    this.session = null;
    this.stream = null;
    this.retryTimer = null;
    this.countdownTimer = null;
  }

  /** Starts a session (asking for the camera first if there is none), replacing the current one. */
  async connect() {
    this.timers.clearTimeout(this.retryTimer);
    this.ui.showStartButton(false);
    if (!this.stream || this.stream.getVideoTracks().every((t) => t.readyState === 'ended')) {
      this.ui.setStatus('asking for the camera');
      try {
        this.stream = await this.openCamera();
      } catch (e) {
        this.ui.showError(cameraErrorMessage(e));
        if (cameraPermissionRefused(e)) this.ui.showStartButton(true);
        return;
      }
      this.ui.showCamera(this.stream);
      this.stream
        .getVideoTracks()[0]
        .addEventListener('ended', () => this.ui.showError('The camera stopped (track ended).'));
    }
    const stats = this.stats;
    if (stats.source !== 'live') return;
    this.session?.close();
    const current = this.createSession(this.stream);
    this.session = current;
    if (this.isRecording()) current.setRecording(true);
    // A replaced session's late events are dropped: only the current one speaks for the page.
    current.onStatus = (s) => {
      if (this.session !== current || stats.source !== 'live') return;
      if (stats.phase !== 'streaming' && stats.phase !== 'reconnecting') this.ui.setStatus(s);
    };
    current.onResult = (m) => {
      if (this.session === current && stats.source === 'live') this.onResult(m);
    };
    current.onPong = (msg, now) => this.onPong(msg, now);
    current.onError = (e, fatal) => {
      if (this.session !== current) return;
      if (fatal) this.lost(e, { closeCode: e.closeCode });
      else this.ui.showError(describeApiError(e), { fatal: false });
    };
    try {
      if (stats.phase !== 'reconnecting') this.ui.setStatus('connecting');
      await current.start();
      if (this.session === current) this.ui.sessionStarted(current.id);
    } catch (e) {
      if (this.session === current) this.lost(e);
    }
  }

  /** The session is gone: say why, and try again after the backoff wait unless retrying cannot help. */
  lost(e, { closeCode } = {}) {
    this.session?.close();
    this.session = null;
    if (this.stats.source !== 'live') return;
    const what = describeApiError(e);
    const status = e instanceof ApiError ? e.status : undefined;
    this.ui.logError(what);
    if (!shouldRetry({ status, closeCode })) {
      this.ui.showError(what);
      this.ui.showConn('', 'Reconnect');
      return;
    }
    this.ui.setStatus('reconnecting', true);
    const waitMs = retryWaitMs(this.backoff, { closeCode });
    const until = this.timers.now() + waitMs;
    const show = () => {
      const s = Math.max(0, Math.ceil((until - this.timers.now()) / 1000));
      this.ui.showConn(`${what} — retrying in ${s} s`, 'Retry now');
    };
    show();
    this.timers.clearInterval(this.countdownTimer);
    this.countdownTimer = this.timers.setInterval(show, COUNTDOWN_MS);
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => {
      this.stats.reconnects++;
      this.connect();
    }, waitMs);
  }

  /** The person asked to try again now: the wait starts over from its shortest. */
  retryNow() {
    this.backoff.reset();
    return this.connect();
  }

  /** Results flow: the next loss waits the shortest time again, and the connection line goes. */
  streaming() {
    this.backoff.reset();
    this.hideConn();
  }

  hideConn() {
    this.timers.clearInterval(this.countdownTimer);
    this.ui.hideConn();
  }

  /** Ends the live session and any pending retry (a replay takes the page). The camera stays open. */
  stop() {
    this.timers.clearTimeout(this.retryTimer);
    this.hideConn();
    this.session?.close();
    this.session = null;
  }

  setRecording(on) {
    this.session?.setRecording(on);
  }
}
