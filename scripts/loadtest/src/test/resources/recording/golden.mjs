// Writes golden.dcrec with the page's own recorder (web/src/recording.js): the file that
// ResultsRecordingTest must reproduce byte for byte from the same messages, times and header
// fields, so that a headless recording is one the page's Open/replay reads. Needs web's
// dependencies (cd web && npm ci). Run from the repository root:
//   node scripts/loadtest/src/test/resources/recording/golden.mjs
import { writeFileSync } from 'node:fs';
import { decodeRecording, encodeRecording } from '../../../../../../web/src/recording.js';

const hex = (h) => Uint8Array.from(h.match(/../g).map((b) => parseInt(b, 16)));
// {v: 2, seq: 7, model: 'relief', backend: 'simulated', n: 0}: the header takes its schema from it.
const first = hex('85a17602a373657107a56d6f64656ca672656c696566a76261636b656e64a973696d756c61746564a16e00');
// 300 bytes: a bin 16 frame (the others are bin 8).
const long = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
// {v: 2, seq: 9}
const last = hex('82a17602a373657109');
// t: 0 and 1000 are written as integers (fixint, uint 16), 33.5 and 70000.25 as float 64.
const frames = [
  { t: 0, msg: first },
  { t: 33.5, msg: long },
  { t: 1000, msg: last },
  { t: 70000.25, msg: first },
];
const meta = {
  created: '2026-12-07T21:00:00.000Z',
  source: 'http://127.0.0.1:8080',
  userAgent: 'depthcast-loadtest (webrtc-java)',
  model: 'relief',
  backend: 'simulated',
};
const parts = encodeRecording(frames, meta);
const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
let at = 0;
for (const p of parts) {
  bytes.set(p, at);
  at += p.length;
}
const back = decodeRecording(bytes); // the page's reader accepts it
if (back.frames.length !== frames.length || back.header.protocol !== 2) throw new Error('golden does not read back');
const out = new URL('./golden.dcrec', import.meta.url);
writeFileSync(out, bytes);
console.log(`${out.pathname}: ${bytes.length} bytes, ${back.frames.length} frames`);
