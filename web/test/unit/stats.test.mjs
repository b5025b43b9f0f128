// Unit tests for src/stats.js: fps window, rolling means, clock offset, WebRTC sender stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockSync, RateMeter, SenderStats, WindowMean, fmt, fmtBytes } from '../../src/stats.js';

test('RateMeter: 20 fps stream over a 2 s window', () => {
  const r = new RateMeter(2000);
  for (let i = 0; i < 100; i++) r.push(1000 + i * 50);
  const now = 1000 + 99 * 50;
  assert.ok(Math.abs(r.rate(now) - 20) < 1e-9);
  assert.ok(Math.abs(r.rate(now + 25) - 20) < 1e-9, 'steady rate between two frames');
  assert.equal(r.total, 100);
  // The window holds only the last 2 s: events at now-1950 … now (40 events).
  assert.equal(r.times.length, 40);
});

test('RateMeter: 0 with fewer than two events and after a stall', () => {
  const r = new RateMeter(2000);
  assert.equal(r.rate(0), 0);
  r.push(10);
  assert.equal(r.rate(10), 0);
  r.push(110);
  assert.equal(r.rate(110), 10, 'before a whole window has passed: (n-1)/span');
  assert.equal(r.rate(1500), 10);
  assert.equal(r.rate(2050), 0.5, 'a full window: events in it / 2 s');
  assert.equal(r.rate(2200), 0, 'events older than the window are forgotten');
});

test('WindowMean: mean and max over the window, NaN ignored', () => {
  const m = new WindowMean(1000);
  m.push(0, 10);
  m.push(500, 20);
  m.push(600, NaN);
  m.push(900, 30);
  assert.equal(m.mean(900), 20);
  assert.equal(m.max(900), 30);
  assert.equal(m.mean(1200), 25); // the sample at 0 left the window
  assert.equal(m.last, 30);
  assert.ok(Number.isNaN(m.mean(5000)));
});

test('ClockSync: offset = server - (t + rtt/2), smallest-rtt sample wins', () => {
  const c = new ClockSync(4);
  assert.equal(c.synced, false);
  assert.ok(Number.isNaN(c.offsetMs));
  // Server clock is 250 ms ahead of the page clock; one-way delay 5 ms each way.
  const s = c.onPong({ type: 'pong', t: 10000, server: (10000 + 5 + 250) * 1000 }, 10010);
  assert.equal(s.rtt, 10);
  assert.equal(s.offset, 250);
  // A slow, asymmetric sample (rtt 100) must not replace it.
  c.onPong({ type: 'pong', t: 20000, server: (20000 + 90 + 250) * 1000 }, 20100);
  assert.equal(c.offsetMs, 250);
  assert.equal(c.rttMs, 10);
  // ingest happened at server time 30000 ms; page renders at page time 29800 (= server 30050).
  assert.equal(c.ageMs(30000 * 1000, 29800), 50);
  // Older samples fall out after `keep` pongs.
  for (let i = 0; i < 4; i++) c.onPong({ t: 40000 + i, server: (40000 + i + 20 + 300) * 1000 }, 40000 + i + 40);
  assert.equal(c.rttMs, 40);
  assert.equal(c.offsetMs, 300);
});

test('ClockSync: rejects malformed pongs', () => {
  const c = new ClockSync();
  assert.equal(c.onPong({ t: 'x', server: 1 }, 5), null);
  assert.equal(c.onPong({ t: 10 }, 20), null);
  assert.equal(c.onPong({ t: 30, server: 1 }, 20), null); // negative rtt
  assert.equal(c.synced, false);
});

function report(list) {
  return new Map(list.map((s) => [s.id, s]));
}

test('SenderStats: encode time per frame from deltas, rtt/2 from the selected pair', () => {
  const s = new SenderStats();
  const base = [
    { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.004 },
    { id: 'CP2', type: 'candidate-pair', state: 'failed', currentRoundTripTime: 0.5 },
    { id: 'C1', type: 'codec', mimeType: 'video/VP8' },
  ];
  const r1 = s.update(
    report([
      ...base,
      {
        id: 'O1',
        type: 'outbound-rtp',
        kind: 'video',
        codecId: 'C1',
        framesEncoded: 20,
        totalEncodeTime: 0.1,
        bytesSent: 100000,
        framesPerSecond: 20,
        frameWidth: 640,
        frameHeight: 480,
      },
    ]),
    1000,
  );
  assert.equal(r1.encodeMs, 5); // cumulative mean on the first call
  assert.equal(r1.rttMs, 4);
  assert.equal(r1.netMs, 2);
  assert.equal(r1.encodeNetMs, 7);
  assert.equal(r1.codec, 'VP8');
  assert.equal(r1.width, 640);
  assert.ok(Number.isNaN(r1.kbps));
  const r2 = s.update(
    report([
      ...base,
      {
        id: 'O1',
        type: 'outbound-rtp',
        kind: 'video',
        codecId: 'C1',
        framesEncoded: 40,
        totalEncodeTime: 0.16,
        bytesSent: 350000,
        framesPerSecond: 20,
        frameWidth: 640,
        frameHeight: 480,
      },
    ]),
    2000,
  );
  assert.ok(Math.abs(r2.encodeMs - 3) < 1e-9); // (0.16-0.1) s / 20 frames
  assert.equal(r2.kbps, 2000); // 250000 B * 8 / 1000 ms
});

test('SenderStats: works before any frame is sent', () => {
  const r = new SenderStats().update(report([]), 0);
  assert.ok(Number.isNaN(r.encodeNetMs));
});

test('formatting helpers', () => {
  assert.equal(fmt(NaN), '—');
  assert.equal(fmt(1.234, 2), '1.23');
  assert.equal(fmtBytes(318000), '318.0 kB');
  assert.equal(fmtBytes(1500000), '1.50 MB');
  assert.equal(fmtBytes(12), '12 B');
});
