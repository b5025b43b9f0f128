// Browser tests of the viewer's controls, against test/mock-server.mjs (the HTTP/WebSocket side
// of docs/protocol.md with a synthetic rippling cloud; no WebRTC) and against the page opened
// from disk with no server at all. Each control is driven the way a person would: mouse,
// keyboard, touch, file picker.
//
//   cd web && npm run build && node --test test/browser-viewer.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeMulti } from '@msgpack/msgpack';
import { parse } from '@loaders.gl/core';
import { PLYLoader } from '@loaders.gl/ply';
import { launchBrowser, openPage, dump, waitForFrames } from './browser.mjs';
import { startMockServer } from './mock-server.mjs';
import { CONTROLS } from '../src/controls.js';
import { FOV_PRESETS, horizontalFromDiagonal } from '../src/fov.js';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
// The mock's grid: 504x378 sampled every 4 → 126 columns × 95 rows, every point kept.
const MOCK_POINTS = Math.ceil(504 / 4) * Math.ceil(378 / 4);

let launched;
let mock;
before(async () => {
  launched = await launchBrowser();
  mock = await startMockServer();
});
after(async () => {
  await launched?.close();
  await mock?.close();
});

const pose = (page) => page.evaluate(() => window.depthcast.pose());
const pixels = (page) => page.evaluate(() => window.depthcast.countNonBackgroundPixels());
const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the page has redrawn its view `n` more times (stats.redraws: clouds, camera moves and the sway). */
async function redraws(page, n, timeout = 30000) {
  const from = await page.evaluate(() => window.depthcast.stats.redraws);
  await page.waitForFunction((want) => window.depthcast.stats.redraws >= want, from + n, { timeout, polling: 50 });
}

/** The camera pose once it moved less than 0.1 mm in 300 ms (within 6 s), else null. */
async function settled(page) {
  let prev = await pose(page);
  for (let i = 0; i < 20; i++) {
    await sleep(300);
    const p = await pose(page);
    if (dist(p.position, prev.position) < 1e-4) return p;
    prev = p;
  }
  return null;
}

async function streaming(opts = {}, url = `${mock.url}/`) {
  const p = await openPage(launched.browser, url, opts);
  const got = await waitForFrames(p.page, 5);
  assert.ok(!got.error, `no frames: ${got.error}${dump(p.log)}`);
  return p;
}

test('first view shows depth and sways until the first drag; orbit then reset returns to it', async () => {
  const { context, page, log, problems } = await streaming();
  try {
    const a = await pose(page);
    // Not the source camera's own position (the origin), where the cloud looks like a flat copy of the video.
    assert.ok(dist(a.position, [0, 0, 0]) > 0.5, `first view at ${a.position}`);
    assert.ok(Math.abs(a.position[0]) > 0.3, 'first view is turned to a side');
    assert.ok(await page.isVisible('#hint'), 'a hint says the view can be dragged');
    // Counted in the page's own redraws, not wall time: a page starved of CPU redraws late but
    // still sways. Up to 60 redraws (2 s of sway at its 30 redraws a second), looking every 5:
    // two looks either side of the swing's turning point can see the same pose.
    let b = a;
    for (let i = 0; i < 12 && dist(a.position, b.position) <= 1e-3; i++) {
      await redraws(page, 5);
      b = await pose(page);
    }
    assert.ok(dist(a.position, b.position) > 1e-3, 'the first view sways gently');
    const home = await page.evaluate(() => window.depthcast.homePose().position);

    // Orbit with the mouse: the sway stops, the camera goes elsewhere.
    await page.mouse.move(640, 360);
    await page.mouse.down();
    await page.mouse.move(760, 300, { steps: 8 });
    await page.mouse.up();
    // Damping slows the camera to a stop; the sway does not come back.
    const d = await settled(page);
    assert.ok(d, 'after a drag the camera comes to rest (no more sway)');
    assert.ok(dist(d.position, home) > 0.2, `the drag moved the camera: ${d.position} vs ${home}`);
    assert.equal(
      await page.$eval('#hint', (e) => e.classList.contains('gone')),
      true,
      'the hint goes after the first drag',
    );

    await page.click('#btn-reset');
    const e = await pose(page);
    assert.ok(dist(e.position, home) < 1e-6, `reset returns to the first view: ${e.position} vs ${home}`);
    assert.deepEqual(e.target, [0, 0, -1.5]);

    // Presets by keyboard: front is the source camera (origin), top looks down, side from +x.
    await page.keyboard.press('1');
    assert.ok(dist((await pose(page)).position, [0, 0, 0]) < 1e-6, 'front = source camera');
    await page.keyboard.press('2');
    const top = (await pose(page)).position;
    assert.ok(top[1] > 3.4 && Math.abs(top[0]) < 0.1, `top view from above: ${top}`);
    await page.keyboard.press('3');
    const side = (await pose(page)).position;
    assert.ok(side[0] > 3.4 && Math.abs(side[1]) < 1e-6, `side view from +x: ${side}`);
    await page.keyboard.press('ArrowLeft');
    await redraws(page, 10); // damping moves the camera a share of the step at each redraw
    assert.ok(dist((await pose(page)).position, side) > 0.1, 'arrow keys orbit');
    await page.keyboard.press('r');
    assert.ok(dist((await pose(page)).position, home) < 1e-6, 'r resets');
    assert.deepEqual(problems, [], `problems on load${dump(log)}`);
  } finally {
    await context.close();
  }
});

