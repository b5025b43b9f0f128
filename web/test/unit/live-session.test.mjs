// Unit tests for src/live-session.js: the live connection's states with a fake camera, fake
// sessions and a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSession, cameraErrorMessage, describeApiError } from '../../src/live-session.js';
import { createStats } from '../../src/page-stats.js';
import { ApiError } from '../../src/session.js';
import { FakeTimers } from './fake-timers.mjs';

const settle = () => new Promise((r) => setImmediate(r));

/** Stands in for src/session.js's Session: start() resolves (or rejects with `failWith`). */
class FakeSession {
  constructor(id, failWith) {
    this.id = id;
    this.failWith = failWith;
    this.closed = false;
    this.recording = false;
  }
  async start() {
    if (this.failWith) throw this.failWith;
  }
  close() {
    this.closed = true;
  }
  setRecording(on) {
    this.recording = on;
  }
}

function fakeStream() {
  const track = {
    readyState: 'live',
    listeners: {},
    addEventListener(type, fn) {
      this.listeners[type] = fn;
    },
  };
  return { track, getVideoTracks: () => [track] };
}

/** A LiveSession with everything faked; `ui.calls` lists what it showed, in order. */
function rig({ camera = async () => fakeStream(), startFailures = [] } = {}) {
  const stats = createStats();
  const timers = new FakeTimers();
  const sessions = [];
  const results = [];
  const calls = [];
  const conn = { shown: false, text: '', button: '' };
  const ui = {
    calls,
    conn,
    setStatus: (text, bad = false) => {
      stats.phase = text;
      calls.push(['status', text, bad]);
    },
    showError: (message, { fatal = true } = {}) => {
      if (fatal) stats.phase = 'error';
      calls.push(['error', message, fatal]);
    },
    logError: (message) => calls.push(['log', message]),
    showCamera: () => calls.push(['camera']),
    showStartButton: (show) => calls.push(['start-button', show]),
    showConn: (text, button) => Object.assign(conn, { shown: true, text, button }),
    hideConn: () => Object.assign(conn, { shown: false }),
    sessionStarted: (id) => calls.push(['session', id]),
  };
  let cameraOpens = 0;
  const live = new LiveSession({
    stats,
    ui,
    timers,
    openCamera: () => {
      cameraOpens++;
      return camera();
    },
    createSession: () => {
      const s = new FakeSession(`s${sessions.length + 1}`, startFailures.shift());
      sessions.push(s);
      return s;
    },
    onResult: (m) => results.push(m),
    onPong: () => {},
  });
  return { live, stats, timers, sessions, results, ui, cameraOpens: () => cameraOpens };
}

const unreachable = () => new ApiError(0, '', '/api/sessions');

test('connect opens the camera once, shows it and starts a session; a second connect replaces the session', async () => {
  const { live, stats, sessions, ui, cameraOpens } = rig();
  await live.connect();
  assert.equal(sessions.length, 1);
  assert.equal(live.session, sessions[0]);
  assert.deepEqual(ui.calls, [
    ['start-button', false],
    ['status', 'asking for the camera', false],
    ['camera'],
    ['status', 'connecting', false],
    ['session', 's1'],
  ]);
  assert.equal(stats.phase, 'connecting');
  await live.connect();
  assert.equal(cameraOpens(), 1, 'the open camera is reused');
  assert.equal(sessions[0].closed, true);
  assert.equal(live.session, sessions[1]);
});

test('a refused camera permission is said, with the Start camera button; no session starts', async () => {
  const { live, sessions, ui } = rig({
    camera: async () => {
      throw Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    },
  });
  await live.connect();
  assert.equal(sessions.length, 0);
  assert.deepEqual(ui.calls.slice(-2), [
    ['error', cameraErrorMessage({ name: 'NotAllowedError' }), true],
    ['start-button', true],
  ]);
});

test('a missing camera is said without the button', async () => {
  const { live, ui } = rig({
    camera: async () => {
      throw Object.assign(new Error('none'), { name: 'NotFoundError' });
    },
  });
  await live.connect();
  assert.deepEqual(ui.calls.at(-1), ['error', 'No camera found: depthcast needs a webcam.', true]);
});

test('a lost session counts down, retries after 1 s, 2 s, …, and starts over at 1 s once results flow', async () => {
  const { live, stats, timers, sessions, ui } = rig();
  await live.connect();
  sessions[0].onError(unreachable(), true);
  assert.equal(sessions[0].closed, true);
  assert.equal(live.session, null);
  assert.equal(stats.phase, 'reconnecting');
  assert.deepEqual(ui.conn, { shown: true, text: 'server unreachable — retrying in 1 s', button: 'Retry now' });
  timers.advance(999);
  assert.equal(sessions.length, 1);
  timers.advance(1);
  await settle();
  assert.equal(sessions.length, 2);
  assert.equal(stats.reconnects, 1);
  assert.equal(
    ui.calls.filter(([k, t]) => k === 'status' && t === 'connecting').length,
    1,
    'the status stays "reconnecting" while retrying',
  );

  sessions[1].onError(unreachable(), true);
  assert.equal(ui.conn.text, 'server unreachable — retrying in 2 s');
  timers.advance(1000);
  assert.equal(ui.conn.text, 'server unreachable — retrying in 1 s', 'the countdown runs');
  timers.advance(1000);
  await settle();
  assert.equal(sessions.length, 3);

  live.streaming();
  assert.equal(ui.conn.shown, false);
  assert.equal(timers.count, 0, 'no countdown or retry left');
  sessions[2].onError(unreachable(), true);
  assert.equal(ui.conn.text, 'server unreachable — retrying in 1 s');
});

