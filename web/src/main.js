// depthcast page: camera → WebRTC → server; msgpack point clouds ← WebSocket → three.js.
// Also a viewer of recordings: opened from disk (file://) it replays a dropped .dcrec with no server.
// This file puts the page together: the numbers (page-stats.js), the HUD (hud.js), replay
// (replay.js) and the live connection (live-session.js) are modules of their own; here are the
// frame flow between them and the view, the messages, the controls and the page's elements.
import { decodeCloud } from './cloud.js';
import { COLOUR_MODES, COLOUR_MODE_LABELS } from './colour.js';
import { CONTROLS, GESTURES, actionForKey, keyLabel } from './controls.js';
import {
  FOV_LIMITS,
  FOV_PRESETS,
  fovLabel,
  knownSize,
  loadFovSetting,
  offerHfov,
  parseFovSetting,
  presetIndex,
  saveFovSetting,
} from './fov.js';
import { showHud, showHudCells } from './hud.js';
import { LiveSession } from './live-session.js';
import { StatsRecorder, createStats } from './page-stats.js';
import { encodePly, plyComments } from './ply.js';
import { Recorder, decodeRecording, recordingFileName } from './recording.js';
import { Replay } from './replay.js';
import { Session } from './session.js';
import { ClockSync, SenderStats, fmtBytes } from './stats.js';
import { CloudView, POINT_SIZE } from './view.js';
import { DenseCloud, VERTEX_SHADER } from './dense-view.js';

const $ = (id) => document.getElementById(id);
const pageNow = () => performance.timeOrigin + performance.now(); // epoch ms, high resolution
const offline = location.protocol === 'file:';
const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

// ---------------------------------------------------------------- state exposed for tests/debugging
const stats = createStats({ source: offline ? 'none' : 'live' });
const clock = new ClockSync(8);
const statsRecorder = new StatsRecorder(stats, { clock });
const sender = new SenderStats();
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
// Dense mode (docs/protocol.md, "Dense frames"): the whole grid as video, drawn on the GPU.
const dense = new DenseCloud(view);
api.dense = () => ({
  mode: stats.denseMode,
  frames: dense.frames,
  unpaired: dense.unpaired,
  lastTag: dense.lastTag,
  newestSeq: dense.newestSeq,
  video: [dense.video.videoWidth, dense.video.videoHeight],
  points: stats.densePoints,
  drawn: stats.densePointsDrawn,
});
/**
 * Test hook for the shaped-link probe: dense mode's counts, its ingest → display latency (the
 * source frame's ingest on the server → its video frame shown, p50/p95 of the last 200) and the
 * video bytes received so far.
 */
api.denseStats = async () => {
  let bytesReceived = 0;
  try {
    for (const r of (await live.session?.pc?.getStats())?.values() ?? [])
      if (r.type === 'inbound-rtp' && r.kind === 'video') bytesReceived += r.bytesReceived;
  } catch {
    /* no session */
  }
  const sorted = [...denseLatencies].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { ...api.dense(), bytesReceived, latencyMs: { p50: at(0.5), p95: at(0.95) } };
};
const denseLatencies = [];
/** Test hook: the dense vertex shader's source (the browser test runs it on a golden frame). */
api.denseVertexShader = VERTEX_SHADER;
/** Test hook: the dense video stops delivering frames (as a stalled track would). */
api.stopDenseVideo = () => dense.video.pause();
view.onFirstInteraction = () => $('hint').classList.add('gone');

function resize() {
  view.resize(window.innerWidth, window.innerHeight);
}

// ---------------------------------------------------------------- frame flow
let pending = null; // newest decoded frame not yet drawn
let paused = false;
let recorder = null;
let replay = null;
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
  statsRecorder.skipped(m.superseded || 0);
  if (m.type === 'bad-result') onBadResult(m.message);
  else onFrame(m.frame, { replayed: false, now });
}

function onBadResult(message) {
  if (statsRecorder.badResult() <= 3) showError(`Could not decode a results message: ${message}`, { fatal: false });
}

