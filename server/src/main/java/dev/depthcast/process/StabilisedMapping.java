package dev.depthcast.process;

/**
 * A relative model's output mapped through a session's stabiliser: aligned to the reference
 * ({@code scale * value + shift}), then linear in inverse depth between the reference's slowly
 * moving percentiles {@code lo} (→ {@code far}) and {@code hi} (→ {@code near}). Values beyond
 * them extrapolate, clamped to a quarter of near and four times far, so the room keeps its
 * metres when a nearer or farther thing enters the view.
 */
public record StabilisedMapping(
        double scale,
        double shift,
        double lo,
        double hi,
        float near,
        float far,
        StabiliserState state,
        double valueNoise)
        implements DepthMapping {

    /** How far beyond near and far the extrapolation may reach. */
    static final double EXTRAPOLATION = 4;
    /** Sigmas of two neighbours' difference that noise alone may reach. */
    static final double EDGE_NOISE_SIGMAS = 3;

    /** A mapping whose values' noise is not known ({@code valueNoise} 0: the edge test as configured). */
    public StabilisedMapping(
            double scale, double shift, double lo, double hi, float near, float far, StabiliserState state) {
        this(scale, shift, lo, hi, near, far, state, 0);
    }

    /**
     * {@code valueNoise} is one value's sigma in the mapped (aligned) units; at depth {@code z},
     * {@code d(z) = z² · d(1/z)} and {@code 1/z} moves {@code (1/near - 1/far) / (hi - lo)} per unit.
     */
    @Override
    public float neighbourNoise(float z) {
        double perUnit = (1.0 / near - 1.0 / far) / (hi - lo);
        return (float) (EDGE_NOISE_SIGMAS * Math.sqrt(2) * valueNoise * perUnit * scale * z * z);
    }

    @Override
    public float metres(float value) {
        if (!Float.isFinite(value)) {
            return Float.NaN;
        }
        double t = (scale * value + shift - lo) / (hi - lo);
        double inv = 1.0 / far + t * (1.0 / near - 1.0 / far);
        inv = Math.max(1.0 / (far * EXTRAPOLATION), Math.min(EXTRAPOLATION / near, inv));
        return (float) (1.0 / inv);
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
