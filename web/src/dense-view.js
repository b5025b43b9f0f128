// Dense mode's drawing (docs/protocol.md, "Dense frames"): the server's video track in a <video>,
// a three.js VideoTexture of it, and one point per cell of the W×H grid whose vertex shader
// decodes the depth from the frame's right half, unprojects it with the metadata message's
// intrinsics and range, drops empty cells and edges (a right or lower neighbour more than 10 %
// away, as the server's unprojector) and takes its colour from the left half. The CPU twin of
// the shader is dense-frame.js's cloudFromRgba (the tests hold them to each other).
import {
  BufferAttribute,
  BufferGeometry,
  LinearSRGBColorSpace,
  NearestFilter,
  Points,
  ShaderMaterial,
  VideoTexture,
} from 'three';
import { DENSE_EDGE, TAG, cloudFromRgba, lumaFromRgb, readTag, seqOfTag } from './dense-frame.js';

/** No decoded video frame for this long while metadata arrives: the track stalled. */
export const STALL_MS = 2000;

export const VERTEX_SHADER = /* glsl */ `
  uniform sampler2D uFrame;
  uniform vec2 uFrameSize;
  uniform vec2 uGrid;
  uniform float uDx;
  uniform vec4 uIntr;   // fx, fy, cx, cy
  uniform float uStride;
  uniform vec2 uRange;  // near, far
  uniform vec3 uCode;   // VALID_FROM, NEAR, FAR
  uniform float uEdge;
  uniform float uSpacing;
  uniform float uHalfHeight;
  uniform float uSizeMul;
  attribute vec2 cell;
  varying vec3 vColor;
  // Row 0 of the frame is its top; the texture's v runs bottom-up (flipY).
  vec3 texel(float x, float y) { return texture2D(uFrame, vec2((x + 0.5) / uFrameSize.x, 1.0 - (y + 0.5) / uFrameSize.y)).rgb; }
  float depthAt(vec2 c) {
    float luma = 16.0 + dot(texel(uDx + c.x, c.y), vec3(0.299, 0.587, 0.114)) * 219.0;
    if (luma < uCode.x) return -1.0;
    return uRange.x * exp((luma - uCode.y) / (uCode.z - uCode.y) * log(uRange.y / uRange.x));
  }
  bool jump(float d, float n) { return n > 0.0 && abs(n - d) > uEdge * min(n, d); }
  void main() {
    float d = depthAt(cell);
    bool edge = (cell.x + 1.0 < uGrid.x && jump(d, depthAt(cell + vec2(1.0, 0.0))))
      || (cell.y + 1.0 < uGrid.y && jump(d, depthAt(cell + vec2(0.0, 1.0))));
    if (d <= 0.0 || edge) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
    vec3 p = vec3(((cell.x * uStride + 0.5) - uIntr.z) / uIntr.x * d, -((cell.y * uStride + 0.5) - uIntr.w) / uIntr.y * d, -d);
    vColor = texel(cell.x, cell.y);
    vec4 mv = modelViewMatrix * vec4(p, 1.0);
    gl_Position = projectionMatrix * mv;
    gl_PointSize = clamp(uSizeMul * uSpacing * d * projectionMatrix[1][1] * uHalfHeight / max(-mv.z, 1e-3), 1.0, 64.0);
  }`;

export class DenseCloud {
  /** `view`: the CloudView whose scene and point-size uniforms it shares. */
  constructor(view) {
    this.view = view;
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.texture = new VideoTexture(this.video);
    this.texture.minFilter = NearestFilter;
    this.texture.magFilter = NearestFilter;
    this.texture.generateMipmaps = false;
    // The page decodes the bytes the browser's video path made: no colour-space conversion.
    this.texture.colorSpace = LinearSRGBColorSpace;
    const u = view.material.uniforms;
    this.material = new ShaderMaterial({
      uniforms: {
        uFrame: { value: this.texture },
        uFrameSize: { value: [1, 1] },
        uGrid: { value: [1, 1] },
        uDx: { value: 0 },
        uIntr: { value: [1, 1, 0, 0] },
        uStride: { value: 1 },
        uRange: { value: [0.4, 4] },
        uCode: { value: [24, 32, 235] },
        uEdge: { value: DENSE_EDGE },
        uSpacing: u.uSpacing,
        uHalfHeight: u.uHalfHeight,
        uSizeMul: u.uSizeMul,
      },
      vertexShader: VERTEX_SHADER,
      fragmentShader: /* glsl */ `
        varying vec3 vColor;
        void main() { gl_FragColor = vec4(vColor, 1.0); }`,
    });
    this.geometry = new BufferGeometry();
    this.points = new Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.points.visible = false;
    view.scene.add(this.points);
    this.metas = new Map(); // seq → metadata message, the newest few
    this.newestSeq = -1;
    this.shown = null; // the metadata of the frame on screen
    this.lastFrameAt = -Infinity;
    this.frames = 0;
    this.unpaired = 0;
    this.waitingTag = -1; // the tag of a frame drawn before its metadata came
    this.lastTag = -1;
    this.onFrame = () => {};
    this.tagCanvas = null;
  }

