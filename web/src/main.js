// depthcast page: camera → WebRTC → server; msgpack point clouds ← WebSocket → three.js.
// Also a viewer of recordings: opened from disk (file://) it replays a dropped .dcrec with no server.
import { STAGES, decodeCloud } from './cloud.js';
import { COLOUR_MODES, COLOUR_MODE_LABELS } from './colour.js';
import { CONTROLS, GESTURES, actionForKey, keyLabel } from './controls.js';
import { encodePly, plyComments } from './ply.js';
import { Backoff, retryWaitMs, shouldRetry } from './reconnect.js';
import { Recorder, decodeRecording, recordingFileName } from './recording.js';
import { ApiError, Session } from './session.js';
import { ClockSync, RateMeter, SenderStats, WindowMean, fmt, fmtBytes } from './stats.js';
import { CloudView, POINT_SIZE } from './view.js';

const $ = (id) => document.getElementById(id);
const pageNow = () => performance.timeOrigin + performance.now(); // epoch ms, high resolution
const offline = location.protocol === 'file:';
const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

// ---------------------------------------------------------------- state exposed for tests/debugging
const stats = {
  phase: 'starting',
  source: offline ? 'none' : 'live', // 'live' | 'replay' | 'none'
  frames: 0, // results messages received
  rendered: 0, // frames drawn
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
  encodeMs: NaN, netMs: NaN, encodeNetMs: NaN,
  sendFps: NaN, sendWidth: NaN, sendHeight: NaN, sendKbps: NaN, codec: '',
  batch: NaN, backend: '', model: '', w: NaN, h: NaN, stride: NaN, seq: NaN,
  level: NaN, // the server's link-adaptation level for this page (0 = densest)
  decodeMs: NaN, // mean time to decode a message, last 2 s
  timing: Object.fromEntries(STAGES.map((s) => [s, NaN])),
  dropped: NaN,
  decodeErrors: 0,
  warnings: [],
  reconnects: 0, // sessions started after a lost one
};
const errors = [];
const api = { stats, errors, sessionId: null };
window.depthcast = api;

// ---------------------------------------------------------------- errors & status
function setStatus(text, bad = false) {
  stats.phase = text;
  const el = $('hud-status');
  el.textContent = text;
  el.classList.toggle('bad', bad);
}

function showError(message, { fatal = true } = {}) {
  const entry = { message, fatal, at: new Date().toISOString() };
  errors.push(entry);
  if (errors.length > 100) errors.splice(0, errors.length - 100);
  console[fatal ? 'error' : 'warn']('[depthcast]', message);
  if (fatal) setStatus('error', true);
  const box = $('errors');
  const lastDiv = box.lastElementChild;
  if (lastDiv && lastDiv.dataset.message === message) {
    // Same message again (e.g. a server error repeated every second): count instead of stacking.
    lastDiv.dataset.repeat = String(Number(lastDiv.dataset.repeat || 1) + 1);
    lastDiv.textContent = `${message} (×${lastDiv.dataset.repeat})`;
    return;
  }
  const div = document.createElement('div');
  div.dataset.message = message;
  div.className = fatal ? 'err' : 'warn';
  div.textContent = message;
  box.appendChild(div);
  while (box.children.length > 4) box.removeChild(box.firstChild);
  if (!fatal) setTimeout(() => div.remove(), 10000);
}

/** A passing notice (export saved, recording saved): shown for a few seconds, not an error. */
function notify(message) {
  const div = document.createElement('div');
  div.className = 'warn';
  div.textContent = message;
  $('errors').appendChild(div);
  setTimeout(() => div.remove(), 6000);
}

function clearErrors() {
  $('errors').replaceChildren();
}

function describeApiError(e) {
  if (!(e instanceof ApiError)) return e.message || String(e);
  if (e.status === 503) return `The server refused the session (503 — at capacity): ${e.reason || 'no reason given'}`;
  if (e.status === 0) return 'server unreachable';
  return `Server error ${e.status} on ${e.path}: ${e.reason || '(no reason given)'}`;
}

