// README's picture of the page: docs/screenshot.png, and docs/screenshot.sha256, the hash of the
// page's sources it was taken from.
//
//   node screenshot.mjs check             say whether the picture is stale (exit 0 either way)
//   node screenshot.mjs take URL [az,el,d]  retake it from a running server (scripts/screenshot.sh
//                                         starts one and calls this); az,el,d turns the view first
//                                         (degrees, degrees, metres), else the page's first view
//
// Only `take` writes the tracked files, and only when asked: the tests check, never write.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = dirname(fileURLToPath(import.meta.url));
const DOCS = join(WEB, '..', 'docs');
export const REFRESH_COMMAND = 'scripts/screenshot.sh';

/** sha256 over the files the page is built from (index.html, favicon.svg, src/*) under `webDir`. */
export async function pageSourceHash(webDir = WEB) {
  const h = createHash('sha256');
  const files = [
    'index.html',
    'favicon.svg',
    ...(await readdir(join(webDir, 'src'))).sort().map((f) => join('src', f)),
  ];
  for (const f of files) h.update(`${f}\0`).update(await readFile(join(webDir, f)));
  return h.digest('hex');
}

/** Whether the picture in `docsDir` was taken from the sources in `webDir` as they are now. */
export async function screenshotStatus(webDir = WEB, docsDir = DOCS) {
  const recorded = (await readFile(join(docsDir, 'screenshot.sha256'), 'utf8').catch(() => '')).trim();
  const current = await pageSourceHash(webDir);
  return { fresh: recorded === current, recorded, current };
}

/** The check's message: one line when fresh; a banner that cannot be missed when stale. */
export function staleMessage({ fresh }) {
  if (fresh) return 'screenshot: docs/screenshot.png shows the page as its sources are now';
  const line =
    "WARNING: docs/screenshot.png is stale: the page's sources changed since it was taken. " +
    `Refresh it with ${REFRESH_COMMAND} (from the repository root) and commit it.`;
  const bar = '!'.repeat(100);
  return `${bar}\n${line}\n${bar}`;
}

async function take(url, view) {
  // Imported here: `check` runs without a browser.
  const { launchBrowser, openPage, waitForFrames, dump } = await import('./test/browser.mjs');
  const hash = await pageSourceHash();
  const launched = await launchBrowser();
  try {
    const { page, log } = await openPage(launched.browser, url, { viewport: { width: 1280, height: 720 } });
    const got = await waitForFrames(page, 10, 60000);
    if (got.error) throw new Error(`no point clouds from ${url}: ${got.error}${dump(log)}`);
    await page.waitForTimeout(2500); // the HUD's 2 s means fill
    if (view) {
      const [azimuthDeg, elevationDeg, distance] = view.split(',').map(Number);
      await page.evaluate((v) => window.depthcast.setView(v), { azimuthDeg, elevationDeg, distance });
    } else {
      await page.evaluate(() => window.depthcast.do('reset')); // the first view, held still
    }
    // The view is redrawn with new clouds, in its new pose, before the picture is taken.
    const from = await page.evaluate(() => window.depthcast.stats.redraws);
    await page.waitForFunction((want) => window.depthcast.stats.redraws >= want, from + 5, { timeout: 30000 });
    const png = join(DOCS, 'screenshot.png');
    await page.screenshot({ path: png, fullPage: true });
    await writeFile(join(DOCS, 'screenshot.sha256'), `${hash}\n`);
    console.log(
      `screenshot: wrote ${relative(process.cwd(), png)} and screenshot.sha256 (${hash.slice(0, 12)}…): commit both`,
    );
  } finally {
    await launched.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'check') {
    const status = await screenshotStatus();
    (status.fresh ? console.log : console.error)(staleMessage(status));
  } else if (command === 'take' && args[0]) {
    await take(args[0], args[1]);
  } else {
    console.error('usage: node screenshot.mjs check | take URL [azimuth,elevation,distance]');
    process.exit(2);
  }
}
