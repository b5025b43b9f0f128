// Browser end-to-end test of dense mode (docs/protocol.md, "Dense frames"): Debian Chromium
// (headless, fake camera) against a server started with --dense on draws the dense video track
// with its vertex shader, pairs its frames with the metadata messages by their tags, exports a
// PLY read back from the frame, and switches to sparse (schema 2) with its key; against a
// --dense off server, a page whose user chose dense gets schema 2 and the reason in its HUD.
//
//   DEPTHCAST_DENSE_URL=http://127.0.0.1:PORT (a --dense on server)
//   DEPTHCAST_URL=http://127.0.0.1:PORT2 (a --dense off server, the default one) node --test test/browser-dense.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage as open, dump } from './browser.mjs';

const DENSE_URL = (process.env.DEPTHCAST_DENSE_URL || 'http://127.0.0.1:8081').replace(/\/+$/, '');
const OFF_URL = (process.env.DEPTHCAST_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
let launched;

before(async () => {
  launched = await launchBrowser();
});
after(async () => {
  await launched?.close();
});

test(
  'a --dense on server: the page draws the dense track, exports it, and falls back when it stalls',
  { timeout: 120000 },
  async () => {
    const { context, page, log, problems } = await open(launched.browser, `${DENSE_URL}/`);
    try {
      await page.waitForFunction(() => window.depthcast?.dense?.().frames >= 10, null, { timeout: 60000 });
      const d = await page.evaluate(() => window.depthcast.dense());
      console.log(`dense: ${JSON.stringify(d)}`);
      assert.equal(d.mode, 'dense');
      assert.ok(d.points > 100000, `the metadata says ${d.points} points`);
      assert.ok(d.unpaired <= d.frames / 2, `${d.unpaired} of ${d.frames} frames unpaired with their metadata`);
      await page.waitForFunction(() => window.depthcast.dense().drawn > 0, null, { timeout: 10000 });
      const drawn = await page.evaluate(() => window.depthcast.dense().drawn);
      assert.ok(drawn > 100000, `${drawn} points drawn`);
      assert.match(await page.textContent('#hud-mode'), /^dense · \d+ points drawn/);
      await page.evaluate(() => window.depthcast.do('exportPly'));
      const exported = await page.evaluate(() => window.depthcast.lastExport);
      assert.ok(exported.n > 50000, `PLY from the read-back frame: ${JSON.stringify(exported)}`);
      // The track stalls (no frame for 2 s): the session falls back to schema 2 and the HUD says so.
      await page.evaluate(() => window.depthcast.stopDenseVideo());
      await page.waitForFunction(
        () => window.depthcast.stats.denseMode === 'sparse' && window.depthcast.stats.stride >= 3,
        null,
        { timeout: 30000 },
      );
      assert.match(await page.textContent('#hud-mode'), /stalled/);
      assert.deepEqual(problems, []);
    } catch (e) {
      dump(log);
      throw e;
    } finally {
      await context.close();
    }
  },
);

test('the key d switches a --dense on page to sparse, and the choice is remembered', { timeout: 120000 }, async () => {
  const { context, page, log, problems } = await open(launched.browser, `${DENSE_URL}/`);
  try {
    await page.waitForFunction(() => window.depthcast?.dense?.().frames >= 3, null, { timeout: 60000 });
    await page.keyboard.press('d');
    await page.waitForFunction(
      () =>
        window.depthcast.stats.denseMode === 'sparse' &&
        window.depthcast.stats.points > 0 &&
        window.depthcast.stats.stride >= 3,
      null,
      { timeout: 30000 },
    );
    assert.equal(await page.evaluate(() => localStorage.getItem('depthcast.dense')), 'sparse');
    assert.deepEqual(problems, []);
  } catch (e) {
    dump(log);
    throw e;
  } finally {
    await context.close();
  }
});

test('a --dense off server: a page that chose dense gets schema 2 and the reason', { timeout: 120000 }, async () => {
  const { context, page, log } = await open(launched.browser, `${OFF_URL}/`);
  try {
    await page.evaluate(() => {
      localStorage.setItem('depthcast.dense', 'dense');
      location.reload();
    });
    await page.waitForFunction(() => window.depthcast?.stats.frames >= 3, null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.depthcast.stats.denseMode), 'sparse');
    assert.match(await page.textContent('#hud-mode'), /--dense off/);
  } catch (e) {
    dump(log);
    throw e;
  } finally {
    await context.close();
  }
});

