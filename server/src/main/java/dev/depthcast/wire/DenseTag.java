package dev.depthcast.wire;

import dev.depthcast.ingest.FrameTag;

/**
 * The strip at the bottom of a dense frame that names its frame: the 24-bit word of
 * {@link FrameTag#word} (the low 16 bits of the message's {@code seq}, then a CRC-8 of them) in
 * {@value #BITS} cells across the frame's width, one bit each in luma ({@value #ONE} or
 * {@value #ZERO}, neutral chroma). Luma because a page reads the frame as RGB, where luma survives
 * the colour conversion best; cells a sixteenth of the frame tall and ~32 px wide so that a lossy
 * codec's bleed at their borders leaves their middle readable; the CRC rejects a garbled strip.
 */
public final class DenseTag {

    public static final int ROWS = 16;
    public static final int BITS = FrameTag.BITS;
    public static final int ONE = 208;
    public static final int ZERO = 48;
    /** A cell's mean luma above this reads as 1. */
    public static final int THRESHOLD = (ONE + ZERO) / 2;

    private DenseTag() {}

    /** First luma column of bit {@code bit}'s cell in a frame {@code width} wide (bit {@link #BITS} gives the end). */
    public static int cellStart(int bit, int width) {
        return bit * width / BITS;
    }

    /** Paints the tag of {@code seq} into rows tagY..tagY+ROWS of the luma plane (chroma: the caller's neutral fill). */
    public static void paint(long seq, DenseLayout layout, byte[] y, int strideY) {
        int word = FrameTag.word(seq);
        for (int bit = 0; bit < BITS; bit++) {
            byte value = (byte) (FrameTag.bit(word, bit) ? ONE : ZERO);
            int from = cellStart(bit, layout.width());
            int to = cellStart(bit + 1, layout.width());
            for (int row = layout.tagY(); row < layout.tagY() + ROWS; row++) {
                java.util.Arrays.fill(y, row * strideY + from, row * strideY + to, value);
            }
        }
    }

    /**
     * The 16-bit counter a frame's strip carries, or -1 when it is unreadable (CRC mismatch). Reads
     * the mean luma of the middle half of each cell, rows 4..11 of the strip.
     *
     * @param frameWidth the frame's width (may differ from the layout's when a sender scaled it)
     * @param tagY the first row of the strip in this frame
     */
    public static int read(byte[] y, int strideY, int frameWidth, int tagY, int stripRows) {
        int word = 0;
        int rowFrom = tagY + stripRows / 4;
        int rowTo = tagY + stripRows - stripRows / 4;
        for (int bit = 0; bit < BITS; bit++) {
            int from = cellStart(bit, frameWidth);
            int to = cellStart(bit + 1, frameWidth);
            int inFrom = from + (to - from) / 4;
            int inTo = Math.max(inFrom + 1, to - (to - from) / 4);
            long sum = 0;
            int count = 0;
            for (int row = rowFrom; row < rowTo; row++) {
                for (int x = inFrom; x < inTo; x++) {
                    sum += y[row * strideY + x] & 0xFF;
                    count++;
                }
            }
            if (count > 0 && sum > (long) THRESHOLD * count) {
                word |= 1 << bit;
            }
        }
        int counter = word & 0xFFFF;
        return FrameTag.word(counter) == word ? counter : -1;
    }
}
