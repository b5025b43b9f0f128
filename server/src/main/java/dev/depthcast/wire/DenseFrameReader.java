package dev.depthcast.wire;

/**
 * Reads a decoded dense frame back (docs/protocol.md, "Dense frames"): the tag, and each cell's
 * depth in metres (NaN: no point). The reference decoder of the format, which the page's shader
 * repeats in GLSL; tests and the coding benchmark use it on frames straight from the packer or
 * through a real video codec.
 */
public final class DenseFrameReader {

    private DenseFrameReader() {}

    /** The frame's 16-bit seq counter, or -1 when its tag strip is unreadable. */
    public static int tag(DenseLayout layout, byte[] y, int strideY) {
        return DenseTag.read(y, strideY, layout.width(), layout.tagY(), DenseTag.ROWS);
    }

    /**
     * Depth of every cell, row-major ({@code columns·rows} values), decoded over
     * {@code near..far} (the metadata message's {@code range}).
     */
    public static float[] depth(DenseLayout layout, byte[] y, int strideY, float near, float far) {
        float[] z = new float[layout.columns() * layout.rows()];
        for (int j = 0; j < layout.rows(); j++) {
            for (int i = 0; i < layout.columns(); i++) {
                int luma = y[j * strideY + layout.depthX() + i] & 0xFF;
                z[j * layout.columns() + i] = DenseDepthCode.metres(luma, near, far);
            }
        }
        return z;
    }
}