// ---------------------------------------------------------------- view
let view;
try {
  view = new CloudView($('view'), { reducedMotion });
} catch (e) {
  showError(`WebGL is not available in this browser, so the point cloud cannot be drawn (${e.message}).`);
  throw e;
}
api.view = view;
api.renderer = view.renderer;
api.countNonBackgroundPixels = () => view.pixelStats();
api.pose = () => view.pose();
api.homePose = () => ({ position: view.homePosition.toArray() });
/** Puts the camera on the sphere around the orbit target: azimuth 0, elevation 0 = the source camera's view. */
api.setView = ({ azimuthDeg = 0, elevationDeg = 0, distance = 1.5 } = {}) => {
  view.stopSway();
  view.setPose({ azimuthDeg, elevationDeg, distance });
};
view.onFirstInteraction = () => $('hint').classList.add('gone');

function resize() {
  view.resize(window.innerWidth, window.innerHeight);
}

// ---------------------------------------------------------------- frame flow
let pending = null; // newest decoded frame not yet drawn
let paused = false;
const recvRate = new RateMeter(2000);
const drawRate = new RateMeter(2000);
const bytesMean = new WindowMean(2000);
const pointsMean = new WindowMean(2000);
const latencyMean = new WindowMean(2000);
const serverMean = new WindowMean(2000);
const decodeMean = new WindowMean(2000);
const stageMeans = Object.fromEntries(STAGES.map((s) => [s, new WindowMean(2000)]));
const clock = new ClockSync(8);
const sender = new SenderStats();
let recorder = null;
let noteDismissed = false;

/** One results message from a recording: decoded here, then shown as a live one. */
function onReplayMessage(data) {
  let frame;
  try {
    frame = decodeCloud(data);
  } catch (e) {
    onBadResult(e.message);
    return;
  }
  onFrame(frame, { replayed: true, now: performance.now() });
}

/** One live result, decoded (and already acknowledged) by the session's worker. */
function onLiveResult(m) {
  const now = m.at - performance.timeOrigin; // its arrival, on this page's performance.now() clock
  if (recorder && m.raw) recordMessage(m.raw, now);
  // Clouds the worker replaced while this page was busy: received, never drawn.
  stats.skipped += m.superseded || 0;
  if (m.type === 'bad-result') onBadResult(m.message);
  else onFrame(m.frame, { replayed: false, now });
}

function onBadResult(message) {
  stats.decodeErrors++;
  if (stats.decodeErrors <= 3) showError(`Could not decode a results message: ${message}`, { fatal: false });
}

/** One decoded cloud, live or replayed: count it, keep it as the frame to draw next. */
function onFrame(frame, { replayed, now }) {
  frame.replayed = replayed;
  for (const w of frame.warnings) {
    if (!stats.warnings.includes(w) && stats.warnings.length < 20) {
      stats.warnings.push(w);
      showError(`Results message: ${w}`, { fatal: false });
    }
  }
  stats.frames++;
  stats.totalBytes += frame.bytes;
  recvRate.push(now);
  bytesMean.push(now, frame.bytes);
  pointsMean.push(now, frame.n);
  serverMean.push(now, (frame.sentUs - frame.ingestUs) / 1000);
  for (const s of STAGES) stageMeans[s].push(now, frame.timing[s]);
  stats.lastBytes = frame.bytes;
  stats.points = frame.n;
  stats.batch = frame.batch;
  stats.backend = frame.backend;
  stats.model = frame.model;
  stats.w = frame.w;
  stats.h = frame.h;
  stats.stride = frame.stride;
  stats.seq = frame.seq;
  stats.level = frame.level;
  decodeMean.push(now, frame.decodeMs);
  stats.dropped = frame.dropped;
  $('model-note').hidden = frame.model !== 'relief' || noteDismissed;
  if (stats.phase !== 'streaming' && !replayed) {
    fetchModelFile();
    setStatus('streaming');
    backoff.reset();
    hideConn();
  }
  if (paused) return; // the view holds its frame; the stream and its numbers go on
  if (pending) stats.skipped++;
  pending = frame;
}