/** One decoded cloud, live or replayed: count it, keep it as the frame to draw next. */
function onFrame(frame, { replayed, now }) {
  frame.replayed = replayed;
  if (frame.dense) {
    // Metadata of a dense frame: its points arrive on the video track (dense-view.js).
    dense.meta(frame);
    stats.densePoints = frame.n;
    checkDenseStall();
  } else if (stats.denseMode === 'dense') setDenseMode('sparse', 'the server sends points: sparse');
  for (const w of statsRecorder.received(frame, now)) showError(`Results message: ${w}`, { fatal: false });
  $('model-note').hidden = frame.model !== 'relief' || noteDismissed;
  if (stats.phase !== 'streaming' && !replayed) {
    fetchModelFile();
    setStatus('streaming');
    live.streaming();
  }
  if (paused || frame.dense) return; // the view holds its frame; the stream and its numbers go on
  if (pending) statsRecorder.skipped();
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
  statsRecorder.redrawn(drawn, performance.now(), pageNow());
}

// The message names the preset; the model file and the engine (precision) beside it come from
// /api/stats, once per connection.
function fetchModelFile() {
  if (offline) return;
  fetch('/api/stats')
    .then((r) => (r.ok ? r.json() : null))
    .then((j) => {
      if (j && typeof j.modelFile === 'string') stats.modelFile = j.modelFile;
      if (j && typeof j.engine === 'string') stats.engine = j.engine;
    })
    .catch(() => {});
}

// ---------------------------------------------------------------- HUD
let denseCountedAt = -Infinity;

function updateHud() {
  statsRecorder.refresh(performance.now());
  // Dense mode: the points drawn (the frame read back and put through the shader's edge test on
  // the CPU) every 2 s — the shader cannot count them.
  if (stats.denseMode === 'dense' && performance.now() - denseCountedAt > 2000) {
    denseCountedAt = performance.now();
    const drawn = dense.readBack();
    if (drawn) {
      stats.densePointsDrawn = drawn.n;
      $('hud-mode').textContent = `dense · ${drawn.n} points drawn (${drawn.edgeDropped} edge cells dropped)`;
    }
  }
  showHud($, stats, { clockSynced: clock.synced });
}

function toggleHud(open = $('hud-detail').hidden) {
  $('hud-detail').hidden = !open;
  $('hud').dataset.open = String(open);
  $('hud-toggle').setAttribute('aria-expanded', String(open));
  if (open) showHudCells($, stats, { clockSynced: clock.synced });
}

async function pollWebRtcStats() {
  const pc = live.session?.pc;
  if (!pc || pc.connectionState === 'closed') return;
  try {
    statsRecorder.sent(sender.update(await pc.getStats(), performance.now()));
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
  const frame = stats.denseMode === 'dense' ? dense.readBack() : view.shown;
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
  if (stats.denseMode === 'dense') {
    // A recording holds the results socket's messages, and a dense session's carry no points.
    showError('Recording takes sparse results: switch to sparse (d) to record.', { fatal: false });
    return;
  }
  recorder = new Recorder({ maxMs: recordSeconds() * 1000 });
  recorder.timer = setTimeout(finishRecording, recordSeconds() * 1000 + 500); // also ends if frames stop coming
  const b = $('btn-record');
  b.classList.add('recording');
  b.setAttribute('aria-pressed', 'true');
  b.querySelector('.label').textContent = `Stop ${recordSeconds()} s`;
  stats.recording = true;
  live.setRecording(true); // the worker hands over each message's bytes while recording
}

function recordMessage(data, now) {
  if (!recorder.add(data, now)) finishRecording();
}

function finishRecording() {
  const r = recorder;
  if (!r) return;
  recorder = null;
  live.setRecording(false);
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
  const parts = r.encode({
    source: location.origin,
    userAgent: navigator.userAgent,
    model: stats.model,
    backend: stats.backend,
  });
  download(parts, name);
  api.lastRecording = { name, frames: r.frames.length, durationMs: r.durationMs, bytes: r.bytes };
  notify(`Saved ${name}: ${r.frames.length} frames, ${(r.durationMs / 1000).toFixed(1)} s, ${fmtBytes(r.bytes)}`);
}

// ---------------------------------------------------------------- replay
async function openRecording(file) {
  let rec;
  try {
    rec = decodeRecording(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    showError(`${file.name}: ${e.message}. Open a .dcrec file saved by this page's Rec button.`, { fatal: false });
    return;
  }
  if (recorder) finishRecording();
  live.stop();
  replay?.stop();
  replay = new Replay(file.name, rec, {
    onMessage: onReplayMessage,
    onProgress: (text) => {
      $('replay-text').textContent = text;
    },
  });
  stats.source = 'replay';
  stats.replay = { name: file.name, frames: rec.frames.length, durationMs: rec.header.durationMs };
  clearErrors();
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
async function getCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw Object.assign(
      new Error('This page needs camera access, which the browser only allows on https:// or http://localhost.'),
      { name: 'InsecureContext' },
    );
  }
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 } },
    audio: false,
  });
}

