// Binary PLY export of one point cloud (float32 x,y,z + uchar r,g,b per vertex): the format
// MeshLab, CloudCompare, Open3D and Potree's converter read. Pure module.

const HEADER_SAFE = /[^\x20-\x7e]/g; // a PLY header is ASCII lines: no newlines or non-ASCII in comments

/**
 * Encodes `frame` ({n, xyz: Float32Array(n*3), rgb: Uint8Array(n*3)}) as binary little-endian PLY.
 * `comments` are written as header comment lines. Returns a Uint8Array holding the whole file.
 */
export function encodePly(frame, comments = []) {
  const n = frame.n;
  const lines = ['ply', 'format binary_little_endian 1.0'];
  for (const c of comments) lines.push(`comment ${String(c).replace(HEADER_SAFE, ' ')}`);
  lines.push(
    `element vertex ${n}`,
    'property float x',
    'property float y',
    'property float z',
    'property uchar red',
    'property uchar green',
    'property uchar blue',
    'end_header',
  );
  const header = new TextEncoder().encode(`${lines.join('\n')}\n`);
  const out = new Uint8Array(header.length + n * 15);
  out.set(header);
  const dv = new DataView(out.buffer, header.length);
  const { xyz, rgb } = frame;
  for (let i = 0, o = 0; i < n; i++, o += 15) {
    dv.setFloat32(o, xyz[i * 3], true);
    dv.setFloat32(o + 4, xyz[i * 3 + 1], true);
    dv.setFloat32(o + 8, xyz[i * 3 + 2], true);
    dv.setUint8(o + 12, rgb[i * 3]);
    dv.setUint8(o + 13, rgb[i * 3 + 1]);
    dv.setUint8(o + 14, rgb[i * 3 + 2]);
  }
  return out;
}

/** A number for a header comment: at most 4 decimals, '?' when unknown. */
function num(v) {
  return Number.isFinite(v) ? String(Math.round(v * 1e4) / 1e4) : '?';
}

/**
 * The header comments depthcast writes: what the coordinates mean, where the frame came from, and
 * the camera the server unprojected it with (its horizontal field of view and the intrinsics, in
 * pixels of the depth grid), so the points can be projected back onto the picture.
 */
export function plyComments(frame) {
  const intr = frame.intr ?? {};
  const comments = [
    'depthcast point cloud: metres, OpenGL camera frame (x right, y up, camera looks down -z)',
    `seq ${frame.seq} model ${frame.model || '?'} backend ${frame.backend || '?'} grid ${frame.w}x${frame.h} stride ${frame.stride}`,
    `colours: camera RGB; depth range ${frame.range?.[0]}..${frame.range?.[1]} m`,
    `camera: hfov ${num(intr.fov)} deg; fx ${num(intr.fx)} fy ${num(intr.fy)} cx ${num(intr.cx)} cy ${num(intr.cy)} (depth-grid pixels)`,
  ];
  const st = frame.stab;
  if (st) {
    comments.push(
      `stabiliser: scale ${num(st.scale)} shift ${num(st.shift)} resets ${num(st.resets)} failed ${num(st.failed)}`,
    );
  }
  return comments;
}