test('prefers-reduced-motion: no sway, no momentum', async () => {
  const { context, page } = await streaming({ reducedMotion: 'reduce' });
  try {
    const home = await page.evaluate(() => window.depthcast.homePose().position);
    const a = await pose(page);
    await redraws(page, 10); // redraws of new clouds: the view had every chance to move
    const b = await pose(page);
    assert.ok(dist(a.position, home) < 1e-6 && dist(b.position, home) < 1e-6, 'the camera stays at the first view');
    assert.equal(await page.evaluate(() => window.depthcast.view.controls.enableDamping), false);
  } finally {
    await context.close();
  }
});

test('pause freezes the picture while messages keep arriving; colour, size, background change pixels', async () => {
  const { context, page, log } = await streaming({ reducedMotion: 'reduce' });
  try {
    await page.keyboard.press(' ');
    assert.equal(await page.getAttribute('#btn-pause', 'aria-pressed'), 'true');
    await sleep(200);
    const f0 = await page.evaluate(() => window.depthcast.stats.frames);
    const p0 = await pixels(page);
    await sleep(1200);
    const f1 = await page.evaluate(() => window.depthcast.stats.frames);
    const p1 = await pixels(page);
    assert.ok(f1 - f0 >= 8, `messages kept arriving while paused: ${f1 - f0}`);
    assert.equal(p1.hash, p0.hash, 'the rendered picture did not change while paused');
    assert.ok(p0.fraction > 0.05, `cloud visible: ${p0.fraction}`);

    // Colour modes recolour the frozen frame.
    await page.selectOption('#sel-colour', 'depth');
    const depth = await pixels(page);
    assert.notEqual(depth.hash, p0.hash, 'depth colours differ from camera colours');
    await page.keyboard.press('c'); // → height
    assert.equal(await page.$eval('#sel-colour', (e) => e.value), 'height');
    const height = await pixels(page);
    assert.notEqual(height.hash, depth.hash);
    const diff = (a, b) => Math.hypot(...a.meanColour.map((v, i) => v - b.meanColour[i]));
    assert.ok(
      diff(depth, p0) > 10 && diff(height, depth) > 10,
      `mean colours: ${p0.meanColour} ${depth.meanColour} ${height.meanColour}`,
    );
    await page.keyboard.press('c'); // → rgb
    assert.equal((await pixels(page)).hash, p0.hash, 'back to camera RGB gives the same picture');

    // Point size: bigger points cover more of the canvas, smaller less.
    await page.click('#btn-bigger');
    await page.click('#btn-bigger');
    const big = await pixels(page);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    const small = await pixels(page);
    assert.ok(
      big.fraction > p0.fraction * 1.1 && small.fraction < p0.fraction * 0.9,
      `coverage: small ${small.fraction} < normal ${p0.fraction} < big ${big.fraction}`,
    );

    // Background.
    await page.click('#btn-background');
    const light = await pixels(page);
    assert.ok(
      light.corner.every((v) => v > 200),
      `light background: ${light.corner}`,
    );
    await page.keyboard.press('b');
    assert.ok(
      (await pixels(page)).corner.every((v) => v < 40),
      'dark again',
    );

    // Resume: the picture follows the stream again.
    await page.click('#btn-pause');
    await sleep(500);
    const p2 = await pixels(page);
    assert.notEqual(p2.hash, small.hash, `the picture moves again after resume${dump(log)}`);
  } finally {
    await context.close();
  }
});

