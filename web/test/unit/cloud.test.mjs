// Unit tests for src/cloud.js: msgpack message → Float32Array / colours → one reused geometry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { BufferGeometry } from 'three';
import { CloudGeometry, decodeCloud, float32View, sourceVerticalFov } from '../../src/cloud.js';

function makeMessage(n, { seed = 1, extra = {} } = {}) {
  const xyz = new Float32Array(n * 3);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    xyz[i * 3] = (i % 7) * 0.01 * seed;
    xyz[i * 3 + 1] = -(i % 5) * 0.02;
    xyz[i * 3 + 2] = -0.4 - i * 0.001;
    rgb[i * 3] = i & 255;
    rgb[i * 3 + 1] = (i * 3) & 255;
    rgb[i * 3 + 2] = 255 - (i & 255);
  }
  const msg = {
    v: 1,
    seq: 42,
    ts: 123456789,
    ingestUs: 1732540000123456,
    sentUs: 1732540000150000,
    w: 504,
    h: 378,
    stride: 4,
    n,
    xyz: new Uint8Array(xyz.buffer),
    rgb,
    intr: { fx: 436.5, fy: 436.5, cx: 252, cy: 189, fov: 60.0 },
    range: [0.4, 4.0],
    timing: { ingest: 0.5, queue: 1.25, preprocess: 3, inference: 20.5, unproject: 1.5, encode: 0.75 },
    batch: 2,
    dropped: 3,
    model: 'relief',
    backend: 'simulated',
    ...extra,
  };
  return { bytes: encode(msg), xyz, rgb, msg };
}

test('decodes every schema field', () => {
  const { bytes, xyz, rgb } = makeMessage(100);
  const f = decodeCloud(bytes);
  assert.equal(f.v, 1);
  assert.equal(f.seq, 42);
  assert.equal(f.ts, 123456789);
  assert.equal(f.ingestUs, 1732540000123456); // µs epoch survives exactly (< 2^53)
  assert.equal(f.sentUs, 1732540000150000);
  assert.deepEqual([f.w, f.h, f.stride, f.n], [504, 378, 4, 100]);
  assert.ok(f.xyz instanceof Float32Array);
  assert.equal(f.xyz.length, 300);
  assert.deepEqual(Array.from(f.xyz), Array.from(xyz));
  assert.ok(f.rgb instanceof Uint8Array);
  assert.deepEqual(Array.from(f.rgb), Array.from(rgb));
  assert.deepEqual(f.intr, { fx: 436.5, fy: 436.5, cx: 252, cy: 189, fov: 60 });
  assert.deepEqual(f.range, [0.4, 4.0]);
  assert.equal(f.timing.inference, 20.5);
  assert.equal(f.timing.queue, 1.25);
  assert.equal(f.batch, 2);
  assert.equal(f.dropped, 3);
  assert.equal(f.model, 'relief');
  assert.equal(f.backend, 'simulated');
  assert.equal(f.bytes, bytes.byteLength);
  assert.deepEqual(f.warnings, []);
});

test('accepts an ArrayBuffer (what a WebSocket with binaryType arraybuffer delivers)', () => {
  const { bytes, xyz } = makeMessage(10);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const f = decodeCloud(ab);
  assert.deepEqual(Array.from(f.xyz), Array.from(xyz));
});

test('xyz is a zero-copy view when 4-aligned and a copy otherwise', () => {
  const src = new Float32Array([1.5, -2.25, 3.125, 4]);
  const raw = new Uint8Array(src.buffer);
  const aligned = new Uint8Array(64);
  aligned.set(raw, 8);
  const v1 = float32View(aligned.subarray(8, 24), 4);
  assert.equal(v1.buffer, aligned.buffer);
  assert.deepEqual(Array.from(v1), [1.5, -2.25, 3.125, 4]);
  const odd = new Uint8Array(64);
  odd.set(raw, 5);
  const v2 = float32View(odd.subarray(5, 21), 4);
  assert.notEqual(v2.buffer, odd.buffer);
  assert.deepEqual(Array.from(v2), [1.5, -2.25, 3.125, 4]);

  // Scan messages whose bin payload lands at every alignment inside the msgpack buffer.
  let sawUnaligned = false;
  for (let pad = 0; pad < 4; pad++) {
    const { bytes, xyz } = makeMessage(33, { extra: { model: 'm'.repeat(pad + 1) } });
    const f = decodeCloud(bytes);
    assert.deepEqual(Array.from(f.xyz), Array.from(xyz));
    const m = /** @type {any} */ (f);
    if (m.xyz.buffer !== bytes.buffer) sawUnaligned = true;
  }
  assert.ok(sawUnaligned, 'expected at least one unaligned layout among the paddings');
});

