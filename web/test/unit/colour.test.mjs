// Unit tests for src/colour.js: the colour maps' known ends and the per-point mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourRange, colourize, turbo, viridis } from '../../src/colour.js';

const to255 = (c) => c.map((v) => Math.round(v * 255));
const near = (a, b, tol, what) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `${what}: ${a} vs ${b}`));

test('turbo and viridis match their published end colours', () => {
  // Turbo: #30123b dark blue at 0, #7a0403 dark red at 1; viridis: #440154 at 0, #fde725 at 1.
  // Turbo's published table: entry 0 #30123b, 100 and 200 in between, 255 #7a0403.
  near(to255(turbo(0)), [48, 18, 59], 1, 'turbo(0)');
  near(to255(turbo(100 / 255)), [63, 246, 138], 7, 'turbo(100/255)');
  near(to255(turbo(200 / 255)), [244, 102, 23], 7, 'turbo(200/255)');
  near(to255(turbo(1)), [122, 4, 3], 1, 'turbo(1)');
  near(to255(viridis(0)), [68, 1, 84], 4, 'viridis(0)');
  near(to255(viridis(1)), [253, 231, 37], 4, 'viridis(1)');
  near(to255(turbo(-3)), to255(turbo(0)), 0, 'clamped below');
});

function frame(points, range = [0.4, 4]) {
  const n = points.length;
  const xyz = new Float32Array(points.flat());
  const rgb = new Uint8Array(n * 3).fill(7);
  return { n, xyz, rgb, range };
}

test('rgb mode draws the camera colours themselves', () => {
  const f = frame([[0, 0, -1]]);
  assert.equal(colourize(f, 'rgb'), f.rgb);
});

test('depth mode: nearest = red end of turbo, farthest = blue end, over the message range', () => {
  const f = frame([
    [0, 0, -0.4],
    [0, 0, -4],
    [0, 0, -2.2],
  ]);
  const c = colourize(f, 'depth');
  assert.equal(c.length, 9);
  near([...c.subarray(0, 3)], to255(turbo(1)), 1, 'near');
  near([...c.subarray(3, 6)], to255(turbo(0)), 1, 'far');
  near([...c.subarray(6, 9)], to255(turbo(0.5)), 2, 'middle');
  assert.deepEqual(colourRange(f, 'depth'), [0.4, 4]);
});

test("height mode spans the frame's own y range, low = viridis start", () => {
  const f = frame([
    [0, -1, -1],
    [0, 2, -1],
  ]);
  assert.deepEqual(colourRange(f, 'height'), [-1, 2]);
  const c = colourize(f, 'height');
  near([...c.subarray(0, 3)], to255(viridis(0)), 1, 'low');
  near([...c.subarray(3, 6)], to255(viridis(1)), 1, 'high');
});

test('the output buffer is reused when large enough', () => {
  const f = frame([
    [0, 0, -1],
    [0, 1, -2],
  ]);
  const buf = new Uint8Array(30);
  const c = colourize(f, 'height', buf);
  assert.equal(c.buffer, buf.buffer);
  assert.equal(c.length, 6);
});
