package dev.depthcast.wire;

import dev.depthcast.process.Intrinsics;
import java.util.Arrays;

/**
 * Packs a point-cloud message's points into a {@link DenseFrame} (docs/protocol.md, "Dense
 * frames"): each grid cell's colour at the left in limited-range BT.601 YCbCr (what a browser's
 * video path expects, so the page samples true colours), its depth as a {@link DenseDepthCode}
 * luma at the right over the message's {@code range}, chroma neutral there, and the seq's
 * {@link DenseTag} below. Cells without a point are black in both halves.
 *
 * <p>Not thread-safe: it reuses its frame while the grid keeps its size.
 */
public final class DenseFramePacker {

    private DenseFrame frame;
    private int[] cbSum = new int[0];
    private int[] crSum = new int[0];
    private int[] count = new int[0];
    private float[] bounds;
    private float boundsNear = Float.NaN;
    private float boundsFar = Float.NaN;
    private int nearBits;
    private byte[] entryCode;
    /** Entries of 2^(23−13) = 2⁻¹⁰ of a float's value. */
    private static final int LOOKUP_SHIFT = 13;

    /**
     * Packs {@code m}'s points (as the unprojector makes them: row-major on the sampled grid) and
     * the tag of its {@code seq}. The returned frame is overwritten by the next call.
     *
     * @throws IllegalArgumentException when a point is off the grid (never for the unprojector's)
     */
    public DenseFrame pack(PointCloudMessage m) {
        PointCloudMessage.Grid grid = m.grid();
        int sw = CellGrid.samples(grid.width(), grid.stride());
        int sh = CellGrid.samples(grid.height(), grid.stride());
        DenseLayout layout = DenseLayout.of(sw, sh);
        if (frame == null || !frame.layout().equals(layout)) {
            frame = DenseFrame.blank(layout);
            int blocks = layout.chromaWidth() * layout.chromaHeight();
            cbSum = new int[blocks];
            crSum = new int[blocks];
            count = new int[blocks];
        }
        byte[] y = frame.y();
        int width = layout.width();
        int cw = layout.chromaWidth();
        Arrays.fill(y, (byte) DenseDepthCode.INVALID);
        Arrays.fill(frame.u(), (byte) 128);
        Arrays.fill(frame.v(), (byte) 128);
        Arrays.fill(cbSum, 0);
        Arrays.fill(crSum, 0);
        Arrays.fill(count, 0);

        Intrinsics k = grid.intrinsics();
        float perStride = 1f / grid.stride();
        float near = grid.near();
        float far = grid.far();
        if (near != boundsNear || far != boundsFar) {
            lookup(near, far);
        }
        float fx = k.fx();
        float fy = k.fy();
        float cx = k.cx() - 0.5f;
        float cy = k.cy() - 0.5f;
        int n = m.points().count();
        float[] xyz = m.points().xyz();
        byte[] rgb = m.points().rgb();
        for (int p = 0; p < n; p++) {
            float d = -xyz[p * 3 + 2];
            if (!(d > 0) || d == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("point " + p + " has no positive finite depth: " + d);
            }
            // The unprojector's x = ((u + 0.5) - cx) / fx * d, inverted (as V2Encoder places cells).
            float perDepth = 1f / d;
            long i = Math.round((xyz[p * 3] * perDepth * fx + cx) * perStride);
            long j = Math.round((-xyz[p * 3 + 1] * perDepth * fy + cy) * perStride);
            if (i < 0 || i >= sw || j < 0 || j >= sh) {
                throw new IllegalArgumentException("point " + p + " is off the " + sw + "x" + sh + " grid");
            }
            int r = rgb[p * 3] & 0xFF;
            int g = rgb[p * 3 + 1] & 0xFF;
            int b = rgb[p * 3 + 2] & 0xFF;
            int row = (int) j * width;
            // BT.601 limited range in 8.8 fixed point (the rounding of libyuv's RGB→I420).
            y[row + (int) i] = (byte) ((66 * r + 129 * g + 25 * b + 128 >> 8) + 16);
            y[row + layout.depthX() + (int) i] = (byte) luma(d);
            int block = (int) (j >> 1) * cw + (int) (i >> 1);
            cbSum[block] += -38 * r - 74 * g + 112 * b;
            crSum[block] += 112 * r - 94 * g - 18 * b;
            count[block]++;
        }
        int colourBlocksX = (sw + 1) / 2;
        int colourBlocksY = (sh + 1) / 2;
        for (int by = 0; by < colourBlocksY; by++) {
            for (int bx = 0; bx < colourBlocksX; bx++) {
                int block = by * cw + bx;
                int c = count[block];
                if (c > 0) {
                    frame.u()[block] = (byte) clamp(128 + Math.round(cbSum[block] / (256.0 * c)));
                    frame.v()[block] = (byte) clamp(128 + Math.round(crSum[block] / (256.0 * c)));
                }
            }
        }
        DenseTag.paint(m.origin().seq(), layout, y, width);
        return frame;
    }

    /**
     * Depths in the range fall into entries 2⁻¹⁰ of depth wide, indexed by the top bits of their
     * float: an entry holds the code at its low end, and a depth at most a bound or two above it
     * (the code's steps are wider than an entry unless the range is under 1.2:1). A binary search
     * per point cost ~6 ms a frame at 190k points, most of it mispredicted branches.
     */
    private void lookup(float near, float far) {
        bounds = DenseDepthCode.bounds(near, far);
        boundsNear = near;
        boundsFar = far;
        nearBits = Float.floatToRawIntBits(near);
        int entries = ((Float.floatToRawIntBits(far) - nearBits) >>> LOOKUP_SHIFT) + 1;
        entryCode = new byte[entries];
        for (int e = 0; e < entries; e++) {
            entryCode[e] = (byte) DenseDepthCode.luma(Float.intBitsToFloat(nearBits + (e << LOOKUP_SHIFT)), bounds);
        }
    }

    /** {@link DenseDepthCode#luma(float, float[])} of {@code z} through the lookup. */
    private int luma(float z) {
        if (!(z > boundsNear)) {
            return z > 0f ? DenseDepthCode.NEAR : DenseDepthCode.INVALID;
        }
        if (z >= boundsFar) {
            return DenseDepthCode.FAR;
        }
        int l = entryCode[(Float.floatToRawIntBits(z) - nearBits) >>> LOOKUP_SHIFT] & 0xFF;
        while (l < DenseDepthCode.FAR && z >= bounds[l - DenseDepthCode.NEAR]) {
            l++;
        }
        return l;
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}
