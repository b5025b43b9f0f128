// depthcast page: camera → WebRTC → server; msgpack point clouds ← WebSocket → three.js.
import {
  BufferGeometry, Color, PerspectiveCamera, Points, Scene, ShaderMaterial, WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { CloudGeometry, STAGES, decodeCloud, sourceVerticalFov } from './cloud.js';
import { ClockSync, RateMeter, SenderStats, WindowMean, fmt, fmtBytes } from './stats.js';
import { ApiError, Session } from './session.js';

const BACKGROUND = 0x0e1116;
const TARGET_Z = -1.5;
const $ = (id) => document.getElementById(id);
const pageNow = () => performance.timeOrigin + performance.now(); // epoch ms, high resolution

// ---------------------------------------------------------------- state exposed for tests/debugging
const stats = {
  phase: 'starting',
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
  timing: Object.fromEntries(STAGES.map((s) => [s, NaN])),
  dropped: NaN,
  decodeErrors: 0,
  warnings: [],
};
const errors = [];
const api = { stats, errors, sessionId: null, renderer: null, countNonBackgroundPixels: null, restart: null };
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
  while (box.children.length > 5) box.removeChild(box.firstChild);
  if (!fatal) setTimeout(() => div.remove(), 10000);
}

function clearErrors() {
  $('errors').replaceChildren();
}

function describeApiError(e) {
  if (!(e instanceof ApiError)) return e.message || String(e);
  if (e.status === 503) return `The server refused the session (503 — at capacity): ${e.reason || 'no reason given'}`;
  if (e.status === 0) return `Cannot reach the depthcast server: ${e.reason}`;
  return `Server error ${e.status} on ${e.path}: ${e.reason || '(no reason given)'}`;
}

// ---------------------------------------------------------------- three.js
let renderer;
try {
  renderer = new WebGLRenderer({ antialias: false, powerPreference: 'high-performance' });
} catch (e) {
  showError(`WebGL is not available in this browser, so the point cloud cannot be drawn (${e.message}).`);
  throw e;
}
api.renderer = renderer;
renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
renderer.setClearColor(new Color(BACKGROUND), 1);
$('view').appendChild(renderer.domElement);

const scene = new Scene();
const camera = new PerspectiveCamera(60, 1, 0.01, 100);
camera.position.set(0, 0, 0);
const controls = new OrbitControls(camera, renderer.domElement);
controls.target.set(0, 0, TARGET_Z);
controls.enableDamping = true;
controls.dampingFactor = 0.15;
controls.update();

const geometry = new BufferGeometry();
const cloud = new CloudGeometry(geometry, 32 * 1024);
// Each point is drawn as a square as wide as the gap to its grid neighbour at its own depth
// (stride/fx * depth metres), so the cloud looks solid from the source camera and stays
// correctly sized when orbiting.
const material = new ShaderMaterial({
  vertexColors: true,
  uniforms: {
    uSpacing: { value: 1 / 300 }, // stride / fx, metres of footprint per metre of depth
    uHalfHeight: { value: 300 }, // drawing-buffer height / 2, px
    uSizeMul: { value: 1.25 },
  },
  vertexShader: /* glsl */ `
    uniform float uSpacing;
    uniform float uHalfHeight;
    uniform float uSizeMul;
    varying vec3 vColor;
    void main() {
      vColor = color;
      vec4 mv = modelViewMatrix * vec4(position, 1.0);
      gl_Position = projectionMatrix * mv;
      float footprint = uSpacing * max(-position.z, 0.0);
      gl_PointSize = clamp(uSizeMul * footprint * projectionMatrix[1][1] * uHalfHeight / max(-mv.z, 1e-3), 1.0, 48.0);
    }`,
  fragmentShader: /* glsl */ `
    varying vec3 vColor;
    void main() { gl_FragColor = vec4(vColor, 1.0); }`,
});
const points = new Points(geometry, material);
points.frustumCulled = false; // the bounding sphere changes every frame
scene.add(points);

function resize() {
  const w = window.innerWidth;
  const h = window.innerHeight;
  renderer.setSize(w, h, false);
  camera.aspect = w / Math.max(h, 1);
  camera.updateProjectionMatrix();
  material.uniforms.uHalfHeight.value = renderer.domElement.height / 2;
  needsDraw = true;
}

// ---------------------------------------------------------------- frame flow
let pending = null; // newest decoded frame not yet drawn
let needsDraw = true;
let fovFromSource = false;
const recvRate = new RateMeter(2000);
const drawRate = new RateMeter(2000);
const bytesMean = new WindowMean(2000);
const pointsMean = new WindowMean(2000);
const latencyMean = new WindowMean(2000);
const serverMean = new WindowMean(2000);
const stageMeans = Object.fromEntries(STAGES.map((s) => [s, new WindowMean(2000)]));
const clock = new ClockSync(8);
const sender = new SenderStats();

function onResultMessage(data) {
  const now = performance.now();
  let frame;
  try {
    frame = decodeCloud(data);
  } catch (e) {
    stats.decodeErrors++;
    if (stats.decodeErrors <= 3) showError(`Could not decode a results message: ${e.message}`, { fatal: false });
    return;
  }
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
  stats.dropped = frame.dropped;
  if (pending) stats.skipped++;
  pending = frame;
  if (stats.frames === 1) setStatus('streaming');
}