const live = new LiveSession({
  stats,
  openCamera: getCamera,
  createSession: (stream) => {
    const hfov = offerHfov(fovSetting, cameraSize(stream));
    statsRecorder.sessionStarting({ hfov, setting: fovLabel(fovSetting) });
    const session = new Session({ stream, hfov, denseChoice });
    setDenseMode('sparse');
    session.onDenseTrack = (track) => {
      dense.attach(track);
      setDenseMode('dense');
    };
    return session;
  },
  onResult: onLiveResult,
  onPong: (msg, now) => clock.onPong(msg, now),
  isRecording: () => recorder !== null,
  ui: {
    setStatus,
    showError,
    logError: (message) => {
      errors.push({ message, fatal: true, at: new Date().toISOString() });
      console.warn('[depthcast]', message);
    },
    showCamera: (stream) => {
      const video = $('preview');
      video.srcObject = stream;
      video.play().catch(() => {});
    },
    showStartButton: (show) => {
      $('start').hidden = !show;
    },
    showConn: (text, buttonLabel) => {
      $('conn-text').textContent = text;
      $('conn').hidden = false;
      $('restart').textContent = buttonLabel;
      $('restart').hidden = false;
    },
    hideConn: () => {
      $('conn').hidden = true;
      $('restart').hidden = true;
    },
    sessionStarted: (id) => {
      api.sessionId = id;
      const s = live.session;
      if (s?.dense === 'refused') setDenseMode('sparse', s.denseReason || 'the server sends no dense video');
      else if (s?.dense === 'on' && stats.denseMode !== 'dense') setDenseMode('dense', 'waiting for video');
    },
  },
});

function connect() {
  if (offline) {
    $('start').hidden = true;
    setStatus('offline viewer');
    $('hint').textContent = 'Offline viewer: drop a depthcast recording (.dcrec) here, or press Open (o)';
    return;
  }
  live.connect();
}

// ---------------------------------------------------------------- camera field of view
// The setting (src/fov.js) is remembered in localStorage and sent as `hfov` in each new session's
// offer; a change applies at once: a live session reconnects with it.
const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: the setting holds for this page only
  }
})();
let fovSetting = loadFovSetting(storage);

/** The size of the frames the camera sends (its track's settings), or undefined before it is open. */
function cameraSize(stream = live.stream) {
  const t = stream?.getVideoTracks()[0];
  const s = t?.getSettings?.();
  return s && s.width > 0 && s.height > 0 ? { width: s.width, height: s.height } : undefined;
}
api.cameraSize = () => cameraSize();

function showFovSetting() {
  const s = fovSetting;
  $('fov-label').textContent = s ? `${s.degrees}° ${s.axis === 'diagonal' ? 'diag' : 'horiz'}` : 'FOV';
  $('btn-fov').title = `Camera field of view: ${fovLabel(s)} (f)`;
}

/** The dialog's setting: null for the default, {degrees, axis} (or null when the value is not one) otherwise. */
function fovFromDialog() {
  if ($('fov-preset').value === 'default') return { setting: null, valid: true };
  const setting = parseFovSetting({ degrees: Number($('fov-degrees').value), axis: $('fov-axis').value });
  return { setting, valid: setting !== null };
}

