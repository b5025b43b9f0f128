package dev.depthcast.process;

/**
 * Compact points of one frame: xyz (metres, three.js camera frame) and rgb, {@code count} valid.
 * Arrays may be longer than needed (reused buffers). {@code near}/{@code far}: the depth range the
 * message reports; {@code stabiliser}: the session stabiliser's state after this frame, or null
 * when none mapped it.
 */
public record PointCloud(
        int count,
        float[] xyz,
        byte[] rgb,
        int gridWidth,
        int gridHeight,
        int stride,
        Intrinsics intrinsics,
        float near,
        float far,
        StabiliserState stabiliser) {

    /** A cloud no stabiliser mapped. */
    public PointCloud(
            int count,
            float[] xyz,
            byte[] rgb,
            int gridWidth,
            int gridHeight,
            int stride,
            Intrinsics intrinsics,
            float near,
            float far) {
        this(count, xyz, rgb, gridWidth, gridHeight, stride, intrinsics, near, far, null);
    }
}