function draw() {
  requestAnimationFrame(draw);
  if (controls.update()) needsDraw = true;
  let drawn = null;
  if (pending) {
    drawn = pending;
    pending = null;
    cloud.update(drawn);
    if (Number.isFinite(drawn.intr.fx) && drawn.intr.fx > 0) {
      material.uniforms.uSpacing.value = Math.max(drawn.stride, 1) / drawn.intr.fx;
    }
    if (!fovFromSource) {
      const vfov = sourceVerticalFov(drawn);
      if (Number.isFinite(vfov)) {
        camera.fov = Math.min(Math.max(vfov, 20), 100);
        camera.updateProjectionMatrix();
      }
      fovFromSource = true;
    }
    needsDraw = true;
  }
  if (!needsDraw) return;
  needsDraw = false;
  renderer.render(scene, camera);
  if (drawn) {
    const now = performance.now();
    stats.rendered++;
    drawRate.push(now);
    if (clock.synced && Number.isFinite(drawn.ingestUs)) latencyMean.push(now, clock.ageMs(drawn.ingestUs, pageNow()));
  }
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
  stats.clockOffsetMs = clock.offsetMs;
  stats.clockRttMs = clock.rttMs;
  for (const s of STAGES) stats.timing[s] = stageMeans[s].mean(now);

  $('hud-fps').textContent = fmt(stats.fps, 1);
  $('hud-drawn-fps').textContent = fmt(stats.drawnFps, 1);
  $('hud-frames').textContent = String(stats.frames);
  $('hud-latency').textContent = Number.isFinite(stats.latencyMs)
    ? `${fmt(stats.latencyMs, 0)} ms (max ${fmt(stats.latencyMaxMs, 0)})`
    : clock.synced ? '—' : 'waiting for clock sync';
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
  $('hud-grid').textContent = Number.isFinite(stats.w) ? `${stats.w}×${stats.h} /${stats.stride}` : '—';
  $('hud-batch').textContent = Number.isFinite(stats.batch) ? String(stats.batch) : '—';
  $('hud-backend').textContent = stats.backend || '—';
  $('hud-model').textContent = stats.model || '—';
  for (const s of STAGES) $(`hud-t-${s}`).textContent = fmt(stats.timing[s], 2);
  $('hud-dropped').textContent = Number.isFinite(stats.dropped) ? String(stats.dropped) : '—';
  $('hud-skipped').textContent = String(stats.skipped);
  $('hud-send').textContent = Number.isFinite(stats.sendWidth)
    ? `${stats.sendWidth}×${stats.sendHeight} ${fmt(stats.sendFps, 0)} fps ${fmt(stats.sendKbps, 0)} kbps ${stats.codec}`
    : '—';
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

// ---------------------------------------------------------------- test hook: non-background pixels
// Draws the current frame and reads the drawing buffer in the same task (no preserveDrawingBuffer).
api.countNonBackgroundPixels = () => {
  renderer.render(scene, camera);
  const gl = renderer.getContext();
  const w = gl.drawingBufferWidth;
  const h = gl.drawingBufferHeight;
  const px = new Uint8Array(w * h * 4);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
  const br = (BACKGROUND >> 16) & 255;
  const bg = (BACKGROUND >> 8) & 255;
  const bb = BACKGROUND & 255;
  let count = 0;
  const colours = new Set();
  for (let i = 0; i < px.length; i += 4) {
    if (Math.abs(px[i] - br) > 3 || Math.abs(px[i + 1] - bg) > 3 || Math.abs(px[i + 2] - bb) > 3) {
      count++;
      if (colours.size < 4096) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    }
  }
  return { width: w, height: h, nonBackground: count, fraction: count / (w * h), distinctColours: colours.size };
};

/** Puts the camera on the sphere around the orbit target: azimuth 0, elevation 0 = the source camera's view. */
api.setView = ({ azimuthDeg = 0, elevationDeg = 0, distance } = {}) => {
  const d = distance ?? camera.position.distanceTo(controls.target);
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (elevationDeg * Math.PI) / 180;
  const t = controls.target;
  camera.position.set(t.x + d * Math.sin(az) * Math.cos(el), t.y + d * Math.sin(el), t.z + d * Math.cos(az) * Math.cos(el));
  camera.lookAt(t);
  controls.update();
  needsDraw = true;
};

// ---------------------------------------------------------------- start / stop
let session = null;
let stream = null;

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

async function start() {
  $('start').hidden = true;
  $('restart').hidden = true;
  clearErrors();
  stats.phase = 'starting';
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
  session = new Session({ stream, now: pageNow });
  session.onStatus = (s) => {
    if (stats.phase === 'error') return; // keep a fatal error visible
    if (stats.frames === 0 || s.startsWith('WebRTC')) setStatus(stats.frames > 0 && s === 'WebRTC connected' ? 'streaming' : s);
  };
  session.onMessage = onResultMessage;
  session.onPong = (msg, now) => clock.onPong(msg, now);
  const current = session;
  session.onError = (e, fatal) => {
    showError(describeApiError(e), { fatal });
    if (fatal) {
      // No results can come any more: release the server's session now, offer to reconnect.
      current.close();
      $('restart').hidden = false;
    }
  };
  try {
    setStatus('connecting');
    await session.start();
    api.sessionId = session.id;
  } catch (e) {
    showError(describeApiError(e));
    session.close();
    $('restart').hidden = false;
  }
}

api.restart = async () => {
  session?.close();
  session = null;
  await start();
};

$('start').addEventListener('click', () => start());
$('restart').addEventListener('click', () => api.restart());
window.addEventListener('pagehide', () => session?.close());
window.addEventListener('resize', resize);

resize();
requestAnimationFrame(draw);
setInterval(updateHud, 250);
setInterval(pollWebRtcStats, 1000);
start();
