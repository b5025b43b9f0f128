package dev.depthcast.ingest;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An optional frame tag a sender paints into its picture so that each result can be matched to
 * the exact frame it was made from, whatever the model makes of the picture (docs/protocol.md,
 * "Frame tag"). The server reads it from the decoded frame — before any model sees it — and
 * returns it untouched in the message's {@code tag} field; a frame without a readable tag gets no
 * field. The load tester paints it; a browser camera never carries one.
 *
 * <p>Layout: the top {@value #STRIP_PERCENT}% of the frame (rounded to a multiple of 4 rows) is a
 * strip of flat mid-grey luma split into {@value #ROWS} × {@value #COLUMNS} cells. Each cell
 * carries one bit in chroma only: U = {@value #U_ONE} for 1, {@value #U_ZERO} for 0, V neutral.
 * Cell {@code row * COLUMNS + column} holds bit {@code row * COLUMNS + column} of a 24-bit word:
 * the low 16 bits of the sender's frame counter, then a CRC-8 of them (so a cell the video codec
 * garbled is detected, not matched to a wrong frame).
 *
 * <p>Reading: in the inner 60% of each cell (codec bleed at its borders), every U sample votes
 * 1 (U ≥ 128 + {@value #DECIDED}), 0 (U ≤ 128 − {@value #DECIDED}) or not at all; a cell needs
 * 80% of its samples voting one way, and the CRC must match. The CRC's final XOR makes the words
 * of uniform pictures (all cells 0, or all 1) invalid, so a saturated wall is never read as a tag.
 * Cost: a few thousand chroma bytes per frame.
 */
public final class FrameTag {

    public static final int COLUMNS = 12;
    public static final int ROWS = 2;
    public static final int BITS = COLUMNS * ROWS;
    public static final int STRIP_PERCENT = 12;
    /** Luma of the whole strip: flat, so depth models that read brightness see no edges there. */
    public static final int LUMA = 128;

    public static final int U_ONE = 200;
    public static final int U_ZERO = 56;
    public static final int V_NEUTRAL = 128;
    /** How far from neutral (128) a U sample must be to vote. */
    static final int DECIDED = 36;
    /** Fraction of a cell at each side ignored when reading. */
    static final double MARGIN = 0.2;
    /** Final XOR of the CRC: without it counter 0 would be the all-zero word. */
    static final int CRC_XOR = 0x5A;

    /** Smallest frame that can carry a tag. */
    public static final int MIN_WIDTH = COLUMNS * 4;

    public static final int MIN_HEIGHT = 32;

    private FrameTag() {}

    /** Luma rows the strip covers in a frame {@code height} tall (a multiple of 4: whole chroma rows per code row). */
    public static int stripRows(int height) {
        return Math.max(4, (int) Math.round(height * STRIP_PERCENT / 100.0 / 4) * 4);
    }

    /** Whether a frame of this size can carry a tag. */
    public static boolean fits(int width, int height) {
        return width >= MIN_WIDTH && height >= MIN_HEIGHT;
    }

    /** The 24-bit word painted for frame {@code index}: its low 16 bits, the CRC-8 above them. */
    public static int word(long index) {
        int counter = (int) (index & 0xFFFF);
        return counter | crc8(counter) << 16;
    }

    /** Bit of {@code word} in cell {@code cell} ({@code row * COLUMNS + column}). */
    public static boolean bit(int word, int cell) {
        return ((word >>> cell) & 1) != 0;
    }

    /** The code column of luma column {@code x} in a frame {@code width} wide. */
    public static int column(int x, int width) {
        return Math.min(COLUMNS - 1, x * COLUMNS / width);
    }

    /** CRC-8 (polynomial 0x07) of the counter's two bytes, XOR {@link #CRC_XOR}. */
    static int crc8(int counter) {
        int crc = 0;
        for (int b : new int[] {counter >>> 8 & 0xFF, counter & 0xFF}) {
            crc ^= b;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80) != 0 ? (crc << 1 ^ 0x07) & 0xFF : crc << 1 & 0xFF;
            }
        }
        return crc ^ CRC_XOR;
    }

    /**
     * Paints the tag of frame {@code index} over the top {@link #stripRows} rows of an I420 picture
     * (the reference writer; the rest of the picture is the caller's).
     */
    public static void paint(
            long index, int w, int h, ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV) {
        if (!fits(w, h)) {
            throw new IllegalArgumentException("frames of " + w + "x" + h + " are too small to carry a frame tag"
                    + " (need at least " + MIN_WIDTH + "x" + MIN_HEIGHT + ")");
        }
        int strip = stripRows(h);
        byte[] row = new byte[Math.max(w, (w + 1) / 2)];
        Arrays.fill(row, 0, w, (byte) LUMA);
        for (int yy = 0; yy < strip; yy++) {
            y.put(yy * strideY, row, 0, w);
        }
        int cw = (w + 1) / 2;
        int word = word(index);
        int chromaRowsPerCodeRow = strip / 2 / ROWS;
        for (int cy = 0; cy < strip / 2; cy++) {
            int codeRow = cy / chromaRowsPerCodeRow;
            for (int x = 0; x < cw; x++) {
                row[x] = (byte) (bit(word, codeRow * COLUMNS + column(2 * x, w)) ? U_ONE : U_ZERO);
            }
            u.put(cy * strideU, row, 0, cw);
            Arrays.fill(row, 0, cw, (byte) V_NEUTRAL);
            v.put(cy * strideV, row, 0, cw);
        }
    }

    /** The counter (0..65535) painted into {@code frame}, or -1 when it carries no readable tag. */
    public static int read(I420Frame frame) {
        int w = frame.width();
        int h = frame.height();
        if (!fits(w, h)) {
            return -1;
        }
        int cw = frame.chromaWidth();
        byte[] u = frame.u();
        int chromaRowsPerCodeRow = stripRows(h) / 2 / ROWS;
        int word = 0;
        for (int row = 0; row < ROWS; row++) {
            int rowFrom = row * chromaRowsPerCodeRow;
            int[] rows = inner(rowFrom, rowFrom + chromaRowsPerCodeRow);
            for (int col = 0; col < COLUMNS; col++) {
                // Chroma columns whose luma column 2x falls in this code column, as the painter paints them.
                int first = (col * w + COLUMNS - 1) / COLUMNS; // first luma x with column(x) == col
                int end = col == COLUMNS - 1 ? w : ((col + 1) * w + COLUMNS - 1) / COLUMNS;
                int[] cols = inner((first + 1) / 2, (end + 1) / 2);
                int ones = 0;
                int zeros = 0;
                int samples = 0;
                for (int cy = rows[0]; cy < rows[1]; cy++) {
                    int base = cy * cw;
                    for (int cx = cols[0]; cx < cols[1]; cx++) {
                        int value = u[base + cx] & 0xFF;
                        samples++;
                        if (value >= 128 + DECIDED) {
                            ones++;
                        } else if (value <= 128 - DECIDED) {
                            zeros++;
                        }
                    }
                }
                if (samples == 0) {
                    return -1;
                }
                if (ones * 5 >= samples * 4) {
                    word |= 1 << (row * COLUMNS + col);
                } else if (zeros * 5 < samples * 4) {
                    return -1;
                }
            }
        }
        int counter = word & 0xFFFF;
        return (word >>> 16) == crc8(counter) ? counter : -1;
    }

    /** The inner part of [from, to) without {@link #MARGIN} at each side; at least one index when non-empty. */
    private static int[] inner(int from, int to) {
        int span = to - from;
        int cut = (int) Math.floor(span * MARGIN);
        if (span - 2 * cut < 1) {
            cut = Math.max(0, (span - 1) / 2);
        }
        return new int[] {from + cut, to - cut};
    }

    /**
     * The full frame index a 16-bit counter stands for, given the newest index sent so far (the
     * result's frame can only be at or before it, and never 65536 frames behind).
     */
    public static long unwrap(int counter, long newestSent) {
        return newestSent - ((newestSent - counter) & 0xFFFF);
    }
}