test('export: a binary PLY that @loaders.gl/ply reads with the right point count and points', async () => {
  const { context, page } = await streaming({ reducedMotion: 'reduce' });
  try {
    // The HUD names the model file (from /api/stats) beside the preset (from the messages).
    await page.waitForFunction(
      () => document.getElementById('hud-model').textContent === 'mock-ripple · mock-ripple.onnx',
      null,
      { timeout: 5000 },
    );
    await page.keyboard.press('p'); // a fixed frame to compare with
    await sleep(100);
    const shown = await page.evaluate(() => {
      const f = window.depthcast.view.shown;
      return {
        n: f.n,
        seq: f.seq,
        first: Array.from(f.xyz.subarray(0, 3)),
        last: Array.from(f.xyz.subarray(f.n * 3 - 3, f.n * 3)),
        rgb0: Array.from(f.rgb.subarray(0, 3)),
      };
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
    assert.match(download.suggestedFilename(), new RegExp(`^depthcast-mock-ripple-seq${shown.seq}\\.ply$`));
    const bytes = await readFile(await download.path());
    const mesh = await parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), PLYLoader);
    assert.equal(mesh.header.vertexCount, MOCK_POINTS);
    assert.equal(mesh.header.vertexCount, shown.n);
    assert.equal(mesh.loaderData.format, 'binary_little_endian');
    const pos = mesh.attributes.POSITION.value;
    assert.deepEqual(Array.from(pos.subarray(0, 3)), shown.first);
    assert.deepEqual(Array.from(pos.subarray(pos.length - 3)), shown.last);
    assert.deepEqual(Array.from(mesh.attributes.COLOR_0.value.subarray(0, 3)), shown.rgb0);
    // The same file by keyboard.
    const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('e')]);
    assert.equal(again.suggestedFilename(), download.suggestedFilename());
  } finally {
    await context.close();
  }
});

test('record a few seconds, then replay the file in the page opened from disk with no server', async () => {
  const { context, page } = await streaming({ reducedMotion: 'reduce' });
  let file;
  try {
    await page.click('#btn-record');
    assert.equal(await page.getAttribute('#btn-record', 'aria-pressed'), 'true');
    await sleep(1500);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-record')]);
    assert.match(download.suggestedFilename(), /^depthcast-\d{8}-\d{6}\.dcrec$/);
    file = join(await mkdtemp(join(tmpdir(), 'depthcast-rec-')), download.suggestedFilename());
    await download.saveAs(file); // the download itself goes with its browser context
  } finally {
    await context.close();
  }
  // Read it with the msgpack library's stream reader (not the page's reader): header + frames.
  const objs = [...decodeMulti(await readFile(file))];
  const [header, ...frames] = objs;
  assert.equal(header.format, 'depthcast-recording');
  assert.equal(header.version, 1);
  assert.equal(header.frames, frames.length);
  assert.ok(frames.length >= 15, `frames recorded in 1.5 s at 20 fps: ${frames.length}`);
  assert.ok(frames.every((f, i) => f.msg instanceof Uint8Array && (i === 0 || f.t >= frames[i - 1].t)));

  // Offline: the built page from disk, no server anywhere.
  const offline = await openPage(launched.browser, pathToFileURL(join(DIST, 'index.html')).href, {
    reducedMotion: 'reduce',
  });
  const requests = [];
  offline.page.on('request', (r) => requests.push(r.url()));
  try {
    assert.equal(await offline.page.evaluate(() => window.depthcast.stats.phase), 'offline viewer');
    await offline.page.setInputFiles('#file-open', file);
    const got = await waitForFrames(offline.page, frames.length + 3, 15000); // played through and looping
    assert.ok(!got.error, `replay: ${got.error}${dump(offline.log)}`);
    const px = await pixels(offline.page);
    assert.ok(px.fraction > 0.05, `replayed cloud drawn: ${px.fraction}`);
    const st = await offline.page.evaluate(() => window.depthcast.stats);
    assert.equal(st.source, 'replay');
    assert.equal(st.points, MOCK_POINTS);
    assert.equal(await offline.page.textContent('#hud-fov'), '60.0° · recorded', "the recorded messages' intr.fov");
    assert.match(await offline.page.textContent('#replay-text'), /Replaying depthcast-.*frame \d+\//);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:')),
      [],
      'no network at all',
    );
    assert.deepEqual(offline.problems, [], dump(offline.log));

    // Drag and drop works the same as the file picker.
    const b64 = (await readFile(file)).toString('base64');
    const dataTransfer = await offline.page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], 'dropped.dcrec'));
      return dt;
    }, b64);
    await offline.page.dispatchEvent('#view', 'dragenter', { dataTransfer });
    assert.equal(await offline.page.isVisible('#drop-target'), true, 'the page shows where to drop');
    await offline.page.dispatchEvent('#view', 'drop', { dataTransfer });
    await offline.page.waitForFunction(
      () => /Replaying dropped\.dcrec/.test(document.getElementById('replay-text').textContent),
      null,
      { timeout: 5000 },
    );
    assert.equal(await offline.page.isVisible('#drop-target'), false);

    // A file that is not a recording: one plain message, nothing breaks.
    await offline.page.setInputFiles('#file-open', {
      name: 'cloud.ply',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('ply\nformat ascii 1.0\n'),
    });
    const msg = await offline.page
      .waitForFunction(
        () =>
          document.getElementById('errors').textContent.includes('cloud.ply')
            ? document.getElementById('errors').textContent
            : false,
        null,
        { timeout: 5000 },
      )
      .then((h) => h.jsonValue());
    assert.match(msg, /cloud\.ply: not a depthcast recording/);
  } finally {
    await offline.context.close();
  }
});