test('a session that fails to start is retried like a lost one', async () => {
  const { live, timers, sessions, ui } = rig({ startFailures: [new ApiError(503, 'full', '/api/sessions')] });
  await live.connect();
  assert.equal(ui.conn.text, 'The server refused the session (503 — at capacity): full — retrying in 1 s');
  timers.advance(1000);
  await settle();
  assert.equal(sessions.length, 2);
  assert.equal(live.session, sessions[1]);
  assert.deepEqual(ui.calls.at(-1), ['session', 's2']);
});

test('a refusal of the request itself, or a takeover by another page, is shown without a retry', async () => {
  for (const [e, closeCode] of [
    [new ApiError(400, 'bad offer', '/api/sessions'), undefined],
    [Object.assign(new Error('replaced'), { closeCode: 4000 }), 4000],
  ]) {
    const { live, timers, sessions, ui } = rig();
    await live.connect();
    sessions[0].onError(e, true);
    assert.deepEqual(ui.calls.slice(-2), [
      ['log', describeApiError(e)],
      ['error', describeApiError(e), true],
    ]);
    assert.deepEqual(ui.conn, { shown: true, text: '', button: 'Reconnect' }, `close code ${closeCode}`);
    assert.equal(timers.count, 0);
    await live.retryNow();
    assert.equal(sessions.length, 2, 'the button reconnects');
  }
});

test('a draining node (4001) is left at once', async () => {
  const { live, timers, sessions } = rig();
  await live.connect();
  sessions[0].onError(Object.assign(new Error('draining'), { closeCode: 4001 }), true);
  timers.advance(0);
  await settle();
  assert.equal(sessions.length, 2);
});

test("a replaced session's late results, status and errors are ignored", async () => {
  const { live, stats, sessions, results, ui } = rig();
  await live.connect();
  await live.connect();
  const before = ui.calls.length;
  sessions[0].onResult({ type: 'result' });
  sessions[0].onStatus('WebRTC connected');
  sessions[0].onError(unreachable(), true);
  assert.deepEqual(results, []);
  assert.equal(ui.calls.length, before);
  assert.equal(live.session, sessions[1]);
  sessions[1].onResult({ type: 'result', n: 1 });
  sessions[1].onStatus('WebRTC connected');
  assert.deepEqual(results, [{ type: 'result', n: 1 }]);
  assert.equal(stats.phase, 'WebRTC connected');
  stats.phase = 'streaming';
  sessions[1].onStatus('results socket open');
  assert.equal(stats.phase, 'streaming', 'a streaming page keeps its status');
  sessions[1].onError(new Error('addIceCandidate failed'), false);
  assert.deepEqual(ui.calls.at(-1), ['error', 'addIceCandidate failed', false]);
  assert.equal(live.session, sessions[1], 'a non-fatal error keeps the session');
});

test('stop (a replay takes the page) closes the session and cancels a pending retry; losses while replaying are not retried', async () => {
  const { live, stats, timers, sessions, ui } = rig();
  await live.connect();
  sessions[0].onError(unreachable(), true);
  live.stop();
  assert.equal(ui.conn.shown, false);
  assert.equal(timers.count, 0);
  stats.source = 'replay';
  await live.connect();
  assert.equal(sessions.length, 1, 'no session while replaying');
  live.lost(unreachable());
  assert.equal(timers.count, 0);
});

test('recording: a new session starts recording if the page records; setRecording reaches the current session', async () => {
  const { live, sessions } = rig();
  await live.connect();
  live.setRecording(true);
  assert.equal(sessions[0].recording, true);
  live.isRecording = () => true;
  await live.connect();
  assert.equal(sessions[1].recording, true);
});

test('an ended camera track is said, and the next connect asks for the camera again', async () => {
  let stream;
  const { live, ui, cameraOpens } = rig({ camera: async () => (stream = fakeStream()) });
  await live.connect();
  stream.track.readyState = 'ended';
  stream.track.listeners.ended();
  assert.deepEqual(ui.calls.at(-1), ['error', 'The camera stopped (track ended).', true]);
  await live.connect();
  assert.equal(cameraOpens(), 2);
});

test('errors read as a person would say them', () => {
  assert.equal(describeApiError(new ApiError(0, '', '/api/sessions')), 'server unreachable');
  assert.equal(describeApiError(new ApiError(500, 'boom', '/api/sessions')), 'Server error 500 on /api/sessions: boom');
  assert.equal(
    describeApiError(new ApiError(503, '', '/api/sessions')),
    'The server refused the session (503 — at capacity): no reason given',
  );
  assert.equal(describeApiError(new Error('ICE failed')), 'ICE failed');
  assert.match(cameraErrorMessage({ name: 'NotReadableError', message: 'busy' }), /another application.*busy/);
  assert.equal(cameraErrorMessage({ name: 'Weird', message: '' }), 'Camera error: Weird');
});

test('a 400 about the field of view the page sent names it, in one line, and says how to change it', () => {
  const reason = 'hfov must be from 20 to 150 degrees, got 160.';
  const refused = Object.assign(new ApiError(400, reason, 'POST /api/sessions'), { hfov: 160 });
  const text = describeApiError(refused);
  assert.equal(
    text,
    'The server refused the field of view (160° horizontal): hfov must be from 20 to 150 degrees, got 160. Press f to change it.',
  );
  assert.ok(!text.includes('\n'));
  // Another 400 of the same offer, or one when no field of view was sent, reads as before.
  const sdp = Object.assign(new ApiError(400, 'malformed SDP', 'POST /api/sessions'), { hfov: 160 });
  assert.equal(describeApiError(sdp), 'Server error 400 on POST /api/sessions: malformed SDP');
  const plain = new ApiError(400, 'hfov must be from 20 to 150 degrees', 'POST /api/sessions');
  assert.match(describeApiError(plain), /^Server error 400/);
});
