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