function draw() {
  requestAnimationFrame(draw);
  let drawn = null;
  if (pending && !paused) {
    drawn = pending;
    pending = null;
    view.show(drawn);
  }
  if (!view.tick(performance.now(), { frozen: paused })) return;
  if (drawn) {
    const now = performance.now();
    stats.rendered++;
    drawRate.push(now);
    if (!drawn.replayed && clock.synced && Number.isFinite(drawn.ingestUs)) {
      latencyMean.push(now, clock.ageMs(drawn.ingestUs, pageNow()));
    }
  }
}

// The message names the preset; the model file beside it comes from /api/stats, once per connection.
function fetchModelFile() {
  if (offline) return;
  fetch('/api/stats').then((r) => (r.ok ? r.json() : null)).then((j) => {
    if (j && typeof j.modelFile === 'string') stats.modelFile = j.modelFile;
  }).catch(() => {});
}

// ---------------------------------------------------------------- HUD
function updateHud() {
  const now = performance.now();
  stats.fps = recvRate.rate(now);
  stats.drawnFps = drawRate.rate(now);
  stats.bytes = bytesMean.mean(now);
  stats.meanPoints = pointsMean.mean(now);
  stats.latencyMs = latencyMean.mean(now);
  stats.latencyMaxMs = latencyMean.max(now);
  stats.serverMs = serverMean.mean(now);
  stats.decodeMs = decodeMean.mean(now);
  stats.clockOffsetMs = clock.offsetMs;
  stats.clockRttMs = clock.rttMs;
  for (const s of STAGES) stats.timing[s] = stageMeans[s].mean(now);

  $('hud-summary').textContent = [
    `${fmt(stats.fps, 1)} fps`,
    Number.isFinite(stats.latencyMs) ? `${fmt(stats.latencyMs, 0)} ms` : null,
    fmtBytes(stats.bytes),
  ].filter(Boolean).join(' · ');
  updateHudDetail(); // kept current while folded: tests and screen readers read it
}

function updateHudDetail() {
  $('hud-fps').textContent = fmt(stats.fps, 1);
  $('hud-drawn-fps').textContent = fmt(stats.drawnFps, 1);
  $('hud-frames').textContent = String(stats.frames);
  $('hud-latency').textContent = Number.isFinite(stats.latencyMs)
    ? `${fmt(stats.latencyMs, 0)} ms (max ${fmt(stats.latencyMaxMs, 0)})`
    : stats.source === 'replay' ? '— (replay)' : clock.synced ? '—' : 'waiting for clock sync';
  $('hud-server-ms').textContent = Number.isFinite(stats.serverMs) ? `${fmt(stats.serverMs, 1)} ms` : '—';
  $('hud-encnet').textContent = Number.isFinite(stats.encodeNetMs)
    ? `≈${fmt(stats.encodeNetMs, 1)} ms (enc ${fmt(stats.encodeMs, 1)} + rtt/2 ${fmt(stats.netMs, 1)})`
    : Number.isFinite(stats.encodeMs) ? `enc ${fmt(stats.encodeMs, 1)} ms, net —` : '—';
  $('hud-clock').textContent = clock.synced
    ? `${fmt(stats.clockOffsetMs, 1)} ms ±${fmt(stats.clockRttMs / 2, 1)}`
    : '—';
  $('hud-bytes').textContent = fmtBytes(stats.bytes);
  $('hud-points').textContent = Number.isFinite(stats.points)
    ? `${stats.points} (mean ${fmt(stats.meanPoints, 0)})`
    : '—';
  $('hud-grid').textContent = Number.isFinite(stats.w)
    ? `${stats.w}×${stats.h} /${stats.stride} · level ${stats.level}${stats.level > 0 ? ' (link-limited)' : ''} · decode ${fmt(stats.decodeMs, 1)} ms`
    : '—';
  $('hud-batch').textContent = Number.isFinite(stats.batch) ? String(stats.batch) : '—';
  $('hud-backend').textContent = stats.backend || '—';
  $('hud-model').textContent = [stats.model, stats.source !== 'replay' ? stats.modelFile : null]
    .filter(Boolean).join(' · ') || '—';
  for (const s of STAGES) $(`hud-t-${s}`).textContent = fmt(stats.timing[s], 2);
  $('hud-dropped').textContent = Number.isFinite(stats.dropped) ? String(stats.dropped) : '—';
  $('hud-skipped').textContent = String(stats.skipped);
  $('hud-send').textContent = Number.isFinite(stats.sendWidth)
    ? `${stats.sendWidth}×${stats.sendHeight} ${fmt(stats.sendFps, 0)} fps ${fmt(stats.sendKbps, 0)} kbps ${stats.codec}`
    : '—';
}

