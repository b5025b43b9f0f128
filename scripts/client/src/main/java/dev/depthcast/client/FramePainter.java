package dev.depthcast.client;

import java.nio.ByteBuffer;

/**
 * Paints synthetic I420 frames for clients without a camera (tests, load tests).
 * Strides are given because native buffers may pad rows.
 */
@FunctionalInterface
public interface FramePainter {

    void paint(
            long frameIndex,
            int width,
            int height,
            ByteBuffer y,
            int strideY,
            ByteBuffer u,
            int strideU,
            ByteBuffer v,
            int strideV);

    /** Left half one colour, right half another (YUV values), still: points' colours follow the side. */
    static FramePainter split(int yLeft, int uLeft, int vLeft, int yRight, int uRight, int vRight) {
        return (i, w, h, y, sy, u, su, v, sv) -> {
            for (int row = 0; row < h; row++) {
                for (int x = 0; x < w; x++) {
                    y.put(row * sy + x, (byte) (x < w / 2 ? yLeft : yRight));
                }
            }
            int cw = (w + 1) / 2;
            for (int row = 0; row < (h + 1) / 2; row++) {
                for (int x = 0; x < cw; x++) {
                    boolean left = x < cw / 2;
                    u.put(row * su + x, (byte) (left ? uLeft : uRight));
                    v.put(row * sv + x, (byte) (left ? vLeft : vRight));
                }
            }
        };
    }

    /** A bright disc drifting over a dark gradient: motion, so the encoder keeps sending real frames. */
    static FramePainter movingDisc() {
        return (i, w, h, y, sy, u, su, v, sv) -> {
            double t = i / 30.0;
            int cx = (int) (w / 2 + w / 4 * Math.cos(t));
            int cy = (int) (h / 2 + h / 4 * Math.sin(t * 1.3));
            int r = Math.min(w, h) / 5;
            for (int row = 0; row < h; row++) {
                for (int x = 0; x < w; x++) {
                    int dx = x - cx;
                    int dy = row - cy;
                    int value = dx * dx + dy * dy < r * r ? 220 : 40 + 80 * row / h;
                    y.put(row * sy + x, (byte) value);
                }
            }
            for (int row = 0; row < (h + 1) / 2; row++) {
                for (int x = 0; x < (w + 1) / 2; x++) {
                    u.put(row * su + x, (byte) (128 + 40 * x / w));
                    v.put(row * sv + x, (byte) (128 - 40 * row / h));
                }
            }
        };
    }

    /**
     * A camera-like scene for measuring the wire format on something closer to a webcam than flat
     * synthetic patterns: a textured wall (two octaves of value noise), a floor of planks, a shelf
     * of differently coloured books (sharp luma and chroma edges), a shaded figure that sways, and
     * sensor noise (σ ≈ 2.5 in luma, 1.5 in chroma) that changes every frame. Deterministic for a
     * given frame index. Not a photograph: docs/protocol.md says what was measured on what.
     */
    static FramePainter cameraScene() {
        return (i, w, h, y, sy, u, su, v, sv) -> {
            double sway = 0.06 * Math.sin(i / 20.0);
            int cw = (w + 1) / 2;
            int ch = (h + 1) / 2;
            for (int row = 0; row < h; row++) {
                for (int x = 0; x < w; x++) {
                    double fx = (double) x / w;
                    double fy = (double) row / h;
                    double value = scene(fx, fy, sway)[0] + noise(x, row, i, 0) * 2.5;
                    y.put(row * sy + x, (byte) clamp(value));
                }
            }
            for (int row = 0; row < ch; row++) {
                for (int x = 0; x < cw; x++) {
                    double[] c = scene((x * 2 + 1.0) / w, (row * 2 + 1.0) / h, sway);
                    u.put(row * su + x, (byte) clamp(c[1] + noise(x, row, i, 1) * 1.5));
                    v.put(row * sv + x, (byte) clamp(c[2] + noise(x, row, i, 2) * 1.5));
                }
            }
        };
    }

