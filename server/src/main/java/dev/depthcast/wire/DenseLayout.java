package dev.depthcast.wire;

/**
 * Where things sit in a dense video frame (docs/protocol.md, "Dense frames"): the colour of the
 * {@code columns}×{@code rows} sampled grid at the left, its depth code at {@code depthX}, a tag
 * strip {@link DenseTag#ROWS} rows tall at {@code tagY}. Both halves and the strip start on a
 * 16-pixel boundary, so no codec macroblock holds both colour and depth (their bleed would be
 * depth error) and a 4:2:0 chroma sample never straddles the two halves.
 */
public record DenseLayout(int columns, int rows, int depthX, int tagY, int width, int height) {

    /** Alignment of the halves and the strip: one macroblock (VP8, H.264). */
    public static final int ALIGN = 16;

    /** The layout for a grid of {@code columns}×{@code rows} cells. */
    public static DenseLayout of(int columns, int rows) {
        if (columns < 1 || rows < 1 || columns > 4096 || rows > 4096) {
            throw new IllegalArgumentException(
                    "a dense frame needs a grid of 1..4096 cells a side, got " + columns + "x" + rows);
        }
        int depthX = align(columns);
        int tagY = align(rows);
        return new DenseLayout(columns, rows, depthX, tagY, depthX + align(columns), tagY + DenseTag.ROWS);
    }

    /** Chroma plane width and height (4:2:0). */
    public int chromaWidth() {
        return width / 2;
    }

    public int chromaHeight() {
        return height / 2;
    }

    private static int align(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