function toggleHud(open = $('hud-detail').hidden) {
  $('hud-detail').hidden = !open;
  $('hud').dataset.open = String(open);
  $('hud-toggle').setAttribute('aria-expanded', String(open));
  if (open) updateHudDetail();
}

async function pollWebRtcStats() {
  const pc = session?.pc;
  if (!pc || pc.connectionState === 'closed') return;
  try {
    const r = sender.update(await pc.getStats(), performance.now());
    stats.encodeMs = r.encodeMs;
    stats.netMs = r.netMs;
    stats.encodeNetMs = r.encodeNetMs;
    stats.sendFps = r.fps;
    stats.sendWidth = r.width;
    stats.sendHeight = r.height;
    stats.sendKbps = r.kbps;
    stats.codec = r.codec;
  } catch {
    /* stats are best-effort */
  }
}

// ---------------------------------------------------------------- controls
function setPaused(p) {
  paused = p;
  const b = $('btn-pause');
  b.setAttribute('aria-pressed', String(p));
  b.querySelector('.icon').textContent = p ? '▶' : '‖';
  b.querySelector('.label').textContent = p ? 'Resume' : 'Pause';
  if (p) pending = null;
  if (replay) replay.setPaused(p);
  stats.paused = p;
}

function setColourMode(mode) {
  view.setColourMode(mode);
  $('sel-colour').value = mode;
  stats.colourMode = mode;
}

function setBackground(name) {
  view.setBackground(name);
  document.body.classList.toggle('bg-light', name === 'light');
  document.body.classList.toggle('bg-dark', name !== 'light');
  stats.background = name;
}

function setPreview(show) {
  $('preview').hidden = !show;
  $('btn-preview').setAttribute('aria-pressed', String(show));
}

