// Unit tests for src/recording.js: the .dcrec format round trip and its refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMulti, encode } from '@msgpack/msgpack';
import { Recorder, decodeRecording, encodeRecording, recordingFileName } from '../../src/recording.js';

const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

test('recorder keeps messages with times from the first one, stops at maxMs', () => {
  const r = new Recorder({ maxMs: 100 });
  assert.equal(r.add(new Uint8Array([1, 2, 3]).buffer, 5000), true);
  assert.equal(r.add(new Uint8Array([4]), 5050), true);
  assert.equal(r.add(new Uint8Array([5]), 5101), false);
  assert.deepEqual(
    r.frames.map((f) => f.t),
    [0, 50],
  );
  assert.equal(r.bytes, 4);
  assert.equal(r.durationMs, 50);
});

test('round trip: header fields and message bytes come back exactly', () => {
  const msgs = [encode({ v: 1, seq: 1 }), encode({ v: 1, seq: 2, n: 0 })];
  const file = concat(
    encodeRecording(
      [
        { t: 0, msg: msgs[0] },
        { t: 33.5, msg: msgs[1] },
      ],
      { created: '2026-11-28T10:00:00.000Z', model: 'relief' },
    ),
  );
  const { header, frames } = decodeRecording(file);
  assert.equal(header.format, 'depthcast-recording');
  assert.equal(header.version, 1);
  assert.equal(header.frames, 2);
  assert.equal(header.durationMs, 33.5);
  assert.equal(header.model, 'relief');
  assert.deepEqual(
    frames.map((f) => f.t),
    [0, 33.5],
  );
  assert.deepEqual([...frames[1].msg], [...msgs[1]]);
});

test('the file is a plain msgpack stream any reader can walk', () => {
  const file = concat(encodeRecording([{ t: 0, msg: new Uint8Array([9]) }]));
  const objs = [...decodeMulti(file)];
  assert.equal(objs.length, 2);
  assert.equal(objs[0].format, 'depthcast-recording');
  assert.deepEqual([...objs[1].msg], [9]);
});

test('refuses what is not a recording, says why', () => {
  assert.throws(() => decodeRecording(new Uint8Array(0)), /not a depthcast recording \(the file is empty\)/);
  assert.throws(() => decodeRecording(encode({ v: 1, seq: 1 })), /not a depthcast recording/);
  assert.throws(
    () => decodeRecording(new TextEncoder().encode('ply\nformat ascii 1.0\n')),
    /not a depthcast recording/,
  );
  assert.throws(
    () => decodeRecording(encode({ format: 'depthcast-recording', version: 2 })),
    /version 2; this page reads version 1/,
  );
  assert.throws(() => decodeRecording(concat(encodeRecording([]))), /no frames/);
  const good = concat(
    encodeRecording([
      { t: 0, msg: new Uint8Array(100) },
      { t: 1, msg: new Uint8Array(100) },
    ]),
  );
  assert.throws(() => decodeRecording(good.subarray(0, good.length - 20)), /truncated after 1 frames/);
});

test('file name carries the local time', () => {
  assert.equal(recordingFileName(new Date(2026, 10, 28, 9, 5, 7)), 'depthcast-20261128-090507.dcrec');
});