test('reconnects by itself after the server restarts, saying so meanwhile', async () => {
  const own = await startMockServer();
  const port = own.port;
  const { context, page, log } = await streaming({ reducedMotion: 'reduce' }, `${own.url}/`);
  let again;
  try {
    await own.close();
    const text = await page
      .waitForFunction(
        () => {
          const c = document.getElementById('conn');
          return !c.hidden && /retrying in \d+ s/.test(c.textContent) ? c.textContent : false;
        },
        null,
        { timeout: 10000 },
      )
      .then((h) => h.jsonValue());
    assert.match(text, /(results WebSocket closed|server unreachable).* — retrying in \d+ s/);
    // Stay down long enough for a failed retry: then the plain "server unreachable".
    await page.waitForFunction(
      () => /server unreachable — retrying in \d+ s/.test(document.getElementById('conn').textContent),
      null,
      { timeout: 10000 },
    );
    const before = await page.evaluate(() => window.depthcast.stats.frames);
    again = await startMockServer({ port });
    await page.waitForFunction((n) => window.depthcast.stats.frames > n + 5, before, { timeout: 30000 });
    assert.equal(await page.isHidden('#conn'), true, 'the message goes once results flow again');
    const st = await page.evaluate(() => window.depthcast.stats);
    assert.ok(st.reconnects >= 1, `reconnects ${st.reconnects}`);
    assert.equal(st.phase, 'streaming');
  } catch (e) {
    e.message += dump(log);
    throw e;
  } finally {
    await context.close();
    await again?.close();
  }
});

test('phone 390×844 (touch): no horizontal overflow, HUD fits, touch orbits, tap opens help', async () => {
  const { context, page, log, problems } = await streaming({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
  });
  try {
    const layout = await page.evaluate(() => {
      const out = { scrollWidth: document.documentElement.scrollWidth, innerWidth, outside: [] };
      for (const el of document.querySelectorAll('#hud, #hud *, #toolbar, #toolbar *, #messages *')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue; // hidden
        if (r.left < -0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.bottom > innerHeight + 0.5)
          out.outside.push(`${el.id || el.tagName} ${JSON.stringify(r)}`);
      }
      const hud = document.getElementById('hud').getBoundingClientRect();
      const bar = document.getElementById('toolbar').getBoundingClientRect();
      return {
        ...out,
        hud: { h: hud.height, w: hud.width, bottom: hud.bottom },
        bar: { top: bar.top, h: bar.height },
        preview: document.getElementById('preview').hidden,
      };
    });
    assert.ok(layout.scrollWidth <= 390, `horizontal overflow: ${layout.scrollWidth}`);
    assert.deepEqual(layout.outside, [], 'elements outside the screen');
    assert.ok(layout.hud.h <= 40 && layout.hud.w <= 370, `collapsed HUD is one line: ${JSON.stringify(layout.hud)}`);
    assert.ok(layout.bar.h <= 0.15 * 844, `toolbar height ${layout.bar.h}`);
    assert.equal(layout.preview, true, 'the camera preview starts hidden on a phone');

    // Full detail on demand, still on the screen.
    await page.tap('#hud-toggle');
    const open = await page.evaluate(() => {
      const r = document.getElementById('hud').getBoundingClientRect();
      return {
        right: r.right,
        bottom: r.bottom,
        sw: document.documentElement.scrollWidth,
        expanded: document.getElementById('hud-toggle').getAttribute('aria-expanded'),
      };
    });
    assert.equal(open.expanded, 'true');
    assert.ok(open.right <= 390 && open.bottom <= 844 && open.sw <= 390, `expanded HUD fits: ${JSON.stringify(open)}`);
    await page.tap('#hud-toggle');

    // One-finger drag orbits (real touch events through the DevTools protocol).
    const cdp = await context.newCDPSession(page);
    const a = await pose(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 150, y: 400 }] });
    for (let i = 1; i <= 10; i++)
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ x: 150 + i * 15, y: 400 - i * 5 }],
      });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const b = await settled(page);
    const home = await page.evaluate(() => window.depthcast.homePose().position);
    assert.ok(dist(b.position, home) > 0.2 && dist(a.position, b.position) > 0.05, `touch drag orbits: ${b.position}`);

    await page.tap('#btn-help');
    assert.equal(await page.evaluate(() => document.getElementById('help').open), true);
    await page.tap('#help form button');
    assert.equal(await page.evaluate(() => document.getElementById('help').open), false);
    await page.tap('#btn-preview');
    assert.equal(await page.isVisible('#preview'), true, 'preview can be shown');
    assert.deepEqual(problems, [], dump(log));
  } finally {
    await context.close();
  }
});

