// Unit tests for src/reconnect.js and src/controls.js (pure parts of the page's behaviour).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, CLOSE_DRAINING, retryWaitMs, shouldRetry } from '../../src/reconnect.js';
import { CONTROLS, actionForKey } from '../../src/controls.js';

test('backoff doubles from 1 s to a 30 s ceiling and restarts after reset', () => {
  const b = new Backoff();
  assert.deepEqual(
    Array.from({ length: 8 }, () => b.next()),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  b.reset();
  assert.equal(b.next(), 1000);
});

test('retry when unreachable, on server errors and 503; not on request refusals or a takeover', () => {
  assert.equal(shouldRetry({ status: 0 }), true);
  assert.equal(shouldRetry({ status: 503 }), true);
  assert.equal(shouldRetry({ status: 500 }), true);
  assert.equal(shouldRetry({ closeCode: 1006 }), true);
  assert.equal(shouldRetry({ closeCode: 1000 }), true);
  assert.equal(shouldRetry({ status: 400 }), false);
  assert.equal(shouldRetry({ status: 404 }), false);
  assert.equal(shouldRetry({ closeCode: 4000 }), false);
});

test('a draining node (4001) is left at once, without using up the backoff; other losses back off', () => {
  const b = new Backoff();
  assert.equal(CLOSE_DRAINING, 4001);
  assert.equal(shouldRetry({ closeCode: 4001 }), true);
  assert.equal(retryWaitMs(b, { closeCode: 4001 }), 0);
  assert.equal(retryWaitMs(b, { closeCode: 4001 }), 0);
  assert.equal(retryWaitMs(b, { closeCode: 1006 }), 1000, 'the backoff was not advanced by the drains');
  assert.equal(retryWaitMs(b, { status: 0 }), 2000);
});

test('every key maps to exactly one action; letters ignore Caps Lock but not Ctrl/Alt', () => {
  const seen = new Map();
  for (const c of CONTROLS) {
    for (const k of c.keys) {
      assert.ok(!seen.has(k), `key ${k} bound to ${seen.get(k)} and ${c.action}`);
      seen.set(k, c.action);
      assert.equal(actionForKey({ key: k, shiftKey: k === '?' }), c.action, k);
    }
  }
  assert.equal(actionForKey({ key: 'P' }), 'pause'); // Caps Lock
  assert.equal(actionForKey({ key: 'p', ctrlKey: true }), null); // browser shortcuts stay the browser's
  assert.equal(actionForKey({ key: 'ArrowLeft', shiftKey: true }), 'orbitLeft'); // Shift = pan, same action
  assert.equal(actionForKey({ key: 'q' }), null);
});
