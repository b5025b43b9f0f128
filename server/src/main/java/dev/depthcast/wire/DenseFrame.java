package dev.depthcast.wire;

/**
 * One dense video frame as three I420 planes (strides: {@code layout.width()} for luma,
 * {@code layout.chromaWidth()} for chroma), laid out by {@link DenseLayout}.
 */
public record DenseFrame(DenseLayout layout, byte[] y, byte[] u, byte[] v) {

    /** A frame of {@code layout}, all black. */
    public static DenseFrame blank(DenseLayout layout) {
        return new DenseFrame(
                layout,
                new byte[layout.width() * layout.height()],
                new byte[layout.chromaWidth() * layout.chromaHeight()],
                new byte[layout.chromaWidth() * layout.chromaHeight()]);
    }
}