test('desktop 1920×1080: HUD, preview and toolbar do not overlap; help lists every control', async () => {
  const { context, page } = await streaming({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.keyboard.press('h');
    const r = await page.evaluate(() =>
      Object.fromEntries(
        ['hud', 'toolbar', 'preview', 'messages'].map((id) => {
          const b = document.getElementById(id).getBoundingClientRect();
          return [id, { l: b.left, r: b.right, t: b.top, b: b.bottom }];
        }),
      ),
    );
    const overlap = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
    assert.ok(
      !overlap(r.hud, r.toolbar) && !overlap(r.hud, r.preview) && !overlap(r.preview, r.toolbar),
      JSON.stringify(r),
    );
    assert.equal(await page.isVisible('#hud-fps'), true, 'h opens the HUD detail');
    assert.ok(parseFloat(await page.textContent('#hud-fps')) > 0);

    await page.keyboard.press('?');
    assert.equal(await page.evaluate(() => document.getElementById('help').open), true);
    const listed = await page.$$eval('#help-body table:nth-of-type(2) tr', (rows) => rows.length);
    assert.equal(listed, CONTROLS.length, 'one row per control');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.getElementById('help').open), false);
    // Every toolbar button is named for screen readers and says its key.
    const unnamed = await page.$$eval('#toolbar button, #toolbar select', (els) =>
      els.filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim()) || !e.title).map((e) => e.id),
    );
    assert.deepEqual(unnamed, []);
  } finally {
    await context.close();
  }
});

test('a note says when the relief demo model is running, and only then', async () => {
  const relief = await startMockServer({ model: 'relief' });
  try {
    const a = await streaming({}, `${relief.url}/`);
    assert.equal(await a.page.isVisible('#model-note'), true);
    assert.match(await a.page.textContent('#model-note'), /not a learned\s+estimate/);
    await a.page.click('#model-note-close');
    assert.equal(await a.page.isVisible('#model-note'), false, 'the note can be dismissed');
    await a.context.close();
    const b = await streaming();
    assert.equal(await b.page.isVisible('#model-note'), false);
    await b.context.close();
  } finally {
    await relief.close();
  }
});

