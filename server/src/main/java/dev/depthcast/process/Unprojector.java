package dev.depthcast.process;

import dev.depthcast.ingest.I420Frame;

/**
 * Model output grid → metric depth (a {@link DepthMapping}) → pinhole unprojection → compact xyz +
 * rgb, dropping non-finite and flying (edge) points. With each frame's own range it is the CPU
 * twin of kernels/unproject.cu; see docs/pipeline-math.md. Stateless apart from a reused depth row
 * buffer: one per thread.
 */
public final class Unprojector {

    private float[] z = new float[0];

    /**
     * Maps each frame through its own extent ({@link DepthRange#of}).
     *
     * @param depth model output, relative inverse depth, {@code gridW*gridH} values from {@code offset}
     */
    public PointCloud unproject(float[] depth, int offset, int gridW, int gridH, I420Frame frame, UnprojectParams p) {
        return unproject(depth, offset, gridW, gridH, frame, p, DepthRange.of(depth, offset, gridW * gridH, p));
    }

    /**
     * @param depth model output, {@code gridW*gridH} values from {@code offset}
     * @param mapping how the values become metres, and the range the cloud reports
     */
    public PointCloud unproject(
            float[] depth, int offset, int gridW, int gridH, I420Frame frame, UnprojectParams p, DepthMapping mapping) {
        int stride = p.stride();
        int sw = p.samples(gridW);
        int sh = p.samples(gridH);

        // Metric depth at every sampled grid point; NaN marks invalid.
        if (z.length < sw * sh) {
            z = new float[sw * sh];
        }
        for (int j = 0; j < sh; j++) {
            int rowOffset = offset + j * stride * gridW;
            for (int i = 0; i < sw; i++) {
                z[j * sw + i] = mapping.metres(depth[rowOffset + i * stride]);
            }
        }

        Intrinsics k = Intrinsics.of(gridW, gridH, frame.width(), frame.height(), p.hfovDegrees());
        float[] xyz = new float[sw * sh * 3];
        byte[] rgb = new byte[sw * sh * 3];
        int n = 0;
        // The extent of the delivered points: what the GPU path finds in its downloaded points too.
        float zmin = Float.POSITIVE_INFINITY;
        float zmax = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < sh; j++) {
            int v = j * stride;
            for (int i = 0; i < sw; i++) {
                float d = z[j * sw + i];
                if (Float.isNaN(d) || isEdge(d, i, j, sw, sh, p.edge(), mapping)) {
                    continue;
                }
                int u = i * stride;
                xyz[n * 3] = ((u + 0.5f) - k.cx()) / k.fx() * d;
                xyz[n * 3 + 1] = -((v + 0.5f) - k.cy()) / k.fy() * d;
                xyz[n * 3 + 2] = -d;
                writeColour(frame, u, v, gridW, gridH, rgb, n * 3);
                n++;
                zmin = Math.min(zmin, d);
                zmax = Math.max(zmax, d);
            }
        }
        DepthMapping.Range range = mapping.range(zmin, zmax, p);
        return new PointCloud(n, xyz, rgb, gridW, gridH, stride, k, range.near(), range.far(), mapping.stabiliser());
    }

    private boolean isEdge(float d, int i, int j, int sw, int sh, float edge, DepthMapping mapping) {
        if (edge <= 0f) {
            return false;
        }
        return (i + 1 < sw && jump(d, z[j * sw + i + 1], edge, mapping))
                || (j + 1 < sh && jump(d, z[(j + 1) * sw + i], edge, mapping));
    }

    /**
     * A neighbour that is itself invalid is no edge; nor is a difference the mapping's own noise
     * explains (a noisy far wall would otherwise lose a different third of its points every frame).
     */
    static boolean jump(float d, float neighbour, float edge, DepthMapping mapping) {
        if (Float.isNaN(neighbour)) {
            return false;
        }
        float diff = Math.abs(neighbour - d);
        return diff > edge * Math.min(neighbour, d) && diff > mapping.neighbourNoise(Math.max(neighbour, d));
    }

    static void writeColour(I420Frame f, int u, int v, int gridW, int gridH, byte[] rgb, int at) {
        int sx = Math.min((int) ((u + 0.5f) * f.width() / gridW), f.width() - 1);
        int sy = Math.min((int) ((v + 0.5f) * f.height() / gridH), f.height() - 1);
        int yy = f.y()[sy * f.width() + sx] & 0xff;
        int c = (sy >> 1) * f.chromaWidth() + (sx >> 1);
        int uu = f.u()[c] & 0xff;
        int vv = f.v()[c] & 0xff;
        rgb[at] = (byte) Yuv.toByte(Yuv.red(yy, uu, vv));
        rgb[at + 1] = (byte) Yuv.toByte(Yuv.green(yy, uu, vv));
        rgb[at + 2] = (byte) Yuv.toByte(Yuv.blue(yy, uu, vv));
    }

    /**
     * Maps relative inverse depth to metres, linear in inverse depth between far and near: a
     * frame's own extent [lo, hi] onto [far, near]. The range the cloud reports is near..far.
     */
    public record DepthRange(float lo, float hi, float near, float far) implements DepthMapping {

        /** The extent of the finite values of {@code depth[offset .. offset+length)}, mapped onto {@code p}'s near..far. */
        public static DepthRange of(float[] depth, int offset, int length, UnprojectParams p) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = offset; i < offset + length; i++) {
                float r = depth[i];
                if (Float.isFinite(r)) {
                    lo = Math.min(lo, r);
                    hi = Math.max(hi, r);
                }
            }
            return new DepthRange(lo, hi, p.near(), p.far());
        }

        @Override
        public float metres(float r) {
            if (!Float.isFinite(r)) {
                return Float.NaN;
            }
            float t = (hi - lo < 1e-6f) ? 0.5f : (r - lo) / (hi - lo);
            float inv = 1f / far + t * (1f / near - 1f / far);
            return 1f / inv;
        }

        @Override
        public Range range(float zmin, float zmax, UnprojectParams params) {
            return new Range(near, far);
        }
    }
}
