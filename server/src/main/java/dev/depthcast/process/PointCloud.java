package dev.depthcast.process;

/**
 * Compact points of one frame: xyz (metres, three.js camera frame) and rgb, {@code count} valid.
 * Arrays may be longer than needed (reused buffers).
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
        float far) {}
