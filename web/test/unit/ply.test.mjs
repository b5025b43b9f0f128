// Unit tests for src/ply.js, read back by an independent PLY parser (@loaders.gl/ply from npm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@loaders.gl/core';
import { PLYLoader } from '@loaders.gl/ply';
import { encodePly, plyComments } from '../../src/ply.js';

function cloud(n) {
  const xyz = new Float32Array(n * 3);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    xyz.set([i * 0.01 - 1, Math.sin(i) * 0.5, -0.4 - i * 0.003], i * 3);
    rgb.set([i & 255, (i * 7) & 255, 255 - (i & 255)], i * 3);
  }
  return { n, xyz, rgb, seq: 9, model: 'relief', backend: 'cpu', w: 504, h: 378, stride: 3, range: [0.4, 4] };
}

test('binary PLY parses with @loaders.gl/ply: count, positions and colours exact', async () => {
  const f = cloud(1000);
  const bytes = encodePly(f, plyComments(f));
  const mesh = await parse(bytes.buffer, PLYLoader);
  assert.equal(mesh.header.vertexCount, 1000);
  assert.equal(mesh.loaderData.format, 'binary_little_endian');
  assert.deepEqual(Array.from(mesh.attributes.POSITION.value), Array.from(f.xyz));
  assert.deepEqual(Array.from(mesh.attributes.COLOR_0.value), Array.from(f.rgb));
  assert.ok(
    mesh.loaderData.comments.some((c) => c.includes('seq 9 model relief')),
    mesh.loaderData.comments.join('|'),
  );
});

test('file size is header + 15 bytes a point; comments cannot break the header', () => {
  const f = cloud(10);
  const bytes = encodePly(f, ['line one\nend_header\nsneaky', 'ünïcode']);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, bytes.length - 150));
  assert.equal(text.split('\n').filter((l) => l === 'end_header').length, 1);
  assert.ok(text.endsWith('end_header\n'));
  assert.ok(/^[\x0a\x20-\x7e]*$/.test(text), 'ASCII header');
});

test('an empty cloud is a valid PLY with 0 vertices', async () => {
  const bytes = encodePly({ n: 0, xyz: new Float32Array(0), rgb: new Uint8Array(0) });
  const mesh = await parse(bytes.buffer, PLYLoader);
  assert.equal(mesh.header.vertexCount, 0);
});

test('the header carries the camera: horizontal fov and intrinsics, and the stabiliser when there is one', async () => {
  const f = { ...cloud(5), intr: { fx: 436.4768, fy: 436.4768, cx: 252, cy: 189, fov: 60.000001 } };
  const mesh = await parse(encodePly(f, plyComments(f)).buffer, PLYLoader);
  const comments = mesh.loaderData.comments;
  assert.ok(
    comments.includes('camera: hfov 60 deg; fx 436.4768 fy 436.4768 cx 252 cy 189 (depth-grid pixels)'),
    comments.join('|'),
  );
  assert.ok(!comments.some((c) => c.startsWith('stabiliser')));
  const st = { ...f, stab: { scale: 1.02, shift: 0.01, resets: 1, failed: 0 } };
  assert.ok(plyComments(st).includes('stabiliser: scale 1.02 shift 0.01 resets 1 failed 0'));
  assert.ok(
    plyComments(cloud(1)).some((c) => c.startsWith('camera: hfov ? deg')),
    'unknown intrinsics: ?',
  );
});
