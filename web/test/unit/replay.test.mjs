// Unit tests for src/replay.js: a recording played at its recorded pace, looping and pausing, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOOP_GAP_MS, Replay, replayProgress } from '../../src/replay.js';
import { FakeTimers } from './fake-timers.mjs';

/** A recording of three messages at 0, 100 and 250 ms; each message is its own index. */
const RECORDING = {
  header: { durationMs: 250 },
  frames: [
    { t: 0, msg: 0 },
    { t: 100, msg: 1 },
    { t: 250, msg: 2 },
  ],
};

function play() {
  const timers = new FakeTimers(1000);
  const played = []; // [message, fake time]
  const progress = [];
  const replay = new Replay('a.dcrec', RECORDING, {
    onMessage: (m) => played.push([m, timers.now()]),
    onProgress: (t) => progress.push(t),
    timers,
  });
  return { timers, played, progress, replay };
}

test('nothing plays before start; then each message at its recorded time', () => {
  const { timers, played, replay } = play();
  assert.equal(timers.count, 0);
  replay.start();
  timers.advance(249);
  assert.deepEqual(played, [
    [0, 1000],
    [1, 1100],
  ]);
  timers.advance(1);
  assert.deepEqual(played.at(-1), [2, 1250]);
});

test('after the last message it loops from the first, one frame gap later, and says which loop', () => {
  const { timers, played, progress, replay } = play();
  replay.start();
  timers.advance(250 + LOOP_GAP_MS + 100);
  assert.deepEqual(
    played.map(([m]) => m),
    [0, 1, 2, 0, 1],
  );
  assert.ok(Math.abs(played[3][1] - (1250 + LOOP_GAP_MS)) < 1e-9, `second loop starts at ${played[3][1]}`);
  assert.equal(progress[0], 'Replaying a.dcrec: frame 1/3, 0.0/0.3 s');
  assert.equal(progress[3], 'Replaying a.dcrec: frame 1/3, 0.0/0.3 s (loop 2)');
  assert.equal(replay.loops, 1);
});

test('paused, the recording stands still and resumes where it was', () => {
  const { timers, played, replay } = play();
  replay.start();
  timers.advance(50); // message 0 played; message 1 is due 50 ms from here
  replay.setPaused(true);
  timers.advance(10_000);
  assert.deepEqual(
    played.map(([m]) => m),
    [0],
  );
  replay.setPaused(true); // again: no change
  replay.setPaused(false);
  timers.advance(49);
  assert.equal(played.length, 1);
  timers.advance(1);
  assert.deepEqual(played.at(-1), [1, 11_100]);
});

test('stop ends it: no timer left, no more messages', () => {
  const { timers, played, replay } = play();
  replay.start();
  timers.advance(120);
  replay.stop();
  assert.equal(timers.count, 0);
  timers.advance(10_000);
  assert.equal(played.length, 2);
});

test('the progress line counts frames from 1 and names the loop only from the second', () => {
  assert.equal(
    replayProgress({ name: 'x', index: 0, count: 40, t: 0, lastT: 1330, loops: 0 }),
    'Replaying x: frame 1/40, 0.0/1.3 s',
  );
  assert.equal(
    replayProgress({ name: 'x', index: 39, count: 40, t: 1330, lastT: 1330, loops: 2 }),
    'Replaying x: frame 40/40, 1.3/1.3 s (loop 3)',
  );
});