    /** {Y, U, V} of the scene at (fx, fy), fractions of the frame. */
    private static double[] scene(double fx, double fy, double sway) {
        // The figure: head and torso, shaded from the left.
        double hx = 0.5 + sway;
        double dxHead = (fx - hx) / 0.075;
        double dyHead = (fy - 0.36) / 0.1;
        if (dxHead * dxHead + dyHead * dyHead < 1) {
            return new double[] {150 + 40 * -dxHead * 0.5 - 10 * dyHead, 110, 150};
        }
        double dxBody = (fx - hx) / 0.16;
        if (fy > 0.45 && Math.abs(dxBody) < 1 - (fy - 0.45) * 0.2) {
            return new double[] {70 + 30 * -dxBody + valueNoise(fx * 40, fy * 40) * 10, 140, 110};
        }
        // The shelf with books on the left.
        if (fx > 0.06 && fx < 0.3 && fy > 0.15 && fy < 0.6) {
            double shelfY = (fy - 0.15) / 0.15;
            if (shelfY - Math.floor(shelfY) > 0.9) {
                return new double[] {60, 125, 135};
            }
            int book = (int) Math.floor(fx * 70 + Math.floor(shelfY) * 3);
            int hue = Math.floorMod(book * 7919, 6);
            double[][] covers = {
                {90, 100, 170}, {120, 160, 110}, {160, 90, 140}, {70, 150, 150}, {180, 110, 120}, {100, 130, 90}
            };
            return covers[hue];
        }
        // The floor: planks in perspective.
        if (fy > 0.72) {
            double depth = (fy - 0.72) / 0.28;
            double plank = fx * (4 + 8 * depth);
            double seam = plank - Math.floor(plank) < 0.04 ? -25 : 0;
            return new double[] {95 + 40 * depth + seam + valueNoise(fx * 80, fy * 12) * 12, 115, 145};
        }
        // The wall: warm, lit from above, textured.
        double texture = valueNoise(fx * 8, fy * 6) * 18 + valueNoise(fx * 32, fy * 24) * 8;
        return new double[] {170 - 50 * fy + texture, 120, 138};
    }

    /** Smooth noise in [-1, 1]: bilinear between hashed lattice values. */
    private static double valueNoise(double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double ax = x - x0;
        double ay = y - y0;
        ax = ax * ax * (3 - 2 * ax);
        ay = ay * ay * (3 - 2 * ay);
        double a = lattice(x0, y0) + (lattice(x0 + 1, y0) - lattice(x0, y0)) * ax;
        double b = lattice(x0, y0 + 1) + (lattice(x0 + 1, y0 + 1) - lattice(x0, y0 + 1)) * ax;
        return a + (b - a) * ay;
    }

    private static double lattice(int x, int y) {
        int hsh = x * 374761393 + y * 668265263;
        hsh = (hsh ^ (hsh >>> 13)) * 1274126177;
        return ((hsh ^ (hsh >>> 16)) & 0xFFFF) / 32767.5 - 1;
    }

    /** Sensor noise: roughly Gaussian (sum of three uniforms), unit variance, new every frame. */
    private static double noise(int x, int y, long frame, int plane) {
        long hsh = x * 0x9E3779B97F4A7C15L + y * 0xC2B2AE3D27D4EB4FL + frame * 0x165667B19E3779F9L + plane;
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            hsh ^= hsh >>> 29;
            hsh *= 0xBF58476D1CE4E5B9L;
            hsh ^= hsh >>> 32;
            sum += (hsh & 0xFFFF) / 65535.0 - 0.5;
        }
        return sum * 2; // variance of a sum of 3 uniforms on [-0.5, 0.5] is 1/4
    }

    private static int clamp(double v) {
        return v < 0 ? 0 : (v > 255 ? 255 : (int) Math.round(v));
    }
}
