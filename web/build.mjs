// Bundles src/main.js into dist/app.js and copies index.html + style.css next to it.
// Usage: node build.mjs [--dev] [--sourcemap]
//   --dev: no minification, inline source map; --sourcemap: a linked dist/app.js.map (the server
//   serves it only with --serve-source-maps). By default no source map is built: it would show the
//   page's unminified source to anyone.
import { build } from 'esbuild';
import { mkdir, copyFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');
const dev = process.argv.includes('--dev');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'main.js')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: !dev,
  sourcemap: dev ? 'inline' : process.argv.includes('--sourcemap') ? 'linked' : false,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
await copyFile(join(root, 'index.html'), join(out, 'index.html'));
await copyFile(join(root, 'src', 'style.css'), join(out, 'style.css'));
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('app.js'))].bytes;
console.log(`built dist/app.js (${(bytes / 1024).toFixed(0)} KiB), dist/index.html, dist/style.css`);
