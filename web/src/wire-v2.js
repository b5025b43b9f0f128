// Schema 2 of the point-cloud message (docs/protocol.md, "Schema 2"): points as grid cells with a
// log-quantised depth and YCbCr colour, each plane predicted (median edge detector) and
// raw-deflated. This module turns the decoded msgpack map into schema 1's arrays (xyz float32,
// rgb uint8), so the rest of the page does not care which schema arrived. Pure: no DOM, runs
// under Node for the golden-message tests. Mirrors server/…/wire/V2Decoder.java.
import { inflateSync } from 'fflate';

export const COMPACT_VERSION = 2;

/** A stream longer than this many bytes a cell is malformed (a varint is at most 5 bytes). */
const MAX_BYTES_PER_CELL = 5;

function bin(m, key) {
  const v = m[key];
  if (!(v instanceof Uint8Array)) throw new Error(`schema 2: '${key}' is missing or not binary`);
  return v;
}

function numbers(m, key, length) {
  const v = m[key];
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number')) {
    throw new Error(`schema 2: '${key}' must be an array of ${length} numbers`);
  }
  return v;
}

function inflate(data, limit, what) {
  let out;
  try {
    out = inflateSync(data);
  } catch (e) {
    throw new Error(`schema 2: '${what}' is not raw deflate (${e.message})`);
  }
  if (out.length > limit) throw new Error(`schema 2: '${what}' inflates past ${limit} bytes`);
  return out;
}

/**
 * Rebuilds a grid from its residual stream (docs/protocol.md, "Grid coding"): present cells read a
 * zigzag LEB128 residual added to the median-edge prediction; absent cells take the prediction.
 * Returns the bytes consumed from `from`.
 */
export function decodeGrid(g, present, width, height, bytes, from, what) {
  let at = 0;
  let pos = from;
  const end = bytes.length;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, at++) {
      let p;
      if (y === 0) {
        p = x === 0 ? 0 : g[at - 1];
      } else if (x === 0) {
        p = g[at - width];
      } else {
        const a = g[at - 1];
        const b = g[at - width];
        const c = g[at - width - 1];
        const max = a > b ? a : b;
        const min = a > b ? b : a;
        p = c >= max ? min : c <= min ? max : a + b - c;
      }
      if (present[at]) {
        let value = 0;
        let shift = 0;
        for (;;) {
          if (pos >= end) throw new Error(`schema 2: '${what}' ends early at cell ${at}`);
          const byte = bytes[pos++];
          value += (byte & 0x7f) * 2 ** shift; // no 32-bit overflow in JS numbers
          if (byte < 0x80) {
            // A fifth byte carries only bits 28..31: anything above 0x0f is not a 32-bit value.
            if (shift === 28 && byte > 0x0f)
              throw new Error(`schema 2: '${what}' has a varint over 32 bits at cell ${at}`);
            break;
          }
          shift += 7;
          if (shift > 28) throw new Error(`schema 2: '${what}' has a varint over 5 bytes at cell ${at}`);
        }
        // zigzag: even → +v/2, odd → -(v+1)/2
        g[at] = p + (value % 2 === 0 ? value / 2 : -(value + 1) / 2);
      } else {
        g[at] = p;
      }
    }
  }
  return pos - from;
}

