package dev.depthcast.client;

import java.nio.ByteBuffer;

/**
 * Paints synthetic I420 frames for clients without a camera (tests, load tests).
 * Strides are given because native buffers may pad rows.
 */
@FunctionalInterface
public interface FramePainter {

    void paint(long frameIndex, int width, int height, ByteBuffer y, int strideY, ByteBuffer u, int strideU,
               ByteBuffer v, int strideV);

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
}
