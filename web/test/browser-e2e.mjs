// Browser end-to-end test: Debian Chromium (headless, fake camera) opens the depthcast page served
// by a running server, streams its camera over WebRTC and must draw the returned point clouds.
//
//   cd web && npm run build && DEPTHCAST_URL=http://127.0.0.1:8080 node --test test/browser-e2e.mjs
//
// env: DEPTHCAST_URL        server to test (default http://127.0.0.1:8080)
//      DEPTHCAST_MOCK=1     test against test/mock-server.mjs instead (no WebRTC: checks the page only)
//      DEPTHCAST_FRAMES     frames to wait for (default 10); DEPTHCAST_TIMEOUT_MS (default 60000)
//      CHROMIUM             browser binary (default /usr/bin/chromium)
// The last two tests (503 and WebSocket-closed messages shown in the page) always use the mock server.
// It writes no file: README's screenshot is retaken by scripts/screenshot.sh (npm test says when it is stale).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from '@loaders.gl/core';
import { PLYLoader } from '@loaders.gl/ply';
import { launchBrowser, openPage as open, dump } from './browser.mjs';
import { startMockServer } from './mock-server.mjs';

const WANT_FRAMES = Number(process.env.DEPTHCAST_FRAMES || 10);
const TIMEOUT_MS = Number(process.env.DEPTHCAST_TIMEOUT_MS || 60000);
const VIEWPORT = { width: 1280, height: 720 };

let launched;
let browser;
let mainMock = null;
let baseUrl = process.env.DEPTHCAST_URL || 'http://127.0.0.1:8080';

before(async () => {
  if (process.env.DEPTHCAST_MOCK === '1') {
    mainMock = await startMockServer();
    baseUrl = mainMock.url;
  }
  baseUrl = baseUrl.replace(/\/+$/, '');
  launched = await launchBrowser();
  browser = launched.browser;
});

after(async () => {
  await launched?.close();
  await mainMock?.close();
});

const openPage = (url) => open(browser, url, { viewport: VIEWPORT });