function channel(v) {
  const r = Math.floor(v + 0.5);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * Decodes the schema-2 fields of a msgpack map `m` (already decoded) into
 * {n, xyz: Float32Array(n*3), rgb: Uint8Array(n*3), level}. Throws on a malformed message.
 */
export function decodeCompact(m) {
  const w = m.w;
  const h = m.h;
  const stride = m.stride;
  const n = m.n;
  if (
    ![w, h, stride, n].every((x) => Number.isInteger(x)) ||
    w < 1 ||
    h < 1 ||
    stride < 1 ||
    n < 0 ||
    w * h > 1 << 26
  ) {
    throw new Error(`schema 2: bad grid ${w}x${h} stride ${stride} n ${n}`);
  }
  const [z0, k] = numbers(m, 'zq', 2);
  const [lumaStep, chromaStep, cb] = numbers(m, 'cq', 3);
  if (!(lumaStep >= 1) || !(chromaStep >= 1) || (cb !== 1 && cb !== 2)) throw new Error('schema 2: bad cq');
  const intr = m.intr && typeof m.intr === 'object' ? m.intr : {};
  const { fx, fy, cx, cy } = intr;
  if (![fx, fy, cx, cy].every((x) => typeof x === 'number')) throw new Error('schema 2: intr lacks fx, fy, cx or cy');

  const sw = Math.ceil(w / stride);
  const sh = Math.ceil(h / stride);
  const cells = sw * sh;
  const bw = Math.ceil(sw / cb);
  const bh = Math.ceil(sh / cb);

  const bitmap = inflate(bin(m, 'cells'), (cells + 7) >> 3, 'cells');
  if (bitmap.length !== (cells + 7) >> 3)
    throw new Error(`schema 2: cells bitmap has ${bitmap.length} bytes, grid needs ${(cells + 7) >> 3}`);
  const present = new Uint8Array(cells);
  const blockPresent = new Uint8Array(bw * bh);
  const blockOfColumn = new Int32Array(sw);
  for (let i = 0; i < sw; i++) blockOfColumn[i] = cb === 1 ? i : i >> 1;
  let count = 0;
  for (let j = 0, c = 0; j < sh; j++) {
    const blockRow = (cb === 1 ? j : j >> 1) * bw;
    for (let i = 0; i < sw; i++, c++) {
      if ((bitmap[c >> 3] >> (c & 7)) & 1) {
        present[c] = 1;
        count++;
        blockPresent[blockRow + blockOfColumn[i]] = 1;
      }
    }
  }
  if (count !== n) throw new Error(`schema 2: cells bitmap holds ${count} points, n says ${n}`);

  const limit = MAX_BYTES_PER_CELL * cells + 64;
  const depthQ = new Int32Array(cells);
  const depthBytes = inflate(bin(m, 'depth'), limit, 'depth');
  if (decodeGrid(depthQ, present, sw, sh, depthBytes, 0, 'depth') !== depthBytes.length)
    throw new Error("schema 2: 'depth' has bytes left over");
  const lumaQ = new Int32Array(cells);
  const lumaBytes = inflate(bin(m, 'luma'), limit, 'luma');
  if (decodeGrid(lumaQ, present, sw, sh, lumaBytes, 0, 'luma') !== lumaBytes.length)
    throw new Error("schema 2: 'luma' has bytes left over");
  const cbQ = new Int32Array(bw * bh);
  const crQ = new Int32Array(bw * bh);
  const chromaBytes = inflate(bin(m, 'chroma'), limit, 'chroma');
  let used = decodeGrid(cbQ, blockPresent, bw, bh, chromaBytes, 0, 'chroma');
  used += decodeGrid(crQ, blockPresent, bw, bh, chromaBytes, used, 'chroma');
  if (used !== chromaBytes.length) throw new Error("schema 2: 'chroma' has bytes left over");

  // One exp() per depth code in use, not per point; the same values as the Java decoder.
  let qMin = Infinity;
  let qMax = -Infinity;
  for (let c = 0; c < cells; c++) {
    if (present[c]) {
      if (depthQ[c] < qMin) qMin = depthQ[c];
      if (depthQ[c] > qMax) qMax = depthQ[c];
    }
  }
  let depthOf = null;
  if (n > 0 && qMax - qMin < 1 << 20) {
    depthOf = new Float64Array(qMax - qMin + 1);
    for (let q = qMin; q <= qMax; q++) depthOf[q - qMin] = z0 * Math.exp(k * q);
  }

  const xyz = new Float32Array(n * 3);
  const rgb = new Uint8Array(n * 3);
  // ((i*stride + 0.5) - cx) / fx per column, computed once: the same operations as per point.
  const xOfColumn = new Float64Array(sw);
  for (let i = 0; i < sw; i++) xOfColumn[i] = (i * stride + 0.5 - cx) / fx;
  let p = 0;
  for (let j = 0, c = 0; j < sh; j++) {
    const yOfRow = -(j * stride + 0.5 - cy) / fy;
    const blockRow = (cb === 1 ? j : j >> 1) * bw;
    for (let i = 0; i < sw; i++, c++) {
      if (!present[c]) continue;
      const q = depthQ[c];
      const z = depthOf ? depthOf[q - qMin] : z0 * Math.exp(k * q);
      const at = p * 3;
      xyz[at] = xOfColumn[i] * z;
      xyz[at + 1] = yOfRow * z;
      xyz[at + 2] = -z;
      const block = blockRow + blockOfColumn[i];
      const y = lumaQ[c] * lumaStep;
      const blue = cbQ[block] * chromaStep;
      const red = crQ[block] * chromaStep;
      rgb[at] = channel(y + 1.402 * red);
      rgb[at + 1] = channel(y - 0.344136 * blue - 0.714136 * red);
      rgb[at + 2] = channel(y + 1.772 * blue);
      p++;
    }
  }
  return { n, xyz, rgb, level: Number.isInteger(m.level) ? m.level : 0 };
}