function download(parts, name, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function exportPly() {
  const frame = view.shown;
  if (!frame) {
    showError('Nothing to export yet: no frame has been drawn.', { fatal: false });
    return;
  }
  const bytes = encodePly(frame, plyComments(frame));
  const name = `depthcast-${frame.model || 'cloud'}-seq${frame.seq}.ply`;
  download([bytes], name);
  api.lastExport = { name, n: frame.n, seq: frame.seq, bytes: bytes.byteLength };
  notify(`Saved ${name}: ${frame.n} points, ${fmtBytes(bytes.byteLength)}`);
}

function recordSeconds() {
  return Number($('sel-record-s').value) || 10;
}

function toggleRecording() {
  if (recorder) {
    finishRecording();
    return;
  }
  if (stats.source !== 'live') {
    showError('Recording takes the live stream: go back to live first.', { fatal: false });
    return;
  }
  recorder = new Recorder({ maxMs: recordSeconds() * 1000 });
  recorder.timer = setTimeout(finishRecording, recordSeconds() * 1000 + 500); // also ends if frames stop coming
  const b = $('btn-record');
  b.classList.add('recording');
  b.setAttribute('aria-pressed', 'true');
  b.querySelector('.label').textContent = `Stop ${recordSeconds()} s`;
  stats.recording = true;
  session?.setRecording(true); // the worker hands over each message's bytes while recording
}

function recordMessage(data, now) {
  if (!recorder.add(data, now)) finishRecording();
}

function finishRecording() {
  const r = recorder;
  if (!r) return;
  recorder = null;
  session?.setRecording(false);
  clearTimeout(r.timer);
  const b = $('btn-record');
  b.classList.remove('recording');
  b.setAttribute('aria-pressed', 'false');
  b.querySelector('.label').textContent = 'Rec';
  stats.recording = false;
  if (!r.frames.length) {
    showError('The recording is empty: no results arrived while recording.', { fatal: false });
    return;
  }
  const name = recordingFileName();
  const parts = r.encode({ source: location.origin, userAgent: navigator.userAgent, model: stats.model, backend: stats.backend });
  download(parts, name);
  api.lastRecording = { name, frames: r.frames.length, durationMs: r.durationMs, bytes: r.bytes };
  notify(`Saved ${name}: ${r.frames.length} frames, ${(r.durationMs / 1000).toFixed(1)} s, ${fmtBytes(r.bytes)}`);
}

// ---------------------------------------------------------------- replay
/** Plays decoded recording frames at their recorded pace, looping, through onReplayMessage. */
class Replay {
  constructor(name, { header, frames }) {
    this.name = name;
    this.header = header;
    this.frames = frames;
    this.index = 0;
    this.loops = 0;
    this.paused = false;
    this.offset = 0; // recording time at `base`
    this.base = performance.now();
    this.timer = null;
  }
  start() {
    this.#schedule();
  }
  #schedule() {
    clearTimeout(this.timer);
    if (this.paused) return;
    const f = this.frames[this.index];
    const wait = Math.max(0, f.t - (this.offset + performance.now() - this.base));
    this.timer = setTimeout(() => this.#play(), wait);
  }
  #play() {
    const f = this.frames[this.index];
    onReplayMessage(f.msg);
    $('replay-text').textContent = `Replaying ${this.name}: frame ${this.index + 1}/${this.frames.length}, ` +
      `${(f.t / 1000).toFixed(1)}/${(this.frames[this.frames.length - 1].t / 1000).toFixed(1)} s` +
      `${this.loops ? ` (loop ${this.loops + 1})` : ''}`;
    this.index++;
    if (this.index >= this.frames.length) {
      // Loop: restart the recording's clock at its first frame.
      this.index = 0;
      this.loops++;
      this.offset = this.frames[0].t;
      this.base = performance.now() + 1000 / 30;
    }
    this.#schedule();
  }
  setPaused(p) {
    if (p === this.paused) return;
    if (p) this.offset += performance.now() - this.base;
    else this.base = performance.now();
    this.paused = p;
    this.#schedule();
  }
  stop() {
    this.paused = true;
    clearTimeout(this.timer);
  }
}
let replay = null;

async function openRecording(file) {
  let rec;
  try {
    rec = decodeRecording(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    showError(`${file.name}: ${e.message}. Open a .dcrec file saved by this page's Rec button.`, { fatal: false });
    return;
  }
  if (recorder) finishRecording();
  stopLive();
  replay?.stop();
  replay = new Replay(file.name, rec);
  stats.source = 'replay';
  stats.replay = { name: file.name, frames: rec.frames.length, durationMs: rec.header.durationMs };
  clearErrors();
  hideConn();
  $('replay-bar').hidden = false;
  $('btn-live').hidden = offline;
  setStatus('replay');
  setPaused(false);
  replay.start();
}

function backToLive() {
  replay?.stop();
  replay = null;
  $('replay-bar').hidden = true;
  stats.source = 'live';
  connect();
}

// ---------------------------------------------------------------- live: connect, reconnect
let session = null;
let stream = null;
const backoff = new Backoff();
let retryTimer = null;
let countdownTimer = null;

async function getCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw Object.assign(new Error('This page needs camera access, which the browser only allows on https:// or http://localhost.'), { name: 'InsecureContext' });
  }
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 } },
    audio: false,
  });
}

function cameraErrorMessage(e) {
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

function hideConn() {
  clearInterval(countdownTimer);
  $('conn').hidden = true;
  $('restart').hidden = true;
}

function stopLive() {
  clearTimeout(retryTimer);
  hideConn();
  session?.close();
  session = null;
}

/** The session is gone: say why, and try again after the backoff wait unless retrying cannot help. */
function lost(e, { closeCode } = {}) {
  session?.close();
  session = null;
  if (stats.source !== 'live') return;
  const what = describeApiError(e);
  const status = e instanceof ApiError ? e.status : undefined;
  errors.push({ message: what, fatal: true, at: new Date().toISOString() });
  console.warn('[depthcast]', what);
  if (!shouldRetry({ status, closeCode })) {
    showError(what);
    $('restart').textContent = 'Reconnect';
    $('restart').hidden = false;
    $('conn').hidden = false;
    $('conn-text').textContent = '';
    return;
  }
  setStatus('reconnecting', true);
  const waitMs = retryWaitMs(backoff, { closeCode });
  const until = performance.now() + waitMs;
  const show = () => {
    const s = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    $('conn-text').textContent = `${what} — retrying in ${s} s`;
  };
  show();
  $('conn').hidden = false;
  $('restart').textContent = 'Retry now';
  $('restart').hidden = false;
  clearInterval(countdownTimer);
  countdownTimer = setInterval(show, 250);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    stats.reconnects++;
    connect();
  }, waitMs);
}

