// Bundles src/main.js into dist/app.js and src/results-worker.js into dist/results-worker.js, and copies index.html, style.css and favicon.svg next to it.
// Usage: node build.mjs [--dev] [--sourcemap]
//   --dev: no minification, inline source map; --sourcemap: a linked dist/app.js.map (the server
//   serves it only with --serve-source-maps). By default no source map is built: it would show the
//   page's unminified source to anyone.
// The bundle is a classic script (IIFE), not an ES module: browsers refuse module scripts from
// file://, and the page opened from disk is the offline viewer of recordings.
// It builds into dist.next and then swaps it in, so a running server never serves a half-built page.
import { build } from 'esbuild';
import { mkdir, copyFile, rm, rename } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');
const next = join(root, 'dist.next');
const old = join(root, 'dist.old');
const dev = process.argv.includes('--dev');

await rm(next, { recursive: true, force: true });
await mkdir(next, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'main.js')],
  outfile: join(next, 'app.js'),
  bundle: true,
  format: 'iife',
  target: ['es2022'],
  minify: !dev,
  sourcemap: dev ? 'inline' : process.argv.includes('--sourcemap') ? 'linked' : false,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// The results socket's worker (src/results-worker.js): its own classic-script bundle.
await build({
  entryPoints: [join(root, 'src', 'results-worker.js')],
  outfile: join(next, 'results-worker.js'),
  bundle: true,
  format: 'iife',
  target: ['es2022'],
  minify: !dev,
  sourcemap: dev ? 'inline' : process.argv.includes('--sourcemap') ? 'linked' : false,
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(join(root, 'index.html'), join(next, 'index.html'));
await copyFile(join(root, 'favicon.svg'), join(next, 'favicon.svg'));
await copyFile(join(root, 'src', 'style.css'), join(next, 'style.css'));
await rm(old, { recursive: true, force: true });
await rename(out, old).catch((e) => {
  if (e.code !== 'ENOENT') throw e;
});
await rename(next, out);
await rm(old, { recursive: true, force: true });
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('app.js'))].bytes;
console.log(
  `built dist/app.js (${(bytes / 1000).toFixed(0)} kB), dist/results-worker.js, dist/index.html, dist/style.css, dist/favicon.svg`,
);
