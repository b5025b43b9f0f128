package dev.depthcast.wire;

/**
 * The cells of a schema-2 message: the {@code columns}×{@code rows} sampled grid (one cell every
 * {@code stride} depth pixels, the last one partial) and over it the chroma blocks of
 * {@code chromaBlock}×{@code chromaBlock} cells.
 */
record CellGrid(int columns, int rows, int chromaBlock) {

    /** The cells of a {@code width}×{@code height} depth grid sampled every {@code stride}-th pixel. */
    static CellGrid of(int width, int height, int stride, int chromaBlock) {
        return new CellGrid(samples(width, stride), samples(height, stride), chromaBlock);
    }

    /** Samples along {@code size} pixels (long arithmetic: a hostile stride must not wrap around). */
    static int samples(int size, int stride) {
        return (int) (((long) size + stride - 1) / stride);
    }

    int cells() {
        return columns * rows;
    }

    int blockColumns() {
        return (columns + chromaBlock - 1) / chromaBlock;
    }

    int blockRows() {
        return (rows + chromaBlock - 1) / chromaBlock;
    }

    int blocks() {
        return blockColumns() * blockRows();
    }
}