test(`page streams the camera and draws >= ${WANT_FRAMES} point clouds`, { timeout: TIMEOUT_MS + 60000 }, async () => {
  // Fail fast and clearly when nothing listens.
  const probe = await fetch(`${baseUrl}/`).catch((e) => e);
  assert.ok(!(probe instanceof Error), `no server at ${baseUrl}: ${probe.message} (start it with scripts/serve.sh)`);
  assert.equal(probe.status, 200, `GET ${baseUrl}/ answered ${probe.status}`);

  const { context, page, log, problems } = await openPage(`${baseUrl}/`);
  try {
    const gl = await page.evaluate(() => {
      const c = document.createElement('canvas').getContext('webgl2');
      const ext = c && c.getExtension('WEBGL_debug_renderer_info');
      return c ? (ext ? c.getParameter(ext.UNMASKED_RENDERER_WEBGL) : 'webgl2') : null;
    });
    console.log(`WebGL renderer: ${gl}`);
    assert.ok(gl, 'WebGL2 is not available in this Chromium');

    const t0 = Date.now();
    // Wait for frames, but stop at once on an error the page reports as fatal.
    const outcome = await page
      .waitForFunction(
        (want) => {
          const d = window.depthcast;
          if (!d) return false;
          const fatal = d.errors.find((e) => e.fatal);
          if (fatal) return { error: fatal.message };
          return d.stats.frames >= want ? { ok: true } : false;
        },
        WANT_FRAMES,
        { timeout: TIMEOUT_MS, polling: 200 },
      )
      .then(
        (h) => h.jsonValue(),
        async (e) => ({
          error: `timed out after ${TIMEOUT_MS} ms: ${e.message.split('\n')[0]}; stats=${JSON.stringify(await page.evaluate(() => window.depthcast?.stats))}`,
        }),
      );
    assert.ok(!outcome.error, `page reported: ${outcome.error}${dump(log)}`);
    // The server's CSP (no unsafe-inline, connect-src 'self') must not block anything the page does.
    assert.ok(!log.some((l) => l.includes('Content Security Policy')), `CSP violation${dump(log)}`);
    const firstFramesMs = Date.now() - t0;

    // Let the HUD's 2 s windows fill, then read it.
    await page.waitForTimeout(2500);
    await page
      .waitForFunction(() => parseFloat(document.getElementById('hud-fps').textContent) > 0, null, { timeout: 5000 })
      .catch(() => {});
    const stats = await page.evaluate(() => JSON.parse(JSON.stringify(window.depthcast.stats)));
    const hud = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('[id^="hud-"]')].map((e) => [e.id, e.textContent])),
    );
    const pixels = await page.evaluate(() => window.depthcast.countNonBackgroundPixels());
    const pageErrors = await page.evaluate(() => window.depthcast.errors.map((e) => e.message));

    // Export the frame on screen: an independent PLY reader must see its points.
    await page.evaluate(() => window.depthcast.do('pause'));
    const shownN = await page.evaluate(() => window.depthcast.view.shown.n);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
    const plyBytes = await readFile(await download.path());
    const mesh = await parse(
      plyBytes.buffer.slice(plyBytes.byteOffset, plyBytes.byteOffset + plyBytes.byteLength),
      PLYLoader,
    );
    await page.evaluate(() => window.depthcast.do('pause'));

    const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : String(v));
    console.log(
      [
        `server: ${baseUrl}${mainMock ? ' (mock)' : ''}   backend=${stats.backend} model=${stats.model}`,
        `first ${WANT_FRAMES} frames after ${firstFramesMs} ms; frames received=${stats.frames} drawn=${stats.rendered} skipped-by-page=${stats.skipped} server-dropped=${stats.dropped}`,
        `results fps=${f(stats.fps)} (HUD "${hud['hud-fps']}")  drawn fps=${f(stats.drawnFps)}`,
        `bytes/frame mean=${f(stats.bytes, 0)}  points/frame last=${stats.points} mean=${f(stats.meanPoints, 0)}  grid=${stats.w}x${stats.h}/${stats.stride} batch=${stats.batch}`,
        `ingest->render=${f(stats.latencyMs)} ms (max ${f(stats.latencyMaxMs)})  server ingest->sent=${f(stats.serverMs)} ms  clock offset=${f(stats.clockOffsetMs, 2)} ms rtt=${f(stats.clockRttMs, 2)} ms`,
        `WebRTC: encode=${f(stats.encodeMs, 2)} ms/frame rtt/2=${f(stats.netMs, 2)} ms  sending ${stats.sendWidth}x${stats.sendHeight} @${f(stats.sendFps, 0)} fps ${f(stats.sendKbps, 0)} kbps ${stats.codec}`,
        `server stages (ms, mean): ${Object.entries(stats.timing)
          .filter(([, v]) => v !== null) // NaN (JSON null): a stage this server does not report
          .map(([k, v]) => `${k}=${f(v, 2)}`)
          .join(' ')}`,
        `horizontal fov: HUD "${hud['hud-fov']}"  stabiliser: HUD "${hud['hud-stab']}", "${hud['hud-stab-count']}"`,
        `canvas: ${pixels.nonBackground}/${pixels.width * pixels.height} non-background pixels (${(pixels.fraction * 100).toFixed(1)}%), ${pixels.distinctColours}${pixels.distinctColours >= 4096 ? '+' : ''} colours`,
        `PLY export: ${download.suggestedFilename()} ${plyBytes.length} B, ${mesh.header.vertexCount} vertices (frame on screen: ${shownN} points)`,
        `errors/warnings shown by the page: ${pageErrors.length ? pageErrors.join(' | ') : 'none'}`,
      ].join('\n'),
    );

    assert.ok(stats.frames >= WANT_FRAMES, `frames ${stats.frames} < ${WANT_FRAMES}`);
    const hudFps = parseFloat(hud['hud-fps']);
    assert.ok(hudFps > 0, `HUD fps shows "${hud['hud-fps']}"`);
    assert.ok(stats.points > 0, 'last frame had no points');
    assert.ok(stats.bytes > 0, 'no bytes/frame');
    assert.ok(pixels.fraction > 0.01, `canvas nearly blank: ${(pixels.fraction * 100).toFixed(2)}% non-background`);
    assert.ok(Number.isFinite(stats.latencyMs), 'no ingest→render latency (clock sync ping/pong missing?)');
    assert.ok(!stats.warnings.length, `message warnings: ${stats.warnings.join('; ')}`);
    // A clean run shows nothing: a rejected candidate POST, a server error message, a decode
    // problem would all be listed here.
    assert.deepEqual(pageErrors, [], 'the page showed errors or warnings');
    assert.equal(mesh.header.vertexCount, shownN, 'PLY vertex count = points on screen');
    assert.ok(shownN > 0);
    assert.deepEqual(problems, [], `console errors, failed requests or HTTP errors (favicon?)${dump(log)}`);
  } finally {
    // Closing the page fires pagehide → DELETE /api/sessions/{id}.
    await page.close({ runBeforeUnload: true }).catch(() => {});
    await context.close().catch(() => {});
  }
  if (mainMock) {
    const until = Date.now() + 3000;
    while (mainMock.sessions.size && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(mainMock.sessions.size, 0, 'page did not DELETE its session on close');
  }
});

test("page shows the server's 503 refusal with its reason and retries (mock server)", async () => {
  const mock = await startMockServer({ maxClients: 0 });
  const { context, page, log } = await openPage(`${mock.url}/`);
  try {
    const text = await page
      .waitForFunction(
        () => {
          const e = document.getElementById('conn').textContent;
          return e.includes('503') ? e : false;
        },
        null,
        { timeout: 20000 },
      )
      .then(
        (h) => h.jsonValue(),
        () => null,
      );
    assert.ok(text, `no 503 error shown${dump(log)}`);
    assert.match(text, /max clients \(0\) reached — retrying in \d+ s/);
    assert.equal(await page.isVisible('#restart'), true, 'a "Retry now" button is offered');
  } finally {
    await context.close().catch(() => {});
    await mock.close();
  }
});

test('page shows a closed results WebSocket and that it retries (mock server)', async () => {
  const mock = await startMockServer();
  const { context, page, log } = await openPage(`${mock.url}/`);
  try {
    await page.waitForFunction(() => window.depthcast?.stats.frames >= 3, null, { timeout: 20000 });
    for (const s of mock.sessions.values()) for (const ws of s.sockets) ws.close(1011, 'mock went away');
    const text = await page
      .waitForFunction(
        () => {
          const e = document.getElementById('conn').textContent;
          return e.includes('WebSocket closed') ? e : false;
        },
        null,
        { timeout: 10000 },
      )
      .then(
        (h) => h.jsonValue(),
        () => null,
      );
    assert.ok(text, `no WebSocket-closed error shown${dump(log)}`);
    assert.match(text, /code 1011: mock went away\) — retrying in \d+ s/);
  } finally {
    await context.close().catch(() => {});
    await mock.close();
  }
});
