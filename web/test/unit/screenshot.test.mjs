// Unit tests for screenshot.mjs's check: README's picture is stale exactly when the page's sources changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFRESH_COMMAND, pageSourceHash, screenshotStatus, staleMessage } from '../../screenshot.mjs';

async function tree() {
  const dir = await mkdtemp(join(tmpdir(), 'depthcast-shot-'));
  const web = join(dir, 'web');
  const docs = join(dir, 'docs');
  await mkdir(join(web, 'src'), { recursive: true });
  await mkdir(docs);
  await writeFile(join(web, 'index.html'), '<!doctype html>');
  await writeFile(join(web, 'favicon.svg'), '<svg/>');
  await writeFile(join(web, 'src', 'main.js'), 'draw();');
  return { dir, web, docs };
}

test('fresh while the sources are those the picture was taken from; stale after any change to them', async () => {
  const { dir, web, docs } = await tree();
  try {
    assert.equal((await screenshotStatus(web, docs)).fresh, false, 'no recorded hash: stale');
    await writeFile(join(docs, 'screenshot.sha256'), `${await pageSourceHash(web)}\n`);
    assert.equal((await screenshotStatus(web, docs)).fresh, true);
    await writeFile(join(web, 'src', 'hud.js'), 'export {};'); // a new source file
    assert.equal((await screenshotStatus(web, docs)).fresh, false);
    await rm(join(web, 'src', 'hud.js'));
    assert.equal((await screenshotStatus(web, docs)).fresh, true);
    await writeFile(join(web, 'index.html'), '<!doctype html><title>x</title>');
    assert.equal((await screenshotStatus(web, docs)).fresh, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stale picture is announced with the command that refreshes it', () => {
  const msg = staleMessage({ fresh: false });
  assert.match(msg, /WARNING: .*screenshot\.png is stale/);
  assert.ok(msg.includes(REFRESH_COMMAND));
  assert.ok(!staleMessage({ fresh: true }).includes('WARNING'));
});
