package dev.depthcast.process;

/**
 * How a depth grid becomes points (docs/pipeline-math.md).
 *
 * @param stride sampling step on the depth grid (3 gives ~21k points at 378x504)
 * @param hfovDegrees horizontal field of view of the camera
 * @param near metres the nearest thing in view maps to
 * @param far metres the farthest thing maps to
 * @param edge relative depth jump to a neighbour that drops a point (0 disables)
 */
public record UnprojectParams(int stride, float hfovDegrees, float near, float far, float edge) {

    // The defaults, as compile-time constants: the command line's annotations read them too.
    public static final int DEFAULT_STRIDE = 3;
    public static final int DEFAULT_HFOV_DEGREES = 60;
    public static final float DEFAULT_NEAR = 0.4f;
    public static final int DEFAULT_FAR = 4;
    public static final float DEFAULT_EDGE = 0.1f;

    public static final UnprojectParams DEFAULT =
            new UnprojectParams(DEFAULT_STRIDE, DEFAULT_HFOV_DEGREES, DEFAULT_NEAR, DEFAULT_FAR, DEFAULT_EDGE);

    public UnprojectParams {
        if (stride < 1 || stride > 64) {
            throw new IllegalArgumentException("stride must be 1..64, got " + stride);
        }
        if (!(hfovDegrees > 1f && hfovDegrees < 179f)) {
            throw new IllegalArgumentException("fov must be in (1, 179) degrees, got " + hfovDegrees);
        }
        if (!(near > 0f && far > near)) {
            throw new IllegalArgumentException("need 0 < near < far, got " + near + ", " + far);
        }
        if (!(edge >= 0f)) {
            throw new IllegalArgumentException("edge threshold must be >= 0, got " + edge);
        }
    }

    /** The same settings at another stride (a client's link adaptation changes only that). */
    public UnprojectParams withStride(int value) {
        return value == stride ? this : new UnprojectParams(value, hfovDegrees, near, far, edge);
    }

    /** The same settings for a camera of another horizontal field of view (a session's offer names it). */
    public UnprojectParams withHfov(float degrees) {
        return degrees == hfovDegrees ? this : new UnprojectParams(stride, degrees, near, far, edge);
    }

    /** Grid points along a side of length n: ceil(n/stride). */
    public int samples(int n) {
        return (n + stride - 1) / stride;
    }
}
