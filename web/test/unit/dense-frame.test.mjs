// The page's dense-frame unpacker against the golden frames of docs/wire-golden (dense.*.i420 and
// their expected.json), which the server's DenseFrameTest writes and holds its packer to: the
// same depths, tags and unprojection in JavaScript, also read the way a browser hands the frame to
// WebGL (as limited-range RGB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  depthFromLuma,
  depthGrid,
  lumaFromRgb,
  readTag,
  rgbFromYuv,
  seqOfTag,
  unprojectCell,
  CODE,
} from '../../src/dense-frame.js';

const golden = (name) => readFileSync(new URL(`../../../docs/wire-golden/${name}`, import.meta.url));

for (const name of ['small.chroma2', 'scene']) {
  const want = JSON.parse(golden(`dense.${name}.expected.json`));
  const planes = new Uint8Array(golden(`dense.${name}.i420`));
  const { fw, fh } = want.layout;
  const luma = planes.subarray(0, fw * fh);
  const u = planes.subarray(fw * fh, fw * fh + (fw / 2) * (fh / 2));
  const v = planes.subarray(fw * fh + (fw / 2) * (fh / 2));

  test(`the ${name} golden frame unpacks to the depths and tag the Java reader gives`, () => {
    assert.equal(planes.length, fw * fh * 1.5);
    const [near, far] = want.range;
    const z = depthGrid(want.layout, luma, fw, near, far);
    assert.equal(z.length, want.depth.length);
    let points = 0;
    for (let c = 0; c < z.length; c++) {
      if (want.depth[c] === null) assert.ok(Number.isNaN(z[c]), `cell ${c} is empty`);
      else {
        points++;
        assert.ok(Math.abs(z[c] - want.depth[c]) <= 1e-6 * want.depth[c], `cell ${c}: ${z[c]} vs ${want.depth[c]}`);
      }
    }
    assert.equal(points, want.points);
    assert.equal(
      readTag((x, y) => luma[y * fw + x], fw, want.layout.ty),
      want.tag,
    );
    assert.equal(want.tag, want.seq & 0xffff);
  });

  test(`the ${name} golden frame read as a browser's RGB gives the same depths`, () => {
    const [near, far] = want.range;
    const { gw, gh, dx } = want.layout;
    for (let j = 0; j < gh; j++)
      for (let i = 0; i < gw; i++) {
        const x = dx + i;
        const c = (j >> 1) * (fw / 2) + (x >> 1);
        const rgb = rgbFromYuv(luma[j * fw + x], u[c], v[c]).map((k) => Math.min(1, Math.max(0, k)));
        const back = lumaFromRgb(...rgb);
        const expect = want.depth[j * gw + i];
        if (expect === null) assert.ok(back < CODE.VALID_FROM);
        else {
          assert.ok(Math.abs(back - luma[j * fw + x]) < 0.01, `luma at ${i},${j}`);
          assert.ok(Math.abs(depthFromLuma(back, near, far) - expect) <= 1e-4 * expect);
        }
      }
  });

  test(`the ${name} golden grid unprojects as schema 2 does`, () => {
    const { gw } = want.layout;
    const c = want.depth.findIndex((d) => d !== null);
    const [x, y, z] = unprojectCell(c % gw, Math.floor(c / gw), want.depth[c], want.intr, want.stride);
    assert.equal(z, -want.depth[c]);
    assert.ok(Math.abs(x - (((c % gw) * want.stride + 0.5 - want.intr.cx) / want.intr.fx) * want.depth[c]) < 1e-9);
    assert.ok(Number.isFinite(y));
    assert.equal(unprojectCell(0, 0, NaN, want.intr, want.stride), null);
  });
}

test('a tag stands for the newest seq it can', () => {
  assert.equal(seqOfTag(5, 65536 + 10), 65536 + 5);
  assert.equal(seqOfTag(65535, 65536 + 2), 65535);
});

test('the scene golden frame read back as RGBA unprojects as the server does (the shader twin)', async () => {
  const { cloudFromRgba } = await import('../../src/dense-frame.js');
  const want = JSON.parse(golden('dense.scene.expected.json'));
  const planes = new Uint8Array(golden('dense.scene.i420'));
  const { fw, fh, gw } = want.layout;
  const u0 = fw * fh;
  const v0 = u0 + (fw / 2) * (fh / 2);
  // The frame as a browser's video path hands it to a canvas or WebGL: limited-range BT.601 → RGB bytes.
  const rgba = new Uint8ClampedArray(fw * fh * 4);
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++) {
      const c = (y >> 1) * (fw / 2) + (x >> 1);
      const rgb = rgbFromYuv(planes[y * fw + x], planes[u0 + c], planes[v0 + c]);
      for (let k = 0; k < 3; k++) rgba[(y * fw + x) * 4 + k] = Math.round(rgb[k] * 255);
      rgba[(y * fw + x) * 4 + 3] = 255;
    }
  const meta = { dense: want.layout, range: want.range, intr: want.intr, stride: want.stride };
  const cloud = cloudFromRgba(rgba, meta);
  assert.ok(cloud.n > 0.8 * want.points && cloud.n + cloud.dropped <= want.points, `${cloud.n} + ${cloud.dropped}`);
  // Each point is a cell the golden frame holds, at its depth within 8-bit RGB rounding (< 1 code step).
  const step = Math.log(want.range[1] / want.range[0]) / (CODE.FAR - CODE.NEAR);
  let checked = 0;
  for (let p = 0; p < cloud.n; p++) {
    const z = -cloud.xyz[p * 3 + 2];
    const i = Math.round(((cloud.xyz[p * 3] / z) * want.intr.fx + want.intr.cx - 0.5) / want.stride);
    const j = Math.round(((-cloud.xyz[p * 3 + 1] / z) * want.intr.fy + want.intr.cy - 0.5) / want.stride);
    const expect = want.depth[j * gw + i];
    assert.notEqual(expect, null, `point ${p} sits on a cell with depth`);
    assert.ok(Math.abs(Math.log(z / expect)) <= step, `point ${p}: ${z} vs ${expect}`);
    const [x, y] = unprojectCell(i, j, z, want.intr, want.stride);
    assert.ok(Math.abs(x - cloud.xyz[p * 3]) < 1e-5 && Math.abs(y - cloud.xyz[p * 3 + 1]) < 1e-5);
    checked++;
  }
  assert.equal(checked, cloud.n);
});
