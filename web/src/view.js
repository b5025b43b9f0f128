// The 3D view: one three.js Points cloud, an orbit camera with a home pose and presets, colour
// modes, point size, background, and the first-view sway.
import { BufferGeometry, Color, PerspectiveCamera, Points, Scene, ShaderMaterial, WebGLRenderer } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { CloudGeometry, sourceVerticalFov } from './cloud.js';
import { colourize } from './colour.js';
import { swayRedrawDue } from './redraw.js';

export const BACKGROUNDS = { dark: 0x0e1116, light: 0xf2f3f5 };
/** The orbit target: 1.5 m in front of the source camera, inside the default 0.4–4 m depth range. */
export const TARGET_Z = -1.5;
/**
 * Poses on the sphere around the target (azimuth 0, elevation 0 = the source camera's own view).
 * home: a three-quarter view from the left and a little above, so depth shows at once (seen from
 * the source camera a cloud looks like a flat copy of the video).
 */
export const POSES = {
  home: { azimuthDeg: -28, elevationDeg: 14, distance: 2.4 },
  front: { azimuthDeg: 0, elevationDeg: 0, distance: 1.5 },
  top: { azimuthDeg: 0, elevationDeg: 89, distance: 3.5 },
  side: { azimuthDeg: 90, elevationDeg: 0, distance: 3.5 },
};
/** The sway until the first drag: ±10° of azimuth around home, one period every 9 s. */
const SWAY_DEG = 10;
const SWAY_PERIOD_MS = 9000;
export const POINT_SIZE = { min: 0.25, max: 6, step: 1.25, initial: 1.25 };

