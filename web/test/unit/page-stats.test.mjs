// Unit tests for src/page-stats.js: the stats object written from the frame flow, on made-up clocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAGES } from '../../src/cloud.js';
import { StatsRecorder, createStats } from '../../src/page-stats.js';
import { ClockSync } from '../../src/stats.js';

/** A decoded cloud as src/cloud.js gives it, with only what the stats read. */
function frame(over = {}) {
  return {
    warnings: [],
    bytes: 1000,
    n: 500,
    sentUs: 5_000_000,
    ingestUs: 4_990_000,
    timing: Object.fromEntries(STAGES.map((s, i) => [s, i + 1])),
    batch: 2,
    backend: 'cpu',
    model: 'relief',
    w: 640,
    h: 480,
    stride: 4,
    seq: 7,
    level: 0,
    decodeMs: 1.5,
    dropped: 3,
    replayed: false,
    ...over,
  };
}

test('a fresh page has counted nothing and knows no numbers yet', () => {
  const s = createStats({ source: 'none' });
  assert.equal(s.source, 'none');
  assert.equal(s.phase, 'starting');
  assert.equal(s.frames + s.rendered + s.redraws + s.skipped + s.reconnects + s.decodeErrors, 0);
  assert.ok(Number.isNaN(s.latencyMs) && Number.isNaN(s.bytes));
  assert.deepEqual(Object.keys(s.timing), STAGES);
});

test('received clouds set the last-frame fields and, refreshed, the 2 s means and rate', () => {
  const stats = createStats();
  const r = new StatsRecorder(stats);
  for (let i = 0; i < 21; i++) r.received(frame({ bytes: i % 2 ? 2000 : 1000, n: 400 + i, seq: i }), 1000 + i * 50);
  r.refresh(2000);
  assert.equal(stats.frames, 21);
  assert.equal(stats.totalBytes, 11 * 1000 + 10 * 2000);
  assert.equal(stats.seq, 20);
  assert.equal(stats.points, 420);
  assert.equal(stats.lastBytes, 1000);
  assert.ok(Math.abs(stats.fps - 20) < 1e-9, `fps ${stats.fps}`);
  assert.ok(Math.abs(stats.bytes - 31000 / 21) < 1e-9);
  assert.equal(stats.serverMs, 10);
  assert.equal(stats.timing.inference, 4);
  assert.equal(stats.decodeMs, 1.5);
  assert.equal(stats.dropped, 3);
  r.refresh(5000); // nothing for 3 s: the windows are empty again
  assert.equal(stats.fps, 0);
  assert.ok(Number.isNaN(stats.bytes));
  assert.equal(stats.frames, 21, 'counts are totals, not windowed');
});

test('a warning is handed back the first time only', () => {
  const stats = createStats();
  const r = new StatsRecorder(stats);
  assert.deepEqual(r.received(frame({ warnings: ['odd level'] }), 0), ['odd level']);
  assert.deepEqual(r.received(frame({ warnings: ['odd level', 'new one'] }), 10), ['new one']);
  assert.deepEqual(stats.warnings, ['odd level', 'new one']);
});

test('redraws count every drawing; rendered and latency only a newly shown cloud, latency once the clock is synced', () => {
  const stats = createStats();
  const clock = new ClockSync();
  const r = new StatsRecorder(stats, { clock });
  r.redrawn(null, 100, 1_000_000); // the sway
  r.redrawn(frame(), 110, 1_000_000); // no clock sync yet: no latency
  assert.deepEqual([stats.redraws, stats.rendered], [2, 1]);
  // Server clock 1 s ahead of the page (rtt 0): a cloud ingested at server 5.0 s drawn at page 4.1 s is 100 ms old.
  clock.onPong({ t: 500, server: 1_500_000 }, 500);
  r.redrawn(frame({ ingestUs: 5_000_000 }), 120, 4100);
  r.redrawn(frame({ ingestUs: 5_000_000, replayed: true }), 130, 9000); // a replay has no latency
  r.refresh(130);
  assert.equal(stats.rendered, 3);
  assert.equal(stats.latencyMs, 100);
  assert.equal(stats.clockOffsetMs, 1000);
  assert.equal(stats.clockRttMs, 0);
});

test('skipped and undecodable messages are counted', () => {
  const stats = createStats();
  const r = new StatsRecorder(stats);
  r.skipped(3);
  r.skipped();
  assert.equal(stats.skipped, 4);
  assert.equal(r.badResult(), 1);
  assert.equal(r.badResult(), 2);
  assert.equal(stats.decodeErrors, 2);
});

test("the sender's WebRTC numbers are copied as measured", () => {
  const stats = createStats();
  new StatsRecorder(stats).sent({
    encodeMs: 3,
    netMs: 1,
    encodeNetMs: 4,
    fps: 30,
    width: 640,
    height: 480,
    kbps: 900,
    codec: 'VP8',
  });
  assert.deepEqual(
    [
      stats.encodeMs,
      stats.netMs,
      stats.encodeNetMs,
      stats.sendFps,
      stats.sendWidth,
      stats.sendHeight,
      stats.sendKbps,
      stats.codec,
    ],
    [3, 1, 4, 30, 640, 480, 900, 'VP8'],
  );
});

test('the field of view in use is the last frame’s intr.fov; a new session asks afresh and knows none until its first frame', () => {
  const stats = createStats();
  const r = new StatsRecorder(stats);
  assert.ok(Number.isNaN(stats.fov) && Number.isNaN(stats.fovAsked));
  r.sessionStarting({ hfov: 65.87, setting: '78° diagonal' });
  assert.deepEqual([stats.fovAsked, stats.fovSetting], [65.87, '78° diagonal']);
  r.received(frame({ intr: { fov: 65.87 } }), 0);
  assert.equal(stats.fov, 65.87);
  r.sessionStarting({ hfov: undefined, setting: 'server default' });
  assert.ok(Number.isNaN(stats.fov), 'the old session’s fov is not the new one’s');
  assert.ok(Number.isNaN(stats.fovAsked), 'nothing asked: the server’s --fov');
  r.received(frame({ intr: { fov: 60 } }), 10);
  assert.equal(stats.fov, 60);
});

test("the stabiliser's state follows the last frame: present, then gone when a frame has none", () => {
  const stats = createStats();
  const r = new StatsRecorder(stats);
  assert.equal(stats.stab, null);
  const stab = { scale: 1.1, shift: 0.02, resets: 1, failed: 0 };
  r.received(frame({ stab, timing: { ...frame().timing, stabilize: 0.5 } }), 0);
  r.refresh(0);
  assert.deepEqual(stats.stab, stab);
  assert.equal(stats.timing.stabilize, 0.5);
  r.received(frame({ stab: null }), 10);
  assert.equal(stats.stab, null);
});
