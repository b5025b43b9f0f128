// Recordings: N seconds of results messages in one file that the page replays offline.
// Format (docs/recording.md): msgpack objects written one after another: a header map, then one
// map per frame {t: ms since the first frame, msg: the results message's bytes exactly as received}.
// Any msgpack stream reader (e.g. @msgpack/msgpack decodeMulti, Python msgpack.Unpacker) reads it.
import { decode, decodeMulti, encode } from '@msgpack/msgpack';

export const RECORDING_FORMAT = 'depthcast-recording';
export const RECORDING_VERSION = 1;
export const RECORDING_EXTENSION = '.dcrec';

/** Collects raw results messages with their arrival times, up to `maxMs` of stream. */
export class Recorder {
  constructor({ maxMs = 10000 } = {}) {
    this.maxMs = maxMs;
    this.frames = []; // {t, msg: Uint8Array}
    this.t0 = NaN;
    this.bytes = 0;
  }
  /** Adds one message received at page time `nowMs`; returns false once `maxMs` is reached (the message is not kept). */
  add(message, nowMs) {
    if (!this.frames.length) this.t0 = nowMs;
    const t = nowMs - this.t0;
    if (t > this.maxMs) return false;
    const msg = message instanceof Uint8Array ? message : new Uint8Array(message);
    this.frames.push({ t, msg });
    this.bytes += msg.byteLength;
    return true;
  }
  get durationMs() {
    return this.frames.length ? this.frames[this.frames.length - 1].t : 0;
  }
  /** The file as parts for a Blob: header first, then one encoded map per frame. */
  encode(meta = {}) {
    return encodeRecording(this.frames, meta);
  }
}

function schemaOf(msg) {
  try {
    const m = decode(msg);
    return m && typeof m.v === 'number' ? m.v : 1;
  } catch {
    return 1;
  }
}

/** Encodes frames [{t, msg}] and header fields `meta` (created, source, …) into the file's parts. */
export function encodeRecording(frames, meta = {}) {
  const header = {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    created: meta.created ?? new Date().toISOString(),
    frames: frames.length,
    durationMs: frames.length ? frames[frames.length - 1].t : 0,
    // The schema of the messages inside, from the first one's own `v` (each message says it too).
    protocol: frames.length ? schemaOf(frames[0].msg) : 2,
    ...meta,
  };
  return [encode(header), ...frames.map((f) => encode({ t: f.t, msg: f.msg }))];
}

/**
 * Reads a recording file's bytes. Returns {header, frames: [{t, msg: Uint8Array}]}. Throws an
 * Error saying what is wrong when the bytes are not a depthcast recording of a known version.
 */
export function decodeRecording(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let header = null;
  const frames = [];
  try {
    for (const obj of decodeMulti(u8)) {
      if (header === null) {
        if (!obj || typeof obj !== 'object' || obj.format !== RECORDING_FORMAT) {
          throw new Error(`not a depthcast recording (its first object is not a "${RECORDING_FORMAT}" header)`);
        }
        if (obj.version !== RECORDING_VERSION) {
          throw new Error(`recording version ${obj.version}; this page reads version ${RECORDING_VERSION}`);
        }
        header = obj;
        continue;
      }
      if (!obj || typeof obj.t !== 'number' || !(obj.msg instanceof Uint8Array)) {
        throw new Error(`frame ${frames.length} is not {t: number, msg: bin}`);
      }
      frames.push({ t: obj.t, msg: obj.msg });
    }
  } catch (e) {
    if (header === null && !/depthcast recording|recording version/.test(e.message)) {
      throw new Error(`not a depthcast recording (${e.message})`);
    }
    if (header === null || /recording version|is not \{t/.test(e.message)) throw e;
    throw new Error(`recording truncated after ${frames.length} frames (${e.message})`);
  }
  if (header === null) throw new Error('not a depthcast recording (the file is empty)');
  if (!frames.length) throw new Error('the recording holds no frames');
  return { header, frames };
}

/** A file name for a recording made now: depthcast-YYYYMMDD-HHMMSS.dcrec (local time). */
export function recordingFileName(date = new Date()) {
  const p = (v) => String(v).padStart(2, '0');
  return `depthcast-${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}${RECORDING_EXTENSION}`;
}
