package dev.depthcast.process;

/**
 * A relative model's output after a session's stabiliser aligned it to the session's reference
 * ({@link DepthStabiliser#update}): linear in inverse depth between the reference's slowly moving
 * percentiles {@code lo} (→ {@code far}) and {@code hi} (→ {@code near}). Values beyond them
 * extrapolate, clamped to a quarter of near and four times far, so the room keeps its metres when a
 * nearer or farther thing enters the view. Float arithmetic in the order of
 * kernels/depthcast_math.cuh's {@code dc_stable_metres}, so the GPU path maps alike.
 *
 * @param noiseK the difference between neighbours at {@code z} metres that the model's noise alone
 *     explains is {@code noiseK · z · z} (0: not known, the edge test as configured)
 */
public record StabilisedMapping(float lo, float hi, float near, float far, StabiliserState state, float noiseK)
        implements DepthMapping {

    /** How far beyond near and far the extrapolation may reach. */
    static final float EXTRAPOLATION = 4f;
    /** Sigmas of two neighbours' difference that noise alone may reach. */
    static final double EDGE_NOISE_SIGMAS = 3;

    /**
     * The edge test's noise factor for values of sigma {@code valueNoise} (aligned units): at depth
     * {@code z}, {@code d(z) = z² · d(1/z)}, and {@code 1/z} moves {@code (1/near - 1/far) / (hi - lo)}
     * per unit; two neighbours differ by {@code √2} sigmas.
     */
    public static float noiseFactor(double valueNoise, float lo, float hi, float near, float far) {
        double perUnit = (1.0 / near - 1.0 / far) / ((double) hi - lo);
        return (float) (EDGE_NOISE_SIGMAS * Math.sqrt(2) * valueNoise * perUnit);
    }

    @Override
    public float neighbourNoise(float z) {
        return noiseK * z * z;
    }

    @Override
    public float metres(float value) {
        if (!Float.isFinite(value)) {
            return Float.NaN;
        }
        float t = hi - lo > 0f ? (value - lo) / (hi - lo) : 0.5f;
        float inv = 1f / far + t * (1f / near - 1f / far);
        inv = Math.max(1f / (far * EXTRAPOLATION), Math.min(EXTRAPOLATION / near, inv));
        return 1f / inv;
    }

    /** The configured range, widened to take in the frame's nearest and farthest points. */
    @Override
    public Range range(float zmin, float zmax, UnprojectParams params) {
        return zmin <= zmax
                ? new Range(Math.min(params.near(), zmin), Math.max(params.far(), zmax))
                : new Range(params.near(), params.far());
    }

    @Override
    public StabiliserState stabiliser() {
        return state;
    }
}