function showFovResult() {
  const { setting, valid } = fovFromDialog();
  const isDefault = $('fov-preset').value === 'default';
  $('fov-degrees').disabled = isDefault;
  $('fov-axis').disabled = isDefault;
  const size = cameraSize();
  const { width, height } = knownSize(size);
  const frames = size ? `the camera's ${width}×${height} frames` : `${width}×${height} frames (the camera is not open)`;
  let text;
  if (isDefault) text = 'Nothing is sent: the server uses its --fov.';
  else if (!valid) text = `Enter a field of view from ${FOV_LIMITS.min}° to ${FOV_LIMITS.max}°.`;
  else if (setting.axis === 'horizontal') text = `Sends ${offerHfov(setting, size)}° horizontal.`;
  else text = `Sends ${offerHfov(setting, size)}° horizontal (${setting.degrees}° diagonal at ${frames}).`;
  $('fov-result').textContent = text;
  $('fov-result').classList.toggle('bad', !valid);
}

function fillFovDialog(setting) {
  const i = presetIndex(setting);
  $('fov-preset').value = setting ? (i >= 0 ? String(i) : 'custom') : 'default';
  // With the default chosen the value is greyed out; it shows the commonest webcam's, ready to pick.
  const shown = setting ?? FOV_PRESETS.find((p) => p.degrees === 78);
  $('fov-degrees').value = String(shown.degrees);
  $('fov-axis').value = shown.axis;
  showFovResult();
}

function buildFovDialog() {
  const select = $('fov-preset');
  const option = (value, text) => select.append(Object.assign(document.createElement('option'), { value, text }));
  option('default', "Default (server's --fov)");
  FOV_PRESETS.forEach((p, i) => option(String(i), `${p.degrees}° ${p.axis}: ${p.what}`));
  option('custom', 'Other value');
  select.addEventListener('change', () => {
    const v = select.value;
    if (v !== 'default' && v !== 'custom') {
      const p = FOV_PRESETS[Number(v)];
      $('fov-degrees').value = String(p.degrees);
      $('fov-axis').value = p.axis;
    }
    showFovResult();
    if (v === 'custom') $('fov-degrees').focus();
  });
  const edited = () => {
    const i = presetIndex(fovFromDialog().setting);
    select.value = i >= 0 ? String(i) : 'custom';
    showFovResult();
  };
  $('fov-degrees').addEventListener('input', edited);
  $('fov-axis').addEventListener('change', edited);
  $('fov-form').addEventListener('submit', (ev) => {
    if (ev.submitter?.value !== 'apply') return;
    const { setting, valid } = fovFromDialog();
    if (!valid) {
      ev.preventDefault(); // stays open, the line below the value says what is wrong
      $('fov-degrees').focus();
      return;
    }
    applyFov(setting);
  });
}

function applyFov(setting) {
  const unchanged = fovLabel(setting) === fovLabel(fovSetting);
  fovSetting = saveFovSetting(storage, setting);
  showFovSetting();
  if (unchanged && stats.phase === 'streaming') return; // the session already has it
  if (offline || stats.source !== 'live') {
    notify(`Field of view: ${fovLabel(fovSetting)}. It applies to the next live session.`);
    return;
  }
  clearErrors();
  live.retryNow();
}

function toggleFov(open = !$('fov').open) {
  const d = $('fov');
  if (open && !d.open) {
    fillFovDialog(fovSetting);
    d.showModal();
  } else if (!open && d.open) d.close();
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
      [
        '.dcrec',
        'a recording of the results stream (docs/recording.md); drop it on this page — even opened from disk, with no server — to replay it',
      ],
    ]),
  );
}

function toggleHelp(open = !$('help').open) {
  const d = $('help');
  if (open && !d.open) {
    d.showModal();
    d.scrollTop = 0;
  } else if (!open && d.open) d.close();
}

