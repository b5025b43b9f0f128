package dev.depthcast.loadtest;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.PointCloudMessage;

/**
 * A frame counter drawn into the top strip of every frame the load tester sends, and read back out
 * of the point cloud the server returns — so each result is matched to the exact frame it was
 * made from, without the server knowing anything about it.
 *
 * <p>Layout: the top {@value #STRIP_PERCENT}% of the frame (rounded to even rows) is a strip of
 * flat mid-grey luma, split into {@value #ROWS} × {@value #COLUMNS} cells. Each cell carries one
 * bit in chroma only (U high = 1, U low = 0, V neutral): flat luma keeps depth models (which read
 * brightness) from seeing edges there, so the strip's points are not dropped as flying pixels.
 * 24 bits: the frame index's low 16 bits and a CRC-8 of them, so a cell misread by the video
 * codec is detected, not matched to a wrong frame.
 *
 * <p>Reading: every point's grid position is recovered exactly from its xyz and the message's
 * intrinsics (u = x/d·fx + cx, v = −y/d·fy + cy, d = −z), hence its fraction of the frame; points
 * in the inner 60% of a cell vote with their colour (blue − green: +150 for a 1, −150 for a 0).
 */
public final class FrameCode {

    public static final int COLUMNS = 12;
    public static final int ROWS = 2;
    public static final int BITS = COLUMNS * ROWS;
    static final int STRIP_PERCENT = 12;
    static final int LUMA = 128;
    static final int U_ONE = 200;
    static final int U_ZERO = 56;
    static final int V_NEUTRAL = 128;
    /** Fraction of a cell at each side ignored when reading (codec bleed at cell borders). */
    static final double MARGIN = 0.2;

    private final int height;
    private final int stripRows;

    public FrameCode(int width, int height) {
        if (width < COLUMNS * 4 || height < 32) {
            throw new IllegalArgumentException("frames of " + width + "x" + height
                    + " are too small to carry a frame code (need at least " + COLUMNS * 4 + "x32)");
        }
        this.height = height;
        this.stripRows = Math.max(4, (int) Math.round(height * STRIP_PERCENT / 100.0 / 4) * 4);
    }

    /** Luma rows the strip covers (a multiple of 4: whole chroma rows per code row). */
    public int stripRows() {
        return stripRows;
    }

    /** The 24-bit word drawn for frame {@code index}: low 16 bits of the index, CRC-8 above. */
    public static int word(long index) {
        int counter = (int) (index & 0xFFFF);
        return counter | crc8(counter) << 16;
    }

    /** Bit of {@code word} in cell {@code row * COLUMNS + column}. */
    public static boolean bit(int word, int cell) {
        return ((word >>> cell) & 1) != 0;
    }

    /** CRC-8 (polynomial 0x07) of the counter's two bytes. */
    static int crc8(int counter) {
        int crc = 0;
        for (int b : new int[] {counter >>> 8 & 0xFF, counter & 0xFF}) {
            crc ^= b;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80) != 0 ? (crc << 1 ^ 0x07) & 0xFF : crc << 1 & 0xFF;
            }
        }
        return crc;
    }

    /** The code column of luma column x in a frame {@code width} wide. */
    static int column(int x, int width) {
        return Math.min(COLUMNS - 1, x * COLUMNS / width);
    }

    /** The counter (0..65535) read from a result, or -1 when the strip cannot be read reliably. */
    public int read(PointCloudMessage m) {
        int n = m.count();
        if (n == 0 || m.gridWidth() <= 0 || m.gridHeight() <= 0) {
            return -1;
        }
        Intrinsics k = m.intrinsics();
        float[] xyz = m.xyz();
        byte[] rgb = m.rgb();
        double stripFraction = (double) stripRows / height;
        int[] votes = new int[BITS];
        int[] ones = new int[BITS];
        for (int i = 0; i < n; i++) {
            float d = -xyz[i * 3 + 2];
            if (!(d > 0f)) {
                continue;
            }
            double fv = (-xyz[i * 3 + 1] / d * k.fy() + k.cy()) / m.gridHeight();
            if (fv < 0 || fv >= stripFraction) {
                continue;
            }
            double rowF = fv / stripFraction * ROWS;
            int row = (int) rowF;
            double fu = (xyz[i * 3] / d * k.fx() + k.cx()) / m.gridWidth();
            double colF = fu * COLUMNS;
            int col = (int) colF;
            if (row >= ROWS || col < 0 || col >= COLUMNS || inMargin(rowF - row) || inMargin(colF - col)) {
                continue;
            }
            int cell = row * COLUMNS + col;
            int blue = rgb[i * 3 + 2] & 0xFF;
            int green = rgb[i * 3 + 1] & 0xFF;
            votes[cell]++;
            if (blue > green) {
                ones[cell]++;
            }
        }
        int word = 0;
        for (int cell = 0; cell < BITS; cell++) {
            if (votes[cell] == 0) {
                return -1;
            }
            // A cell must be clear-cut: 80% of its points agree.
            if (ones[cell] * 5 >= votes[cell] * 4) {
                word |= 1 << cell;
            } else if (ones[cell] * 5 > votes[cell]) {
                return -1;
            }
        }
        int counter = word & 0xFFFF;
        return (word >>> 16) == crc8(counter) ? counter : -1;
    }

    private static boolean inMargin(double within) {
        return within < MARGIN || within > 1 - MARGIN;
    }

    /**
     * The full frame index a 16-bit counter stands for, given the newest index sent so far (the
     * result's frame can only be at or before it, and never 65536 frames behind).
     */
    public static long unwrap(int counter, long newestSent) {
        return newestSent - ((newestSent - counter) & 0xFFFF);
    }
}
