package dev.depthcast.wire;

/**
 * Schema 2's colour quantisation: the luma step, the chroma step, and the chroma block (1: chroma
 * per cell; 2: averaged over 2×2 cells, for dense strides where neighbouring cells share the
 * camera's own 4:2:0 chroma sample anyway).
 */
public record ColourSteps(int luma, int chroma, int chromaBlock) {

    /** The default colour quality (PSNR and sizes measured in docs/protocol.md). */
    public static final ColourSteps DEFAULT = new ColourSteps(4, 4, 1);

    public ColourSteps {
        if (luma < 1 || luma > 64 || chroma < 1 || chroma > 64) {
            throw new IllegalArgumentException("colour steps must be 1..64, got " + luma + ", " + chroma);
        }
        if (chromaBlock != 1 && chromaBlock != 2) {
            throw new IllegalArgumentException("chroma block must be 1 or 2, got " + chromaBlock);
        }
    }
}
