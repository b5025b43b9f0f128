// The page's schema-2 decoder against the golden messages in docs/wire-golden/ — the same files
// scripts/client's WireGoldenTest holds the Java decoder to (see there for what each one is).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode, encode } from '@msgpack/msgpack';
import { deflateSync } from 'fflate';
import { decodeCloud } from '../../src/cloud.js';
import { decodeGrid } from '../../src/wire-v2.js';

const golden = (name) => new Uint8Array(readFileSync(new URL(`../../../docs/wire-golden/${name}`, import.meta.url)));

function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

for (const name of ['small', 'small.chroma2'])
  test(`the ${name} golden message decodes to the points the Java decoder gives`, () => {
    const got = decodeCloud(golden(`${name}.v2.msgpack`));
    const want = decodeCloud(golden(`${name}.v1.msgpack`));
    const source = decodeCloud(golden(`${name}.source.v1.msgpack`));
    assert.equal(got.v, 2);
    assert.deepEqual(got.warnings, []);
    assert.equal(got.level, 1);
    assert.equal(got.n, want.n);
    assert.equal(got.n, source.n);
    assert.deepEqual(Array.from(got.rgb), Array.from(want.rgb), 'colours bit-exact');
    for (let i = 0; i < got.n * 3; i++) {
      assert.ok(Math.abs(got.xyz[i] - want.xyz[i]) <= 1e-6 * Math.max(1, Math.abs(want.xyz[i])), `xyz[${i}]`);
      const depth = -source.xyz[Math.floor(i / 3) * 3 + 2];
      assert.ok(Math.abs(got.xyz[i] - source.xyz[i]) <= Math.max(1e-3, 1e-3 * depth), `xyz[${i}] vs schema 1`);
    }
    assert.equal(got.seq, 7);
    assert.equal(got.model, 'relief');
    assert.ok(got.decodeMs >= 0);
  });

test('the scene golden message (20k points, relief model) decodes to its summary', () => {
  const bytes = golden('scene.v2.msgpack');
  const want = JSON.parse(
    readFileSync(new URL('../../../docs/wire-golden/scene.expected.json', import.meta.url), 'utf8'),
  );
  const t0 = performance.now();
  const got = decodeCloud(bytes);
  const ms = performance.now() - t0;
  assert.equal(got.n, want.n);
  assert.equal(got.stride, want.stride);
  assert.equal(fnv1a(got.rgb), want.rgbFnv1a, 'colours bit-exact with the Java decoder');
  const sum = [0, 0, 0];
  for (let p = 0; p < got.n; p++) for (let c = 0; c < 3; c++) sum[c] += got.xyz[p * 3 + c];
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(sum[c] - want.xyzSum[c]) <= 1e-6 * Math.max(1, Math.abs(want.xyzSum[c])), `xyz sum ${c}`);
    assert.ok(Math.abs(got.xyz[c] - want.firstXyz[c]) <= 1e-6, `first point ${c}`);
    assert.ok(Math.abs(got.xyz[(got.n - 1) * 3 + c] - want.lastXyz[c]) <= 1e-6, `last point ${c}`);
  }
  assert.deepEqual(Array.from(got.rgb.subarray(0, 3)), want.firstRgb);
  console.log(`scene: ${bytes.length} B, ${got.n} points, decoded in ${ms.toFixed(2)} ms (first call, cold)`);
});

test('a truncated or inconsistent schema-2 message is rejected', () => {
  const m = decode(golden('small.v2.msgpack'));
  assert.throws(() => decodeCloud(encode({ ...m, depth: m.depth.subarray(0, 5) })), /schema 2/);
  assert.throws(() => decodeCloud(encode({ ...m, n: m.n + 1 })), /holds \d+ points, n says/);
  assert.throws(
    () => decodeCloud(encode({ ...m, luma: deflateSync(new Uint8Array([1, 2, 3]), { level: 1 }) })),
    /ends early/,
  );
  assert.throws(() => decodeCloud(encode({ ...m, cq: [4, 4] })), /cq/);
});

test('grid coding: residuals are zigzag varints added to the median-edge prediction', () => {
  // 3x2 grid, all present: values 5, 6, 8 / 4, 300, -2.
  // predictions: 0, 5, 6 / 5 (above), MED(a=4,b=6,c=5)=4+6-5=5, MED(a=300,b=8,c=6)=300 (c<=min → max)
  // residuals: 5, 1, 2 / -1, 295, -302 → zigzag 10, 2, 4, 1, 590, 603
  const stream = new Uint8Array([10, 2, 4, 1, 0xce, 0x04, 0xdb, 0x04]);
  const g = new Int32Array(6);
  const used = decodeGrid(g, new Uint8Array([1, 1, 1, 1, 1, 1]), 3, 2, stream, 0, 'test');
  assert.equal(used, stream.length);
  assert.deepEqual(Array.from(g), [5, 6, 8, 4, 300, -2]);
  // An absent cell takes its prediction and reads nothing.
  const h = new Int32Array(3);
  assert.equal(decodeGrid(h, new Uint8Array([1, 0, 1]), 3, 1, new Uint8Array([10, 4]), 0, 'test'), 2);
  assert.deepEqual(Array.from(h), [5, 5, 7]);
});