export class CloudView {
  constructor(container, { reducedMotion = false } = {}) {
    this.renderer = new WebGLRenderer({ antialias: false, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    container.appendChild(this.renderer.domElement);
    this.scene = new Scene();
    this.camera = new PerspectiveCamera(60, 1, 0.01, 100);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(0, 0, TARGET_Z);
    // Damping keeps moving after a drag ends: motion nobody asked for when motion is reduced.
    this.controls.enableDamping = !reducedMotion;
    this.controls.dampingFactor = 0.15;
    this.reducedMotion = reducedMotion;
    this.swaying = !reducedMotion;
    this.swayStart = performance.now();
    this.lastDrawAt = -Infinity;
    this.onFirstInteraction = () => {};
    this.controls.addEventListener('start', () => this.stopSway());

    this.geometry = new BufferGeometry();
    this.cloud = new CloudGeometry(this.geometry, 32 * 1024);
    this.colourMode = 'rgb';
    this.colourBuffer = null;
    this.shown = null; // the decoded frame on screen (exported by "export PLY")
    this.sourceVfov = NaN; // the source camera's vertical field of view the view took, degrees
    this.needsDraw = true;
    // Each point is drawn as a square as wide as the gap to its grid neighbour at its own depth
    // (stride/fx * depth metres), so the cloud looks solid from the source camera and keeps its
    // size when orbiting; uSizeMul is the user's point size.
    this.material = new ShaderMaterial({
      vertexColors: true,
      uniforms: {
        uSpacing: { value: 1 / 300 },
        uHalfHeight: { value: 300 },
        uSizeMul: { value: POINT_SIZE.initial },
      },
      vertexShader: /* glsl */ `
        uniform float uSpacing;
        uniform float uHalfHeight;
        uniform float uSizeMul;
        varying vec3 vColor;
        void main() {
          vColor = color;
          vec4 mv = modelViewMatrix * vec4(position, 1.0);
          gl_Position = projectionMatrix * mv;
          float footprint = uSpacing * max(-position.z, 0.0);
          gl_PointSize = clamp(uSizeMul * footprint * projectionMatrix[1][1] * uHalfHeight / max(-mv.z, 1e-3), 1.0, 64.0);
        }`,
      fragmentShader: /* glsl */ `
        varying vec3 vColor;
        void main() { gl_FragColor = vec4(vColor, 1.0); }`,
    });
    this.points = new Points(this.geometry, this.material);
    this.points.frustumCulled = false; // the bounding sphere changes every frame
    this.scene.add(this.points);
    this.setBackground('dark');
    this.setPose(POSES.home);
    this.homePosition = this.camera.position.clone();
  }

  resize(w, h) {
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / Math.max(h, 1);
    this.camera.updateProjectionMatrix();
    this.material.uniforms.uHalfHeight.value = this.renderer.domElement.height / 2;
    this.needsDraw = true;
  }

  stopSway() {
    if (!this.swaying) return;
    this.swaying = false;
    this.onFirstInteraction();
  }

  /** Puts the camera on the sphere around the target, dropping any orbit momentum left from a drag. */
  setPose({ azimuthDeg, elevationDeg, distance }) {
    const c = this.controls;
    const damping = c.enableDamping;
    c.enableDamping = false;
    c.update(); // applies and clears what damping still had to do
    c.enableDamping = damping;
    c.target.set(0, 0, TARGET_Z);
    const az = (azimuthDeg * Math.PI) / 180;
    const el = (elevationDeg * Math.PI) / 180;
    const t = c.target;
    this.camera.position.set(
      t.x + distance * Math.sin(az) * Math.cos(el),
      t.y + distance * Math.sin(el),
      t.z + distance * Math.cos(az) * Math.cos(el),
    );
    this.camera.lookAt(t);
    c.update();
    this.needsDraw = true;
  }

  /** A named pose ('home', 'front', 'top', 'side'); any of them ends the first-view sway. */
  goTo(name) {
    this.stopSway();
    this.setPose(POSES[name]);
  }

  orbit(dAzimuthDeg, dElevationDeg) {
    this.stopSway();
    this.controls.rotateLeft((-dAzimuthDeg * Math.PI) / 180);
    this.controls.rotateUp((dElevationDeg * Math.PI) / 180);
    this.needsDraw = true;
  }

  pan(dxPx, dyPx) {
    this.stopSway();
    this.controls.pan(dxPx, dyPx);
    this.needsDraw = true;
  }

  zoom(factor) {
    this.stopSway();
    if (factor > 1) this.controls.dollyIn(factor);
    else this.controls.dollyOut(1 / factor);
    this.needsDraw = true;
  }

  /** Point size multiplier, clamped to POINT_SIZE; returns the value set. */
  setPointSize(mul) {
    const v = Math.min(POINT_SIZE.max, Math.max(POINT_SIZE.min, mul));
    this.material.uniforms.uSizeMul.value = v;
    this.needsDraw = true;
    return v;
  }

  get pointSize() {
    return this.material.uniforms.uSizeMul.value;
  }

  setBackground(name) {
    this.background = name in BACKGROUNDS ? name : 'dark';
    this.renderer.setClearColor(new Color(BACKGROUNDS[this.background]), 1);
    this.needsDraw = true;
  }

  setColourMode(mode) {
    this.colourMode = mode;
    if (this.shown) this.#upload(this.shown);
    this.needsDraw = true;
  }

  /** Shows a decoded frame (docs/protocol.md message) in the current colour mode. */
  show(frame) {
    this.shown = frame;
    this.#upload(frame);
    if (Number.isFinite(frame.intr.fx) && frame.intr.fx > 0) {
      this.material.uniforms.uSpacing.value = Math.max(frame.stride, 1) / frame.intr.fx;
    }
    // The view's field of view is the source camera's: the front preset then matches the video.
    // It follows a new one (a session with another field of view, a replay).
    const vfov = sourceVerticalFov(frame);
    if (Number.isFinite(vfov) && !(Math.abs(vfov - this.sourceVfov) < 1e-3)) {
      this.sourceVfov = vfov;
      this.camera.fov = Math.min(Math.max(vfov, 20), 100);
      this.camera.updateProjectionMatrix();
    }
    this.needsDraw = true;
  }

  #upload(frame) {
    const rgb = colourize(frame, this.colourMode, this.colourBuffer);
    if (rgb !== frame.rgb) this.colourBuffer = new Uint8Array(rgb.buffer); // reused next frame
    this.cloud.update({ n: frame.n, xyz: frame.xyz, rgb });
  }

  /**
   * One animation tick: sway, damping, and a render when anything changed. `frozen` (paused)
   * stops the sway so the picture holds still. Returns true when it rendered.
   */
  tick(now, { frozen = false } = {}) {
    // A new cloud (needsDraw from show()) or the user's camera redraws now; the sway alone only as
    // often as redraw.js allows.
    if (this.swaying && !frozen && (this.needsDraw || swayRedrawDue(now, this.lastDrawAt))) {
      const a = POSES.home.azimuthDeg + SWAY_DEG * Math.sin((2 * Math.PI * (now - this.swayStart)) / SWAY_PERIOD_MS);
      const c = this.controls;
      const d = this.camera.position.distanceTo(c.target);
      const el = (POSES.home.elevationDeg * Math.PI) / 180;
      const az = (a * Math.PI) / 180;
      this.camera.position.set(
        d * Math.sin(az) * Math.cos(el),
        d * Math.sin(el),
        TARGET_Z + d * Math.cos(az) * Math.cos(el),
      );
      this.camera.lookAt(c.target);
      this.needsDraw = true;
    }
    if (this.controls.update()) this.needsDraw = true;
    if (!this.needsDraw) return false;
    this.needsDraw = false;
    this.lastDrawAt = now;
    this.renderer.render(this.scene, this.camera);
    return true;
  }

  /** Draws now and reads the drawing buffer in the same task (no preserveDrawingBuffer needed). */
  readPixels() {
    this.renderer.render(this.scene, this.camera);
    const gl = this.renderer.getContext();
    const w = gl.drawingBufferWidth;
    const h = gl.drawingBufferHeight;
    const px = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
    return { w, h, px };
  }

  /** Test hook: pixels that differ from the background, distinct colours, and a hash of the picture. */
  pixelStats() {
    const { w, h, px } = this.readPixels();
    const bgc = BACKGROUNDS[this.background];
    const br = (bgc >> 16) & 255;
    const bg = (bgc >> 8) & 255;
    const bb = bgc & 255;
    let count = 0;
    let hash = 2166136261;
    const colours = new Set();
    let sum = [0, 0, 0];
    for (let i = 0; i < px.length; i += 4) {
      hash = Math.imul(hash ^ (px[i] | (px[i + 1] << 8) | (px[i + 2] << 16)), 16777619) >>> 0;
      if (Math.abs(px[i] - br) > 3 || Math.abs(px[i + 1] - bg) > 3 || Math.abs(px[i + 2] - bb) > 3) {
        count++;
        sum[0] += px[i];
        sum[1] += px[i + 1];
        sum[2] += px[i + 2];
        if (colours.size < 4096) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      }
    }
    sum = sum.map((s) => (count ? s / count : NaN));
    return {
      width: w,
      height: h,
      corner: [px[0], px[1], px[2]],
      nonBackground: count,
      fraction: count / (w * h),
      distinctColours: colours.size,
      hash,
      meanColour: sum,
    };
  }

  /** Camera pose for tests: position and target, metres. */
  pose() {
    const p = this.camera.position;
    const t = this.controls.target;
    return { position: [p.x, p.y, p.z], target: [t.x, t.y, t.z], fov: this.camera.fov };
  }
}
