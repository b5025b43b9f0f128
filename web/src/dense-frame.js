// Dense frames (docs/protocol.md, "Dense frames"): the whole sampled depth grid of a frame in one
// video frame — colour at the left, depth as an 8-bit log code in luma at `dx`, a tag strip at `ty`
// that names the message (`seq mod 65536`). The same math as the server's DenseDepthCode,
// DenseTag and DenseFrameReader; the vertex shader (dense-shader.js) repeats depthFromLuma and
// unprojectCell in GLSL.

/** The luma code: cells below VALID_FROM are empty; NEAR..FAR spans the message's range in log depth. */
export const CODE = Object.freeze({ INVALID: 16, VALID_FROM: 24, NEAR: 32, FAR: 235 });
export const TAG = Object.freeze({ ROWS: 16, BITS: 24, ONE: 208, ZERO: 48, THRESHOLD: 128, CRC_XOR: 0x5a });

/** Metres for a (possibly interpolated) luma value over `near..far`; NaN for an empty cell. */
export function depthFromLuma(luma, near, far) {
  if (!(luma >= CODE.VALID_FROM)) return NaN;
  const t = (luma - CODE.NEAR) / (CODE.FAR - CODE.NEAR);
  return Math.fround(near * Math.exp(t * Math.log(far / near)));
}

/**
 * The luma a browser's video path turned into this RGB (limited-range BT.601, as WebGL samples a
 * video texture): the luma weights cancel the chroma, so codec noise in the depth half's neutral
 * chroma does not move the depth. r, g, b in 0..1.
 */
export function lumaFromRgb(r, g, b) {
  return 16 + (0.299 * r + 0.587 * g + 0.114 * b) * 219;
}

/** RGB (0..1, unclamped) a browser makes of limited-range BT.601 Y, Cb, Cr (0..255). */
export function rgbFromYuv(y, u, v) {
  const l = 1.164383 * (y - 16);
  return [
    (l + 1.596027 * (v - 128)) / 255,
    (l - 0.391762 * (u - 128) - 0.812968 * (v - 128)) / 255,
    (l + 2.017232 * (u - 128)) / 255,
  ];
}

function crc8(counter) {
  let crc = 0;
  for (const b of [(counter >>> 8) & 0xff, counter & 0xff]) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc ^ TAG.CRC_XOR;
}

/**
 * The 16-bit counter of a frame's tag strip, or -1 when unreadable. `lumaAt(x, y)` gives the
 * luma of a pixel of a frame `width` wide whose strip starts at row `tagY` and is `rows` tall
 * (a page reading a scaled frame passes the scaled values).
 */
export function readTag(lumaAt, width, tagY, rows = TAG.ROWS) {
  let word = 0;
  const rowFrom = tagY + Math.floor(rows / 4);
  const rowTo = tagY + rows - Math.floor(rows / 4);
  for (let bit = 0; bit < TAG.BITS; bit++) {
    const from = Math.floor((bit * width) / TAG.BITS);
    const to = Math.floor(((bit + 1) * width) / TAG.BITS);
    const inFrom = from + Math.floor((to - from) / 4);
    const inTo = Math.max(inFrom + 1, to - Math.floor((to - from) / 4));
    let sum = 0;
    let count = 0;
    for (let y = rowFrom; y < rowTo; y++)
      for (let x = inFrom; x < inTo; x++) {
        sum += lumaAt(x, y);
        count++;
      }
    if (count > 0 && sum > TAG.THRESHOLD * count) word |= 1 << bit;
  }
  const counter = word & 0xffff;
  return word >>> 16 === crc8(counter) ? counter : -1;
}

/** The message seq a 16-bit tag stands for, given the newest seq seen (a frame is never 65536 behind). */
export function seqOfTag(tag, newestSeq) {
  return newestSeq - ((newestSeq - tag) & 0xffff);
}

/**
 * The xyz of cell (i, j) at depth z (docs/protocol.md, schema 2's reconstruction), or null for
 * an empty cell: the CPU twin of the vertex shader.
 */
export function unprojectCell(i, j, z, intr, stride) {
  if (!(z > 0)) return null;
  const x = ((i * stride + 0.5 - intr.cx) / intr.fx) * z;
  const y = -((j * stride + 0.5 - intr.cy) / intr.fy) * z;
  return [x, y, -z];
}

/** Every cell's depth (NaN: empty) from a frame's luma plane. */
export function depthGrid(layout, luma, strideY, near, far) {
  const z = new Float32Array(layout.gw * layout.gh);
  for (let j = 0; j < layout.gh; j++)
    for (let i = 0; i < layout.gw; i++)
      z[j * layout.gw + i] = depthFromLuma(luma[j * strideY + layout.dx + i], near, far);
  return z;
}

/**
 * The page's edge test over a depth grid, the one the shader makes: a cell is dropped when a
 * right or lower neighbour differs by more than `edge` of the nearer depth (an empty neighbour is
 * no edge), as the server's unprojector does.
 */
export function isEdge(z, i, j, gw, gh, edge) {
  const d = z[j * gw + i];
  const jump = (n) => !Number.isNaN(n) && Math.abs(n - d) > edge * Math.min(n, d);
  return (i + 1 < gw && jump(z[j * gw + i + 1])) || (j + 1 < gh && jump(z[(j + 1) * gw + i]));
}

/** The page's edge threshold for dense frames: the server's default --edge (a neighbour 10 % away). */
export const DENSE_EDGE = 0.1;

/**
 * The cloud a dense frame read back as RGBA pixels (`fw`×`fh`, row 0 at the top, as a canvas
 * gives them) makes with its metadata message `meta` (dense, range, intr, stride): the CPU twin of
 * the vertex shader (dense-view.js) — same luma, depth, edge test and unprojection — for PLY
 * export, recording and the tests. Returns {n, xyz, rgb, dropped} (dropped: cells the edge test
 * removed).
 */
export function cloudFromRgba(rgba, meta, edge = DENSE_EDGE) {
  const { fw, gw, gh, dx } = meta.dense;
  const [near, far] = meta.range;
  const z = new Float32Array(gw * gh);
  for (let j = 0; j < gh; j++)
    for (let i = 0; i < gw; i++) {
      const p = (j * fw + dx + i) * 4;
      z[j * gw + i] = depthFromLuma(lumaFromRgb(rgba[p] / 255, rgba[p + 1] / 255, rgba[p + 2] / 255), near, far);
    }
  const xyz = new Float32Array(gw * gh * 3);
  const rgb = new Uint8Array(gw * gh * 3);
  let n = 0;
  let dropped = 0;
  for (let j = 0; j < gh; j++)
    for (let i = 0; i < gw; i++) {
      const d = z[j * gw + i];
      if (Number.isNaN(d)) continue;
      if (isEdge(z, i, j, gw, gh, edge)) {
        dropped++;
        continue;
      }
      const p = unprojectCell(i, j, d, meta.intr, meta.stride);
      xyz.set(p, n * 3);
      const c = (j * fw + i) * 4;
      rgb[n * 3] = rgba[c];
      rgb[n * 3 + 1] = rgba[c + 1];
      rgb[n * 3 + 2] = rgba[c + 2];
      n++;
    }
  return { n, xyz: xyz.subarray(0, n * 3), rgb: rgb.subarray(0, n * 3), dropped };
}
