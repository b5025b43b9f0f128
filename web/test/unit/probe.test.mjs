// Unit tests for the measuring browser's arithmetic (test/net/probe.mjs): windows and recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recoveryMs, summarize } from '../net/probe.mjs';

// 30 results/s for 10 s; latency 50 ms, except 400 ms between 4.0 and 5.5 s.
const arrivals = [];
for (let i = 0; i < 300; i++) {
  const t = 1000 + i * (1000 / 30);
  const latency = t >= 5000 && t < 6500 ? 400 : 50;
  arrivals.push({ t, bytes: 1000 + (i % 3), ingestUs: (t - latency) * 1000 });
}

test('summarize: rate, latency quantiles and median bytes of a window', () => {
  const s = summarize(arrivals, 1000, 4000);
  assert.equal(s.results, 90);
  assert.equal(s.resultsPerSec, 30);
  assert.ok(Math.abs(s.p50Ms - 50) < 1e-6 && Math.abs(s.p95Ms - 50) < 1e-6);
  assert.equal(s.medianBytes, 1001);
  assert.ok(Math.abs(summarize(arrivals, 5000, 6500).p95Ms - 400) < 1e-6);
});

test('recoveryMs: from the step until every trailing 1 s window stays under the limit', () => {
  // Step at 4.5 s; the last slow result arrives just before 6.5 s, so windows ending after ~7.5 s are clean.
  const r = recoveryMs(arrivals, 4500, 11000, 200);
  assert.ok(r >= 2900 && r <= 3100, `recovered after ${r} ms`);
  // Never settles when the limit is below the steady latency; a gap without results counts as over.
  assert.equal(recoveryMs(arrivals, 4500, 11000, 40), null);
  assert.equal(recoveryMs(arrivals, 4500, 13000, 200), null, 'no results after 11 s');
});
