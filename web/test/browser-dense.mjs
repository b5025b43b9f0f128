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
      assert.match(await page.textContent('#hud-mode'), /^dense/);
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
