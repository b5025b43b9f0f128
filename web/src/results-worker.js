// The results WebSocket, in a worker: receive, decode, acknowledge, hand the cloud to the page.
//
// Why a worker: the server sends a result only when the page has acknowledged the one before
// (docs/protocol.md, "Acks"), so anything that delays the ack slows the stream. On the page's main
// thread a message waits behind rendering — with software compositing a redraw blocks the main
// thread for tens of ms, and ack round trips of ~90 ms on loopback held one browser to ~22
// results/s. Here a result is acknowledged as soon as it arrives, whatever the page is
// drawing; the page draws the newest decoded cloud at its own pace.
//
// Page → worker messages:
//   {type: 'open', url}            open the results socket (the URL carries the token, if any)
//   {type: 'ping'}                 send a clock-sync ping stamped now
//   {type: 'record', on}           also hand over each message's bytes (the page is recording)
//   {type: 'ready'}                the page has taken the last result: the next may come
//   {type: 'close'}                close the socket (1000) and end the worker
// Worker → page messages (times are epoch ms, performance.timeOrigin + performance.now(), which
// is the same clock in the page and in the worker):
//   {type: 'open'}
//   {type: 'result', frame, raw?, at, superseded}  a decoded cloud (cloud.js decodeCloud), its
//                                      bytes when recording, its arrival time, and how many newer
//                                      ones replaced unseen clouds before it; arrays are transferred
//   {type: 'bad-result', message, raw?, at, superseded}   a binary message that did not decode
//   {type: 'pong', msg, at}        the server's pong and when it arrived
//   {type: 'server-error', message}
//   {type: 'closed', code, reason, opened}
import { decodeCloud } from './cloud.js';

const now = () => performance.timeOrigin + performance.now();
let ws = null;
let opened = false;
let recording = false;

function send(obj) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
}

function onBinary(data) {
  const at = now();
  // Acknowledged on arrival, before decoding: the page has the result, and the next one can come
  // while this one decodes. Without seq the ack covers the oldest unacknowledged result, which is
  // this one: results arrive in order and each is acked once (docs/protocol.md, "Acks").
  send({ type: 'ack' });
  const raw = recording ? data.slice(0) : undefined;
  let frame;
  try {
    frame = decodeCloud(data);
  } catch (e) {
    hand({ type: 'bad-result', message: e.message, raw, at });
    return;
  }
  hand({ type: 'result', frame, raw, at });
}

// At most one decoded cloud waits for the page: the page says 'ready' when it has taken the last
// one, and until then a newer cloud replaces the waiting one (counted in the next as `superseded`).
// Without this a page whose main thread falls behind (software GL, a slow phone) would queue
// clouds here and draw ever older ones.
let pageReady = true;
let waiting = null;
let superseded = 0;

function hand(m) {
  if (m.frame?.dense) {
    // A dense frame's metadata: a few hundred bytes the page needs to pair with its video frame,
    // never replaced (the video frames are not either).
    self.postMessage(m);
    return;
  }
  if (waiting) superseded++;
  waiting = m;
  if (pageReady) flush();
}

function flush() {
  const m = waiting;
  if (!m) return;
  waiting = null;
  pageReady = false;
  m.superseded = superseded;
  superseded = 0;
  const transfer = new Set();
  if (m.frame) {
    transfer.add(m.frame.xyz.buffer);
    transfer.add(m.frame.rgb.buffer);
  }
  if (m.raw) transfer.add(m.raw);
  self.postMessage(m, [...transfer]);
}

function onText(text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return;
  }
  if (msg && msg.type === 'pong') self.postMessage({ type: 'pong', msg, at: now() });
  // Not in docs/protocol.md, but the server sends {"type":"error","message":…} (at most 1/s)
  // when processing this session's frames fails.
  else if (msg && msg.type === 'error') self.postMessage({ type: 'server-error', message: String(msg.message) });
}

function open(url) {
  ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    opened = true;
    self.postMessage({ type: 'open' });
  };
  ws.onmessage = (ev) => (typeof ev.data === 'string' ? onText(ev.data) : onBinary(ev.data));
  ws.onerror = () => {}; // the close event carries what we can know
  ws.onclose = (ev) => self.postMessage({ type: 'closed', code: ev.code, reason: ev.reason, opened });
}

self.onmessage = (ev) => {
  const m = ev.data;
  switch (m && m.type) {
    case 'open':
      open(m.url);
      break;
    case 'ping':
      send({ type: 'ping', t: now() });
      break;
    case 'record':
      recording = Boolean(m.on);
      break;
    case 'dense':
      // The page's dense switch (its user, or its stall fallback): docs/protocol.md, "Dense frames".
      send({ type: 'dense', on: Boolean(m.on) });
      break;
    case 'ready':
      pageReady = true;
      flush();
      break;
    case 'close':
      if (ws) {
        ws.onclose = null;
        ws.close(1000, 'page closed');
      }
      self.close();
      break;
    default:
      break;
  }
};