// ---------------------------------------------------------------- dense / sparse
// The user's choice is remembered ('dense' or 'sparse'); without one the server's --dense decides
// (session.js wantsDense). A change reconnects at once: the offer is where dense is asked for.
const DENSE_KEY = 'depthcast.dense';
stats.denseMode = 'sparse';
stats.denseNote = '';

function denseChoice() {
  return storage?.getItem(DENSE_KEY) ?? null;
}

/** What the page draws now and why: 'dense' or 'sparse', with a one-line note for the HUD. */
function setDenseMode(mode, note = '') {
  stats.denseMode = mode;
  stats.denseNote = note;
  dense.active = mode === 'dense';
  const b = $('btn-dense');
  b.setAttribute('aria-pressed', String(mode === 'dense'));
  b.querySelector('.label').textContent = mode === 'dense' ? 'Dense' : 'Sparse';
  $('hud-mode').textContent = note ? `${mode} — ${note}` : mode;
}

function toggleDense() {
  const next = stats.denseMode === 'dense' || live.session?.dense === 'asked' ? 'sparse' : 'dense';
  storage?.setItem(DENSE_KEY, next);
  setDenseMode(next, next === 'dense' ? 'asking the server' : '');
  if (stats.source === 'live' && live.session) connect();
}

/** A dense track that delivers no frame for 2 s while metadata comes: schema 2 for this session. */
function checkDenseStall() {
  if (stats.denseMode !== 'dense' || !dense.stalled(performance.now())) return;
  live.session?.setDense(false);
  dense.detach();
  setDenseMode('sparse', 'the dense video stalled (no frame for 2 s): sparse for this session');
}

dense.onFrame = (meta, own) => {
  stats.denseFrames = dense.frames;
  // Ingest → display (as the HUD's ingest→render): the source frame's ingest on the server's clock
  // to this video frame's arrival, when its own metadata names it.
  if (own && clock.synced && Number.isFinite(meta.ingestUs)) {
    denseLatencies.push(clock.ageMs(meta.ingestUs, pageNow()));
    if (denseLatencies.length > 200) denseLatencies.shift();
  }
};

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
  smaller: () => {
    stats.pointSize = view.setPointSize(view.pointSize / POINT_SIZE.step);
  },
  bigger: () => {
    stats.pointSize = view.setPointSize(view.pointSize * POINT_SIZE.step);
  },
  colour: () => setColourMode(COLOUR_MODES[(COLOUR_MODES.indexOf(view.colourMode) + 1) % COLOUR_MODES.length]),
  background: () => setBackground(view.background === 'dark' ? 'light' : 'dark'),
  exportPly: () => exportPly(),
  record: () => toggleRecording(),
  open: () => $('file-open').click(),
  hud: () => toggleHud(),
  fov: () => toggleFov(),
  preview: () => setPreview($('preview').hidden),
  dense: () => toggleDense(),
};
api.do = (name) => actions[name]();

window.addEventListener('keydown', (ev) => {
  const t = ev.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) return;
  // Space and Enter on a focused button or menu work that control, not the shortcut.
  if ((t instanceof HTMLButtonElement || t instanceof HTMLSelectElement) && (ev.key === ' ' || ev.key === 'Enter'))
    return;
  if (t instanceof HTMLSelectElement && ev.key.startsWith('Arrow')) return;
  const action = actionForKey(ev);
  if (!action) return;
  // A dialog is modal: only its own key (and Esc) closes it.
  const dialog = document.querySelector('dialog[open]');
  if (dialog && action !== dialog.dataset.action) return;
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
$('restart').addEventListener('click', () => live.retryNow());

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

window.addEventListener('pagehide', () => live.session?.close());
window.addEventListener('resize', resize);

// On a phone the preview would cover a good part of the cloud: it starts hidden there.
setPreview(window.innerWidth > 720);
if (window.matchMedia?.('(pointer: coarse)').matches) {
  $('hint').textContent = 'Drag to orbit · pinch to zoom · two fingers to pan · ? lists every control';
}
buildHelp();
buildFovDialog();
showFovSetting();
setBackground('dark');
resize();
requestAnimationFrame(draw);
setInterval(updateHud, 250);
setInterval(pollWebRtcStats, 1000);
connect();
