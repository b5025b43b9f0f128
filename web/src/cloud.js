// Point-cloud message decoding and geometry updating (docs/protocol.md, schema versions 1 and 2).
// Pure module: no DOM, no WebGL; three.js is used only for its BufferAttribute types, so
// everything here runs (and is unit-tested) under plain Node.
import { decode } from '@msgpack/msgpack';
import { BufferAttribute, DynamicDrawUsage } from 'three';
import { COMPACT_VERSION, decodeCompact } from './wire-v2.js';

/** The schema the page expects by default; schema 1 is still read (`--wire v1`). */
export const SCHEMA_VERSION = COMPACT_VERSION;
// `stabilize` (the server's depth stabiliser) comes only from servers that have one, and only while it is on.
export const STAGES = ['ingest', 'queue', 'preprocess', 'inference', 'stabilize', 'unproject', 'encode'];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Wraps the `bin` bytes as little-endian float32 values: a view when the offset is 4-aligned, else a copy. */
export function float32View(bytes, count) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('xyz is not binary');
  if (LITTLE_ENDIAN) {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    const copy = new Uint8Array(count * 4);
    copy.set(bytes.subarray(0, count * 4));
    return new Float32Array(copy.buffer, 0, count);
  }
  // Big-endian host (no browser in practice): decode each value.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
  const f = new Float32Array(count);
  for (let i = 0; i < count; i++) f[i] = dv.getFloat32(i * 4, true);
  return f;
}

function num(v, fallback = 0) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fallback;
}

/**
 * Decodes one binary results message.
 * Returns {v, seq, ts, ingestUs, sentUs, w, h, stride, n, xyz: Float32Array(n*3), rgb: Uint8Array(n*3),
 *          intr, range, timing, stab, batch, dropped, model, backend, level, decodeMs, bytes, warnings: string[]}.
 * `stab` is the server's depth stabiliser state {scale, shift, resets, failed}, or null when the
 * message has none (the stabiliser is off for the session, or the server predates it).
 * Throws on a message that is not a msgpack map, or a schema-2 message whose planes are malformed.
 */
export function decodeCloud(data) {
  const t0 = performance.now();
  const u8 = data instanceof Uint8Array ? data : new Uint8Array(data);
  // useBigInt64 stays off: µs epoch values (~1.7e15) are below 2^53 and come back as plain numbers.
  const m = decode(u8);
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m instanceof Uint8Array) {
    throw new Error('results message is not a msgpack map');
  }
  const warnings = [];
  const v = num(m.v, -1);
  let points;
  const dense = denseOf(m.dense);
  if (dense) {
    // A dense session's metadata: the points are in the video frame tagged with its seq.
    points = { n: Math.max(0, Math.floor(num(m.n))), xyz: new Float32Array(0), rgb: new Uint8Array(0) };
  } else if (v === COMPACT_VERSION) {
    points = decodeCompact(m);
  } else {
    if (v !== 1) warnings.push(`schema version ${v}, expected 1 or ${COMPACT_VERSION}`);
    points = rawPoints(m, warnings);
  }
  const timing = {};
  const t = m.timing && typeof m.timing === 'object' ? m.timing : {};
  for (const k of Object.keys(t)) timing[k] = num(t[k], NaN);
  const intr = m.intr && typeof m.intr === 'object' ? m.intr : {};
  return {
    v,
    seq: num(m.seq),
    ts: num(m.ts),
    ingestUs: num(m.ingestUs, NaN),
    sentUs: num(m.sentUs, NaN),
    w: num(m.w),
    h: num(m.h),
    stride: num(m.stride, 1),
    n: points.n,
    xyz: points.xyz,
    rgb: points.rgb,
    intr: {
      fx: num(intr.fx, NaN),
      fy: num(intr.fy, NaN),
      cx: num(intr.cx, NaN),
      cy: num(intr.cy, NaN),
      fov: num(intr.fov, NaN),
    },
    range: Array.isArray(m.range) ? m.range.map((x) => num(x, NaN)) : [NaN, NaN],
    timing,
    stab: stabOf(m.stab),
    batch: num(m.batch, 1),
    dropped: num(m.dropped),
    model: typeof m.model === 'string' ? m.model : '',
    backend: typeof m.backend === 'string' ? m.backend : '',
    level: num(m.level, 0),
    dense,
    decodeMs: performance.now() - t0,
    bytes: u8.byteLength,
    warnings,
  };
}