test('field of view: a diagonal preset goes out as hfov at the camera’s aspect, is remembered, a refused one is one line, the default sends none', async () => {
  const own = await startMockServer({ stab: true });
  const { context, page, log, problems } = await streaming({ reducedMotion: 'reduce' }, `${own.url}/`);
  const hud = (id) => page.textContent(`#${id}`);
  const hudIs = (id, text) =>
    page.waitForFunction(([i, t]) => document.getElementById(i).textContent === t, [id, text], { timeout: 10000 });
  /** The next offer the mock is sent after `count` offers. */
  const nextOffer = async (count) => {
    const until = Date.now() + 10000;
    while (own.offers.length <= count && Date.now() < until) await sleep(50);
    assert.ok(own.offers.length > count, `no new offer${dump(log)}`);
    return own.offers.at(-1);
  };
  try {
    assert.ok(!('hfov' in own.offers[0]), 'by default the page sends no hfov');
    await hudIs('hud-fov', "60.0° · server's --fov");
    // The mock's stabiliser: its state and stage time in the HUD.
    assert.match(await hud('hud-stab'), /^scale 1\.0\d\d · shift 0\.010$/);
    assert.equal(await hud('hud-stab-count'), 'resets 1 · failed 0');
    assert.equal(await hud('hud-t-stabilize'), '0.30');

    // 78° diagonal (Logitech C920) from the menu: converted with the camera track's own aspect ratio.
    await page.keyboard.press('f');
    assert.equal(await page.evaluate(() => document.getElementById('fov').open), true, 'f opens the dialog');
    assert.equal(await page.inputValue('#fov-preset'), 'default');
    await page.selectOption('#fov-preset', String(FOV_PRESETS.findIndex((p) => p.degrees === 78)));
    const size = await page.evaluate(() => window.depthcast.cameraSize());
    assert.ok(size && size.width > 0 && size.height > 0, `camera size ${JSON.stringify(size)}`);
    const want = Math.round(horizontalFromDiagonal(78, size.width, size.height) * 100) / 100;
    assert.equal(
      await page.textContent('#fov-result'),
      `Sends ${want}° horizontal (78° diagonal at the camera's ${size.width}×${size.height} frames).`,
    );
    let count = own.offers.length;
    await page.click('#fov-apply');
    const offer = await nextOffer(count);
    assert.equal(offer.hfov, want, 'the offer carries the converted horizontal field of view');
    assert.equal(await page.evaluate(() => document.getElementById('fov').open), false);
    await hudIs('hud-fov', `${want.toFixed(1)}° · set 78° diagonal`);
    assert.equal(await page.textContent('#fov-label'), '78° diag');

    // Remembered: a new page load sends it again.
    count = own.offers.length;
    await page.reload();
    assert.equal((await nextOffer(count)).hfov, want);
    assert.ok(!(await waitForFrames(page, 3)).error);
    await page.keyboard.press('f');
    assert.equal(await page.inputValue('#fov-preset'), String(FOV_PRESETS.findIndex((p) => p.degrees === 78)));

    // Not a field of view at all: the dialog stays open and says why.
    await page.selectOption('#fov-preset', 'custom');
    await page.fill('#fov-degrees', '0');
    await page.click('#fov-apply');
    assert.equal(await page.evaluate(() => document.getElementById('fov').open), true);
    assert.equal(await page.textContent('#fov-result'), 'Enter a field of view from 1° to 179°.');

    // One the server refuses (170° horizontal): its 400 as one line, and no retrying.
    await page.fill('#fov-degrees', '170');
    await page.selectOption('#fov-axis', 'horizontal');
    assert.equal(await page.inputValue('#fov-preset'), 'custom');
    count = own.offers.length;
    await page.click('#fov-apply');
    assert.equal((await nextOffer(count)).hfov, 170);
    const shown = await page
      .waitForFunction(
        () => {
          const e = document.querySelector('#errors .err');
          return e && /field of view/.test(e.textContent) ? e.textContent : false;
        },
        null,
        { timeout: 10000 },
      )
      .then((h) => h.jsonValue());
    assert.equal(
      shown,
      'The server refused the field of view (170° horizontal): hfov must be from 20 to 150 degrees, got 170. Press f to change it.',
    );
    assert.equal(await page.$$eval('#errors .err', (els) => els.length), 1, 'one message');
    assert.doesNotMatch(await page.textContent('#conn'), /retrying/, 'a refused value is not retried');

    // Back to the server's default: no hfov, streaming again.
    await page.keyboard.press('f');
    await page.selectOption('#fov-preset', 'default');
    assert.equal(await page.isDisabled('#fov-degrees'), true);
    count = own.offers.length;
    await page.click('#fov-apply');
    assert.ok(!('hfov' in (await nextOffer(count))));
    await hudIs('hud-fov', "60.0° · server's --fov");
    assert.equal(await page.textContent('#fov-label'), 'FOV');
    assert.equal(await page.evaluate(() => localStorage.getItem('depthcast.fov')), null);
    // The only problems: the refused offer (its 400 and the page's error line).
    assert.deepEqual(
      problems.filter((p) => !/HTTP 400 POST .*\/api\/sessions|status of 400|field of view/.test(p)),
      [],
      dump(log),
    );
  } finally {
    await context.close();
    await own.close();
  }
});
