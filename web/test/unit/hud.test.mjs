// Unit tests for src/hud.js: the HUD's text from a stats object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAGES } from '../../src/cloud.js';
import { hudCells, hudSummary, showHud } from '../../src/hud.js';
import { createStats } from '../../src/page-stats.js';

function streamingStats() {
  return Object.assign(createStats(), {
    fps: 24.04,
    drawnFps: 20,
    frames: 300,
    latencyMs: 61.4,
    latencyMaxMs: 90.2,
    serverMs: 30.25,
    bytes: 41234,
    points: 12000,
    meanPoints: 11800.4,
    w: 640,
    h: 480,
    stride: 4,
    level: 0,
    decodeMs: 2.25,
    batch: 2,
    backend: 'cpu',
    model: 'relief',
    modelFile: 'relief.onnx',
    engine: 'int8 (static-qdq) engine relief_168x224_cpu-int8.onnx',
    dropped: 0,
    skipped: 5,
    clockOffsetMs: -12.34,
    clockRttMs: 0.8,
    encodeMs: 3.1,
    netMs: 0.4,
    encodeNetMs: 3.5,
    sendWidth: 640,
    sendHeight: 480,
    sendFps: 30,
    sendKbps: 812.6,
    codec: 'VP8',
    timing: Object.fromEntries(STAGES.map((s) => [s, 1.234])),
  });
}

test('the summary line: fps, latency once known, bytes a frame', () => {
  const s = streamingStats();
  assert.equal(hudSummary(s), '24.0 fps · 61 ms · 41.2 kB');
  assert.equal(hudSummary(createStats()), '0.0 fps · —');
});

test('a streaming page fills every cell', () => {
  const c = hudCells(streamingStats(), { clockSynced: true });
  assert.equal(c['hud-fps'], '24.0');
  assert.equal(c['hud-frames'], '300');
  assert.equal(c['hud-latency'], '61 ms (max 90)');
  assert.equal(c['hud-server-ms'], '30.3 ms');
  assert.equal(c['hud-encnet'], '≈3.5 ms (enc 3.1 + rtt/2 0.4)');
  assert.equal(c['hud-clock'], '-12.3 ms ±0.4');
  assert.equal(c['hud-points'], '12000 (mean 11800)');
  assert.equal(c['hud-grid'], '640×480 /4 · level 0 · decode 2.3 ms');
  assert.equal(c['hud-model'], 'relief · relief.onnx');
  assert.equal(c['hud-engine'], 'int8 (static-qdq) engine relief_168x224_cpu-int8.onnx');
  assert.equal(c['hud-t-inference'], '1.23');
  assert.equal(c['hud-dropped'], '0');
  assert.equal(c['hud-skipped'], '5');
  assert.equal(c['hud-send'], '640×480 30 fps 813 kbps VP8');
  assert.ok(Object.values(c).every((t) => typeof t === 'string' && t.length > 0));
});

test('a coarser level says the link limits it', () => {
  assert.match(
    hudCells({ ...streamingStats(), level: 2 }, { clockSynced: true })['hud-grid'],
    /level 2 \(link-limited\)/,
  );
});

test('before clock sync the latency waits for it; a replay has none and no server model file', () => {
  const fresh = hudCells(createStats(), { clockSynced: false });
  assert.equal(fresh['hud-latency'], 'waiting for clock sync');
  assert.equal(fresh['hud-clock'], '—');
  assert.equal(fresh['hud-grid'], '—');
  assert.equal(fresh['hud-model'], '—');
  assert.equal(fresh['hud-engine'], '—');
  assert.equal(fresh['hud-encnet'], '—');
  assert.equal(hudCells(createStats(), { clockSynced: true })['hud-latency'], '—');
  const replay = { ...streamingStats(), source: 'replay', latencyMs: NaN };
  const c = hudCells(replay, { clockSynced: false });
  assert.equal(c['hud-latency'], '— (replay)');
  assert.equal(c['hud-model'], 'relief');
  assert.equal(c['hud-engine'], '—');
});

test('encode time without a round trip yet is shown alone', () => {
  const c = hudCells({ ...streamingStats(), encodeNetMs: NaN, netMs: NaN }, { clockSynced: true });
  assert.equal(c['hud-encnet'], 'enc 3.1 ms, net —');
});

test('showHud writes the summary and every cell into the elements by id', () => {
  const els = new Map();
  const byId = (id) => {
    if (!els.has(id)) els.set(id, { textContent: '' });
    return els.get(id);
  };
  const s = streamingStats();
  showHud(byId, s, { clockSynced: true });
  assert.equal(els.get('hud-summary').textContent, hudSummary(s));
  for (const [id, text] of Object.entries(hudCells(s, { clockSynced: true })))
    assert.equal(els.get(id).textContent, text, id);
});

test('the field of view in use says where it came from: the setting, the server’s --fov, a recording', () => {
  const s = { ...streamingStats(), fov: 65.87, fovAsked: 65.87, fovSetting: '78° diagonal' };
  assert.equal(hudCells(s, { clockSynced: true })['hud-fov'], '65.9° · set 78° diagonal');
  const byServer = { ...s, fov: 60, fovAsked: NaN, fovSetting: 'server default' };
  assert.equal(hudCells(byServer, { clockSynced: true })['hud-fov'], "60.0° · server's --fov");
  const replay = { ...s, source: 'replay', fov: 70.4 };
  assert.equal(hudCells(replay, { clockSynced: true })['hud-fov'], '70.4° · recorded');
  // A server without per-session fields of view unprojects with its own: the HUD does not pretend.
  const ignored = { ...s, fov: 60 };
  assert.equal(hudCells(ignored, { clockSynced: true })['hud-fov'], '60.0° · asked 65.9°, not applied');
  assert.equal(hudCells(createStats(), { clockSynced: true })['hud-fov'], '—', 'no frame yet');
});

test("the stabiliser's line and stage time when the message has them; dashes when it has none", () => {
  const on = {
    ...streamingStats(),
    stab: { scale: 1.0234, shift: -0.0125, resets: 2, failed: 1 },
    timing: { ...streamingStats().timing, stabilize: 0.456 },
  };
  const c = hudCells(on, { clockSynced: true });
  assert.equal(c['hud-stab'], 'scale 1.023 · shift -0.013');
  assert.equal(c['hud-stab-count'], 'resets 2 · failed 1');
  assert.equal(c['hud-t-stabilize'], '0.46');
  const off = { ...streamingStats(), stab: null, timing: { ...streamingStats().timing, stabilize: NaN } };
  const d = hudCells(off, { clockSynced: true });
  assert.equal(d['hud-stab'], '—');
  assert.equal(d['hud-stab-count'], '—');
  assert.equal(d['hud-t-stabilize'], '—');
  assert.equal(hudCells(createStats(), { clockSynced: true })['hud-stab'], '—');
});