/** The `dense` map of a dense session's metadata message (docs/protocol.md), or null. */
function denseOf(d) {
  if (!d || typeof d !== 'object' || Array.isArray(d) || d instanceof Uint8Array) return null;
  const code = Array.isArray(d.code) ? d.code.map((x) => num(x, NaN)) : [16, 24, 32, 235];
  return {
    fw: num(d.fw),
    fh: num(d.fh),
    gw: num(d.gw),
    gh: num(d.gh),
    dx: num(d.dx),
    ty: num(d.ty),
    code: { INVALID: code[0], VALID_FROM: code[1], NEAR: code[2], FAR: code[3] },
  };
}

function stabOf(s) {
  if (!s || typeof s !== 'object' || Array.isArray(s) || s instanceof Uint8Array) return null;
  return { scale: num(s.scale, NaN), shift: num(s.shift, NaN), resets: num(s.resets, NaN), failed: num(s.failed, NaN) };
}

/** Schema 1: xyz float32 and rgb bytes as they are. */
function rawPoints(m, warnings) {
  let n = Math.max(0, Math.floor(num(m.n)));
  const xyzBytes = m.xyz instanceof Uint8Array ? m.xyz : new Uint8Array(0);
  const rgbBytes = m.rgb instanceof Uint8Array ? m.rgb : new Uint8Array(0);
  const fit = Math.min(Math.floor(xyzBytes.byteLength / 12), Math.floor(rgbBytes.byteLength / 3));
  if (fit < n) {
    warnings.push(`n=${n} but xyz has ${xyzBytes.byteLength} B and rgb ${rgbBytes.byteLength} B`);
    n = fit;
  } else if (xyzBytes.byteLength !== n * 12 || rgbBytes.byteLength !== n * 3) {
    warnings.push(`n=${n} but xyz has ${xyzBytes.byteLength} B and rgb ${rgbBytes.byteLength} B`);
  }
  return { n, xyz: float32View(xyzBytes, n * 3), rgb: rgbBytes.subarray(0, n * 3) };
}

/**
 * Keeps the position (float32 xyz) and colour (normalized uint8 rgb) attributes of ONE
 * BufferGeometry and refills them in place each frame. Capacity only grows (x1.5), so a
 * steady stream allocates nothing per frame. Returns true when the attributes were replaced
 * (capacity grew), in which case the old GPU buffers have been released via geometry.dispose().
 */
export class CloudGeometry {
  constructor(geometry, initialPoints = 0) {
    this.geometry = geometry;
    this.capacity = 0;
    this.count = 0;
    this.reallocations = 0;
    if (initialPoints > 0) this.#allocate(initialPoints);
    else geometry.setDrawRange(0, 0);
  }

  #allocate(points) {
    const old = this.capacity;
    this.capacity = points;
    const pos = new BufferAttribute(new Float32Array(points * 3), 3);
    pos.setUsage(DynamicDrawUsage);
    const col = new BufferAttribute(new Uint8Array(points * 3), 3, true);
    col.setUsage(DynamicDrawUsage);
    if (old > 0) {
      // Frees the GL buffers of the old attributes; the renderer uploads the new ones on next draw.
      this.geometry.dispose();
      this.reallocations++;
    }
    this.geometry.setAttribute('position', pos);
    this.geometry.setAttribute('color', col);
  }

  /** Copies one decoded frame into the geometry and sets the draw range to its n points. */
  update(frame) {
    const n = frame.n;
    let grew = false;
    if (n > this.capacity) {
      this.#allocate(Math.max(n, Math.ceil(this.capacity * 1.5), 1024));
      grew = true;
    }
    const pos = this.geometry.getAttribute('position');
    const col = this.geometry.getAttribute('color');
    if (n > 0) {
      pos.array.set(frame.xyz.subarray(0, n * 3));
      col.array.set(frame.rgb.subarray(0, n * 3));
      pos.clearUpdateRanges();
      col.clearUpdateRanges();
      pos.addUpdateRange(0, n * 3);
      col.addUpdateRange(0, n * 3);
      pos.needsUpdate = true;
      col.needsUpdate = true;
    }
    this.geometry.setDrawRange(0, n);
    this.count = n;
    return grew;
  }
}

/** Vertical field of view (degrees) of the source camera, from the message's intrinsics. */
export function sourceVerticalFov(frame) {
  const { fy } = frame.intr;
  if (Number.isFinite(fy) && fy > 0 && frame.h > 0) return (2 * Math.atan(frame.h / 2 / fy) * 180) / Math.PI;
  const hf = frame.intr.fov;
  if (Number.isFinite(hf) && frame.w > 0 && frame.h > 0) {
    return (2 * Math.atan(Math.tan((hf * Math.PI) / 360) * (frame.h / frame.w)) * 180) / Math.PI;
  }
  return NaN;
}