async function connect() {
  clearTimeout(retryTimer);
  $('start').hidden = true;
  if (offline) {
    setStatus('offline viewer');
    $('hint').textContent = 'Offline viewer: drop a depthcast recording (.dcrec) here, or press Open (o)';
    return;
  }
  if (!stream || stream.getVideoTracks().every((t) => t.readyState === 'ended')) {
    setStatus('asking for the camera');
    try {
      stream = await getCamera();
    } catch (e) {
      showError(cameraErrorMessage(e));
      if (e.name === 'NotAllowedError' || e.name === 'SecurityError') $('start').hidden = false;
      return;
    }
    const video = $('preview');
    video.srcObject = stream;
    video.play().catch(() => {});
    stream.getVideoTracks()[0].addEventListener('ended', () => showError('The camera stopped (track ended).'));
  }
  if (stats.source !== 'live') return;
  session?.close();
  const current = new Session({ stream });
  session = current;
  if (recorder) current.setRecording(true);
  current.onStatus = (s) => {
    if (session !== current || stats.source !== 'live') return;
    if (stats.phase !== 'streaming' && stats.phase !== 'reconnecting') setStatus(s);
  };
  current.onResult = (m) => {
    if (session === current && stats.source === 'live') onLiveResult(m);
  };
  current.onPong = (msg, now) => clock.onPong(msg, now);
  current.onError = (e, fatal) => {
    if (session !== current) return;
    if (fatal) lost(e, { closeCode: e.closeCode });
    else showError(describeApiError(e), { fatal: false });
  };
  try {
    if (stats.phase !== 'reconnecting') setStatus('connecting');
    await current.start();
    if (session === current) api.sessionId = current.id;
  } catch (e) {
    if (session === current) lost(e);
  }
}

// ---------------------------------------------------------------- help overlay, keys, buttons
function buildHelp() {
  const body = $('help-body');
  const h3 = (t) => Object.assign(document.createElement('h3'), { textContent: t });
  const table = (rows) => {
    const t = document.createElement('table');
    for (const cells of rows) {
      const tr = t.insertRow();
      cells.forEach((c, i) => {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (c instanceof Node) cell.append(c);
        else cell.textContent = c;
        tr.append(cell);
      });
    }
    return t;
  };
  const keys = (list) => {
    const span = document.createElement('span');
    list.forEach((k, i) => {
      if (i) span.append(' ');
      span.append(Object.assign(document.createElement('kbd'), { textContent: keyLabel(k) }));
    });
    return span;
  };
  body.append(
    h3('Mouse and touch'),
    table([['mouse', 'touch', ''], ...GESTURES]),
    h3('Keyboard (and the toolbar buttons)'),
    table(CONTROLS.map((c) => [keys(c.keys), c.what])),
    h3('Files'),
    table([
      ['PLY', 'binary PLY of the frame on screen, camera colours, metres: opens in MeshLab, CloudCompare, Open3D'],
      ['.dcrec', 'a recording of the results stream (docs/recording.md); drop it on this page — even opened from disk, with no server — to replay it'],
    ]),
  );
}

function toggleHelp(open = !$('help').open) {
  const d = $('help');
  if (open && !d.open) {
    d.showModal();
    d.scrollTop = 0;
  }
  else if (!open && d.open) d.close();
}

const ORBIT_STEP_DEG = 5;
const PAN_STEP_PX = 40;
const ZOOM_STEP = 1.15;

