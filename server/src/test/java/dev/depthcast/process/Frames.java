package dev.depthcast.process;

import dev.depthcast.ingest.I420Frame;
import java.util.function.IntBinaryOperator;

/** Test frames. */
public final class Frames {

    private Frames() {}

    public static I420Frame uniform(int w, int h, int y, int u, int v) {
        return of(w, h, (x, r) -> y, u, v);
    }

    /** Luma from a function of (x, y); chroma constant. */
    public static I420Frame of(int w, int h, IntBinaryOperator luma, int u, int v) {
        byte[] yp = new byte[w * h];
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                yp[r * w + x] = (byte) luma.applyAsInt(x, r);
            }
        }
        int cs = I420Frame.chromaSize(w, h);
        byte[] up = new byte[cs];
        byte[] vp = new byte[cs];
        java.util.Arrays.fill(up, (byte) u);
        java.util.Arrays.fill(vp, (byte) v);
        return new I420Frame(w, h, yp, up, vp, 1, 0, System.nanoTime(), 0, 0);
    }
}
