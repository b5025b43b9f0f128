import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SWAY_FPS, swayRedrawDue } from '../../src/redraw.js';

test('the sway alone redraws at most SWAY_FPS times a second on a 60 Hz display', () => {
  let last = -Infinity;
  let draws = 0;
  for (let i = 0; i < 600; i++) {
    // 10 s of 60 Hz animation frames
    const now = i * (1000 / 60);
    if (swayRedrawDue(now, last)) {
      draws++;
      last = now;
    }
  }
  assert.ok(draws <= SWAY_FPS * 10 + 1, `${draws} redraws in 10 s`);
  assert.ok(draws >= SWAY_FPS * 10 - 1, `the sway still moves smoothly: ${draws} redraws in 10 s`);
});

test('a redraw for a new cloud restarts the interval: the sway adds none while clouds arrive at 30/s', () => {
  let last = -Infinity;
  let swayOnly = 0;
  for (let i = 0; i < 600; i++) {
    const now = i * (1000 / 60);
    const cloud = i % 2 === 0; // a cloud every other frame: 30 results/s
    if (cloud) last = now;
    else if (swayRedrawDue(now, last)) {
      swayOnly++;
      last = now;
    }
  }
  assert.equal(swayOnly, 0);
});

test('the first tick redraws', () => {
  assert.ok(swayRedrawDue(0, -Infinity));
});