const actions = {
  help: () => toggleHelp(),
  reset: () => view.goTo('home'),
  front: () => view.goTo('front'),
  top: () => view.goTo('top'),
  side: () => view.goTo('side'),
  orbitLeft: (ev) => (ev?.shiftKey ? view.pan(PAN_STEP_PX, 0) : view.orbit(-ORBIT_STEP_DEG, 0)),
  orbitRight: (ev) => (ev?.shiftKey ? view.pan(-PAN_STEP_PX, 0) : view.orbit(ORBIT_STEP_DEG, 0)),
  orbitUp: (ev) => (ev?.shiftKey ? view.pan(0, PAN_STEP_PX) : view.orbit(0, ORBIT_STEP_DEG)),
  orbitDown: (ev) => (ev?.shiftKey ? view.pan(0, -PAN_STEP_PX) : view.orbit(0, -ORBIT_STEP_DEG)),
  zoomIn: () => view.zoom(ZOOM_STEP),
  zoomOut: () => view.zoom(1 / ZOOM_STEP),
  pause: () => setPaused(!paused),
  smaller: () => { stats.pointSize = view.setPointSize(view.pointSize / POINT_SIZE.step); },
  bigger: () => { stats.pointSize = view.setPointSize(view.pointSize * POINT_SIZE.step); },
  colour: () => setColourMode(COLOUR_MODES[(COLOUR_MODES.indexOf(view.colourMode) + 1) % COLOUR_MODES.length]),
  background: () => setBackground(view.background === 'dark' ? 'light' : 'dark'),
  exportPly: () => exportPly(),
  record: () => toggleRecording(),
  open: () => $('file-open').click(),
  hud: () => toggleHud(),
  preview: () => setPreview($('preview').hidden),
};
api.do = (name) => actions[name]();

window.addEventListener('keydown', (ev) => {
  const t = ev.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) return;
  // Space and Enter on a focused button or menu work that control, not the shortcut.
  if ((t instanceof HTMLButtonElement || t instanceof HTMLSelectElement) && (ev.key === ' ' || ev.key === 'Enter')) return;
  if (t instanceof HTMLSelectElement && ev.key.startsWith('Arrow')) return;
  const action = actionForKey(ev);
  if (!action) return;
  if (action !== 'help' && $('help').open) return; // the overlay is modal; Esc and ? close it
  ev.preventDefault();
  actions[action](ev);
});

for (const c of CONTROLS) {
  const el = c.button && $(c.button);
  if (el && el.tagName === 'BUTTON') el.addEventListener('click', () => actions[c.action]());
}
$('sel-colour').addEventListener('change', (e) => setColourMode(e.target.value));
for (const o of $('sel-colour').options) o.title = COLOUR_MODE_LABELS[o.value];
$('file-open').addEventListener('change', (e) => {
  const f = e.target.files?.[0];
  if (f) openRecording(f);
  e.target.value = '';
});
$('btn-live').addEventListener('click', () => backToLive());
$('model-note-close').addEventListener('click', () => {
  noteDismissed = true;
  $('model-note').hidden = true;
});
$('start').addEventListener('click', () => connect());
$('restart').addEventListener('click', () => {
  backoff.reset();
  connect();
});

// Drag and drop a recording anywhere on the page.
let dragDepth = 0;
window.addEventListener('dragenter', (e) => {
  if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
  dragDepth++;
  $('drop-target').hidden = false;
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) $('drop-target').hidden = true;
});
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('drop-target').hidden = true;
  const f = e.dataTransfer?.files?.[0];
  if (f) openRecording(f);
});

window.addEventListener('pagehide', () => session?.close());
window.addEventListener('resize', resize);

// On a phone the preview would cover a good part of the cloud: it starts hidden there.
setPreview(window.innerWidth > 720);
if (window.matchMedia?.('(pointer: coarse)').matches) {
  $('hint').textContent = 'Drag to orbit · pinch to zoom · two fingers to pan · ? lists every control';
}
buildHelp();
setBackground('dark');
resize();
requestAnimationFrame(draw);
setInterval(updateHud, 250);
setInterval(pollWebRtcStats, 1000);
connect();
