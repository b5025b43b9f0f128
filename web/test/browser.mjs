// Shared by the browser tests: launches Debian's Chromium (headless, fake camera, no GPU) with
// only the flags below, and opens pages that record what would be wrong on load (console errors,
// uncaught exceptions, failed requests, HTTP errors such as a missing favicon).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
export const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

/** {browser, close()}: a browser on a fresh profile, removed on close. */
export async function launchBrowser() {
  const profileDir = await mkdtemp(join(tmpdir(), 'depthcast-chromium-'));
  // Only the flags above plus what Playwright needs to drive the browser (its pipe) and the
  // fresh profile: Playwright's own default switches are left out on purpose.
  const browser = await chromium.launch({
    executablePath: EXECUTABLE,
    ignoreDefaultArgs: true,
    args: [...FLAGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', '--no-startup-window'],
    timeout: 60000,
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/**
 * Opens `url` in a new context. Returns {context, page, log, problems}: `problems` collects console
 * errors, page errors, failed requests and HTTP responses >= 400 — a clean load leaves it empty.
 * (Chromium's own warnings about software WebGL are console *warnings* and are not problems.)
 */
export async function openPage(
  browser,
  url,
  {
    viewport = { width: 1280, height: 720 },
    reducedMotion = 'no-preference',
    hasTouch = false,
    isMobile = false,
    waitUntil = 'load',
  } = {},
) {
  // ignoreHTTPSErrors: a self-signed certificate on a loopback https:// server (--tls-cert) is fine here.
  const context = await browser.newContext({
    viewport,
    ignoreHTTPSErrors: true,
    reducedMotion,
    hasTouch,
    isMobile,
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const log = [];
  const problems = [];
  page.on('console', (m) => {
    log.push(`[console.${m.type()}] ${m.text()}`);
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    log.push(`[pageerror] ${e.message}`);
    problems.push(`uncaught: ${e.message}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText;
    log.push(`[requestfailed] ${r.method()} ${r.url()} ${why}`);
    // A DELETE sent with keepalive while the page closes is cut off by design.
    if (!/ERR_ABORTED/.test(why || '')) problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await page.goto(url, { waitUntil, timeout: 30000 });
  return { context, page, log, problems };
}

export function dump(log) {
  return log.length ? `\npage log:\n  ${log.slice(-40).join('\n  ')}` : '';
}

/** Waits until the page has received `n` results messages (or reported a fatal error). */
export async function waitForFrames(page, n, timeout = 20000) {
  const outcome = await page
    .waitForFunction(
      (want) => {
        const d = window.depthcast;
        if (!d) return false;
        return d.stats.frames >= want ? { ok: true } : false;
      },
      n,
      { timeout, polling: 100 },
    )
    .then(
      (h) => h.jsonValue(),
      async (e) => ({
        error: `${e.message.split('\n')[0]}; stats=${JSON.stringify(await page.evaluate(() => window.depthcast?.stats).catch(() => null))}`,
      }),
    );
  return outcome;
}