// The vertex shader itself, run by WebGL2 with transform feedback on the scene golden frame (as the
// browser's video path would hand it over: limited-range RGB), against its CPU twin cloudFromRgba.
test('the dense vertex shader unprojects the golden frame as its CPU twin does', { timeout: 120000 }, async () => {
  const { readFileSync } = await import('node:fs');
  const { cloudFromRgba, rgbFromYuv, depthFromLuma, lumaFromRgb, isEdge, unprojectCell } =
    await import('../src/dense-frame.js');
  const golden = (n) => readFileSync(new URL(`../../docs/wire-golden/${n}`, import.meta.url));
  const want = JSON.parse(golden('dense.scene.expected.json'));
  const planes = new Uint8Array(golden('dense.scene.i420'));
  const { fw, fh, gw, gh, dx } = want.layout;
  const u0 = fw * fh;
  const v0 = u0 + (fw / 2) * (fh / 2);
  const rgba = new Uint8Array(fw * fh * 4);
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++) {
      const c = (y >> 1) * (fw / 2) + (x >> 1);
      const rgb = rgbFromYuv(planes[y * fw + x], planes[u0 + c], planes[v0 + c]);
      for (let k = 0; k < 3; k++) rgba[(y * fw + x) * 4 + k] = Math.min(255, Math.max(0, Math.round(rgb[k] * 255)));
      rgba[(y * fw + x) * 4 + 3] = 255;
    }
  const meta = { dense: want.layout, range: want.range, intr: want.intr, stride: want.stride };
  // The CPU twin, cell by cell: the position of a drawn cell, null for a dropped one.
  const z = new Float32Array(gw * gh);
  for (let j = 0; j < gh; j++)
    for (let i = 0; i < gw; i++) {
      const p = (j * fw + dx + i) * 4;
      z[j * gw + i] = depthFromLuma(lumaFromRgb(rgba[p] / 255, rgba[p + 1] / 255, rgba[p + 2] / 255), ...want.range);
    }
  const cpu = [];
  for (let j = 0; j < gh; j++)
    for (let i = 0; i < gw; i++) {
      const d = z[j * gw + i];
      cpu.push(Number.isNaN(d) || isEdge(z, i, j, gw, gh, 0.1) ? null : unprojectCell(i, j, d, want.intr, want.stride));
    }
  assert.equal(cpu.filter(Boolean).length, cloudFromRgba(rgba, meta).n);

  const { context, page } = await open(launched.browser, `${OFF_URL}/`);
  try {
    await page.waitForFunction(() => window.depthcast?.denseVertexShader, null, { timeout: 30000 });
    const out = await page.evaluate(
      ({ rgbaB64, fw, fh, gw, gh, dx, intr, stride, range }) => {
        const rgba = Uint8Array.from(atob(rgbaB64), (c) => c.charCodeAt(0));
        const gl = document.createElement('canvas').getContext('webgl2');
        const prelude = 'precision highp float;\nuniform mat4 modelViewMatrix;\nuniform mat4 projectionMatrix;\n';
        const shader = (type, src) => {
          const s = gl.createShader(type);
          gl.shaderSource(s, src);
          gl.compileShader(s);
          if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
          return s;
        };
        const prog = gl.createProgram();
        gl.attachShader(prog, shader(gl.VERTEX_SHADER, prelude + window.depthcast.denseVertexShader));
        gl.attachShader(
          prog,
          shader(
            gl.FRAGMENT_SHADER,
            'precision mediump float; varying vec3 vColor; void main() { gl_FragColor = vec4(vColor, 1.0); }',
          ),
        );
        gl.transformFeedbackVaryings(prog, ['gl_Position'], gl.SEPARATE_ATTRIBS);
        gl.linkProgram(prog);
        if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
        gl.useProgram(prog);
        const n = gw * gh;
        const cells = new Float32Array(n * 2);
        for (let j = 0, k = 0; j < gh; j++) for (let i = 0; i < gw; i++, k += 2) [cells[k], cells[k + 1]] = [i, j];
        const cellBuf = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, cellBuf);
        gl.bufferData(gl.ARRAY_BUFFER, cells, gl.STATIC_DRAW);
        const loc = gl.getAttribLocation(prog, 'cell');
        gl.enableVertexAttribArray(loc);
        gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
        // As three.js uploads a video: flipped (row 0 of the frame at v = 1), nearest, no mipmaps.
        const tex = gl.createTexture();
        gl.bindTexture(gl.TEXTURE_2D, tex);
        gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true);
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, fw, fh, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
        const u = (name) => gl.getUniformLocation(prog, name);
        const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        gl.uniformMatrix4fv(u('modelViewMatrix'), false, identity);
        gl.uniformMatrix4fv(u('projectionMatrix'), false, identity);
        gl.uniform1i(u('uFrame'), 0);
        gl.uniform2f(u('uFrameSize'), fw, fh);
        gl.uniform2f(u('uGrid'), gw, gh);
        gl.uniform1f(u('uDx'), dx);
        gl.uniform4f(u('uIntr'), intr.fx, intr.fy, intr.cx, intr.cy);
        gl.uniform1f(u('uStride'), stride);
        gl.uniform2f(u('uRange'), range[0], range[1]);
        gl.uniform3f(u('uCode'), 24, 32, 235);
        gl.uniform1f(u('uEdge'), 0.1);
        gl.uniform1f(u('uSpacing'), 1 / intr.fx);
        gl.uniform1f(u('uHalfHeight'), 300);
        gl.uniform1f(u('uSizeMul'), 1);
        const outBuf = gl.createBuffer();
        gl.bindBuffer(gl.TRANSFORM_FEEDBACK_BUFFER, outBuf);
        gl.bufferData(gl.TRANSFORM_FEEDBACK_BUFFER, n * 16, gl.STATIC_READ);
        gl.bindBufferBase(gl.TRANSFORM_FEEDBACK_BUFFER, 0, outBuf);
        gl.enable(gl.RASTERIZER_DISCARD);
        gl.beginTransformFeedback(gl.POINTS);
        gl.drawArrays(gl.POINTS, 0, n);
        gl.endTransformFeedback();
        const got = new Float32Array(n * 4);
        gl.getBufferSubData(gl.TRANSFORM_FEEDBACK_BUFFER, 0, got);
        return Array.from(got);
      },
      {
        rgbaB64: Buffer.from(rgba).toString('base64'),
        fw,
        fh,
        gw,
        gh,
        dx,
        intr: want.intr,
        stride: want.stride,
        range: want.range,
      },
    );
    let drawn = 0;
    let differ = 0;
    for (let c = 0; c < gw * gh; c++) {
      const g = out.slice(c * 4, c * 4 + 3);
      const dropped = g[0] === 2 && g[1] === 2 && g[2] === 2;
      if ((cpu[c] === null) !== dropped) {
        differ++; // an edge decision on a float32/float64 tie
        continue;
      }
      if (dropped) continue;
      drawn++;
      for (let k = 0; k < 3; k++)
        assert.ok(Math.abs(g[k] - cpu[c][k]) <= 1e-4 * Math.abs(cpu[c][2]), `cell ${c}: ${g} vs ${cpu[c]}`);
    }
    console.log(`shader: ${drawn} points as the CPU twin's, ${differ} cells decided otherwise`);
    assert.ok(drawn > 0.8 * want.points, `${drawn} drawn`);
    assert.ok(differ <= gw * gh * 0.001, `${differ} cells where the shader and its twin disagree`);
  } finally {
    await context.close();
  }
});
