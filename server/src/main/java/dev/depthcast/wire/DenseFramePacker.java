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
        double perStride = 1.0 / grid.stride();
        float near = grid.near();
        float far = grid.far();
        int n = m.points().count();
        float[] xyz = m.points().xyz();
        byte[] rgb = m.points().rgb();
        for (int p = 0; p < n; p++) {
            double d = -xyz[p * 3 + 2];
            if (!(d > 0) || d == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("point " + p + " has no positive finite depth: " + d);
            }
            // The unprojector's x = ((u + 0.5) - cx) / fx * d, inverted (as V2Encoder places cells).
            long i = Math.round((xyz[p * 3] / d * k.fx() + k.cx() - 0.5) * perStride);
            long j = Math.round((-xyz[p * 3 + 1] / d * k.fy() + k.cy() - 0.5) * perStride);
            if (i < 0 || i >= sw || j < 0 || j >= sh) {
                throw new IllegalArgumentException("point " + p + " is off the " + sw + "x" + sh + " grid");
            }
            int r = rgb[p * 3] & 0xFF;
            int g = rgb[p * 3 + 1] & 0xFF;
            int b = rgb[p * 3 + 2] & 0xFF;
            int row = (int) j * width;
            y[row + (int) i] = (byte) clamp(Math.round(16 + 0.256788 * r + 0.504129 * g + 0.097906 * b));
            y[row + layout.depthX() + (int) i] = (byte) DenseDepthCode.luma((float) d, near, far);
            int block = (int) (j >> 1) * cw + (int) (i >> 1);
            cbSum[block] += (int) Math.round(-37.797 * r - 74.203 * g + 112.0 * b);
            crSum[block] += (int) Math.round(112.0 * r - 93.786 * g - 18.214 * b);
            count[block]++;
        }
        int colourBlocksX = (sw + 1) / 2;
        int colourBlocksY = (sh + 1) / 2;
        for (int by = 0; by < colourBlocksY; by++) {
            for (int bx = 0; bx < colourBlocksX; bx++) {
                int block = by * cw + bx;
                int c = count[block];
                if (c > 0) {
                    frame.u()[block] = (byte) clamp(128 + Math.round(cbSum[block] / (255.0 * c)));
                    frame.v()[block] = (byte) clamp(128 + Math.round(crSum[block] / (255.0 * c)));
                }
            }
        }
        DenseTag.paint(m.origin().seq(), layout, y, width);
        return frame;
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}