test('n = 0 gives empty arrays', () => {
  const f = decodeCloud(makeMessage(0).bytes);
  assert.equal(f.n, 0);
  assert.equal(f.xyz.length, 0);
  assert.equal(f.rgb.length, 0);
});

test('n larger than the payload is clamped and warned about', () => {
  const { msg } = makeMessage(10);
  const f = decodeCloud(encode({ ...msg, n: 50 }));
  assert.equal(f.n, 10);
  assert.equal(f.warnings.length, 1);
});

test('an unknown schema version is decoded as schema 1 but warned about', () => {
  const { msg } = makeMessage(3);
  const f = decodeCloud(encode({ ...msg, v: 3 }));
  assert.equal(f.n, 3);
  assert.match(f.warnings[0], /schema version 3/);
});

test('a schema-2 message without its planes is rejected, not drawn empty', () => {
  const { msg } = makeMessage(3);
  assert.throws(() => decodeCloud(encode({ ...msg, v: 2 })), /schema 2/);
});

test('rejects a non-map message', () => {
  assert.throws(() => decodeCloud(encode([1, 2, 3])), /not a msgpack map/);
});

test('CloudGeometry reuses its attributes and grows only when needed', () => {
  const g = new BufferGeometry();
  const c = new CloudGeometry(g, 200);
  const pos0 = g.getAttribute('position');
  const col0 = g.getAttribute('color');
  assert.equal(pos0.array.length, 600);
  assert.equal(col0.normalized, true);
  assert.ok(col0.array instanceof Uint8Array);

  const a = decodeCloud(makeMessage(150).bytes);
  assert.equal(c.update(a), false);
  assert.equal(g.getAttribute('position'), pos0, 'same attribute object after an update that fits');
  assert.equal(g.drawRange.count, 150);
  assert.deepEqual(Array.from(pos0.array.subarray(0, 450)), Array.from(a.xyz));
  assert.deepEqual(Array.from(col0.array.subarray(0, 450)), Array.from(a.rgb));
  assert.deepEqual(pos0.updateRanges, [{ start: 0, count: 450 }]);
  const v0 = pos0.version;

  const b = decodeCloud(makeMessage(120, { seed: 2 }).bytes);
  c.update(b);
  assert.equal(g.getAttribute('position'), pos0);
  assert.equal(pos0.version, v0 + 1);
  assert.equal(g.drawRange.count, 120);
  assert.deepEqual(Array.from(pos0.array.subarray(0, 360)), Array.from(b.xyz));

  const big = decodeCloud(makeMessage(250).bytes);
  let disposed = 0;
  g.addEventListener('dispose', () => disposed++);
  assert.equal(c.update(big), true);
  assert.equal(disposed, 1, 'old GPU buffers released on growth');
  const pos1 = g.getAttribute('position');
  assert.notEqual(pos1, pos0);
  assert.ok(pos1.array.length >= 750);
  assert.equal(c.capacity, 1024); // max(n, 1.5 × old, 1024)
  assert.equal(g.drawRange.count, 250);
  assert.deepEqual(Array.from(pos1.array.subarray(0, 750)), Array.from(big.xyz));
  assert.equal(c.reallocations, 1);

  c.update(decodeCloud(makeMessage(0).bytes));
  assert.equal(g.drawRange.count, 0);
});

test('source vertical fov from intrinsics', () => {
  const f = decodeCloud(makeMessage(1).bytes);
  const expected = (2 * Math.atan(189 / 436.5) * 180) / Math.PI;
  assert.ok(Math.abs(sourceVerticalFov(f) - expected) < 1e-9);
});

test("the depth stabiliser's state and stage time are read when the message has them, and absent otherwise", () => {
  const { msg } = makeMessage(3);
  const plain = decodeCloud(encode(msg));
  assert.equal(plain.stab, null, 'an older server, or the stabiliser off');
  assert.ok(!('stabilize' in plain.timing));
  const f = decodeCloud(
    encode({
      ...msg,
      stab: { scale: 1.25, shift: -0.03, resets: 2, failed: 1 },
      timing: { ...msg.timing, stabilize: 0.4 },
    }),
  );
  assert.deepEqual(f.stab, { scale: 1.25, shift: -0.03, resets: 2, failed: 1 });
  assert.equal(f.timing.stabilize, 0.4);
  assert.equal(decodeCloud(encode({ ...msg, stab: 'on' })).stab, null, 'not a map: ignored');
});