  /** Plays the server's dense track. */
  attach(stream) {
    this.video.srcObject = stream;
    this.video.play().catch(() => {});
    this.lastFrameAt = performance.now();
    const onVideoFrame = () => {
      if (this.video.srcObject !== stream) return;
      this.#frameArrived();
      this.video.requestVideoFrameCallback(onVideoFrame);
    };
    this.video.requestVideoFrameCallback(onVideoFrame);
  }

  detach() {
    this.video.srcObject = null;
    this.points.visible = false;
    this.metas.clear();
    this.shown = null;
  }

  set active(on) {
    this.points.visible = on && this.shown !== null;
    this.view.points.visible = !on;
    this.view.needsDraw = true;
  }

  /** A dense metadata message: kept until its video frame arrives (or pairs the frame waiting for it). */
  meta(frame) {
    this.metas.set(frame.seq, frame);
    this.newestSeq = Math.max(this.newestSeq, frame.seq);
    for (const seq of this.metas.keys()) if (seq < this.newestSeq - 120) this.metas.delete(seq);
    if (this.waitingTag >= 0 && (frame.seq & 0xffff) === this.waitingTag) {
      // The video frame came first (the socket's message waits for the page): pair it now.
      this.waitingTag = -1;
      this.#paired(frame, true);
    }
  }

  /** Whether the track has stalled: metadata comes, frames do not. */
  stalled(now) {
    return this.metas.size > 0 && now - this.lastFrameAt > STALL_MS;
  }

  #frameArrived() {
    this.lastFrameAt = performance.now();
    if (this.waitingTag >= 0) this.unpaired++; // the previous frame's metadata never came
    const tag = this.#readTag();
    this.lastTag = tag;
    const meta = tag >= 0 ? this.metas.get(seqOfTag(tag, this.newestSeq)) : undefined;
    if (meta) {
      this.waitingTag = -1;
      this.#paired(meta, true);
      return;
    }
    // Drawn at once with the newest metadata (its range and intrinsics change slowly); paired
    // when its own arrives.
    this.waitingTag = tag;
    if (tag < 0) this.unpaired++;
    const newest = this.metas.get(this.newestSeq);
    if (newest) this.#paired(newest, false);
  }

  #paired(meta, own) {
    this.#setMeta(meta);
    if (own) this.frames++;
    this.onFrame(meta, own);
    this.view.needsDraw = true;
  }

  #readTag() {
    const d = this.shown?.dense ?? this.metas.get(this.newestSeq)?.dense;
    if (!d) return -1;
    const fw = this.video.videoWidth;
    const fh = this.video.videoHeight;
    const rows = Math.max(1, Math.round((TAG.ROWS * fh) / d.fh));
    const ty = fh - rows;
    this.tagCanvas ??= new OffscreenCanvas(fw, rows);
    if (this.tagCanvas.width !== fw || this.tagCanvas.height !== rows) {
      this.tagCanvas.width = fw;
      this.tagCanvas.height = rows;
    }
    const ctx = this.tagCanvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(this.video, 0, ty, fw, rows, 0, 0, fw, rows);
    const px = ctx.getImageData(0, 0, fw, rows).data;
    return readTag(
      (x, y) => lumaFromRgb(px[(y * fw + x) * 4] / 255, px[(y * fw + x) * 4 + 1] / 255, px[(y * fw + x) * 4 + 2] / 255),
      fw,
      0,
      rows,
    );
  }

  #setMeta(m) {
    const d = m.dense;
    const u = this.material.uniforms;
    if (!this.shown || this.shown.dense.gw !== d.gw || this.shown.dense.gh !== d.gh) {
      const cells = new Float32Array(d.gw * d.gh * 2);
      for (let j = 0, k = 0; j < d.gh; j++)
        for (let i = 0; i < d.gw; i++, k += 2) {
          cells[k] = i;
          cells[k + 1] = j;
        }
      this.geometry.setAttribute('cell', new BufferAttribute(cells, 2));
      this.geometry.setAttribute('position', new BufferAttribute(new Float32Array(d.gw * d.gh * 3), 3));
    }
    u.uFrameSize.value = [d.fw, d.fh];
    u.uGrid.value = [d.gw, d.gh];
    u.uDx.value = d.dx;
    u.uIntr.value = [m.intr.fx, m.intr.fy, m.intr.cx, m.intr.cy];
    u.uStride.value = m.stride;
    u.uRange.value = m.range;
    u.uCode.value = [d.code.VALID_FROM, d.code.NEAR, d.code.FAR];
    this.shown = m;
    this.points.visible = !this.view.points.visible;
  }

  /**
   * The frame on screen read back and unprojected on the CPU (cloudFromRgba): a decoded frame
   * in the shape decodeCloud gives, for PLY export; null before the first frame.
   */
  readBack() {
    const m = this.shown;
    if (!m) return null;
    const { fw, fh } = m.dense;
    const canvas = new OffscreenCanvas(fw, fh);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(this.video, 0, 0, fw, fh);
    const cloud = cloudFromRgba(ctx.getImageData(0, 0, fw, fh).data, m);
    return { ...m, n: cloud.n, xyz: cloud.xyz, rgb: cloud.rgb, edgeDropped: cloud.dropped };
  }
}
