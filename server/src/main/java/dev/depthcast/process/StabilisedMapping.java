package dev.depthcast.process;

/**
 * A relative model's output mapped through a session's stabiliser: aligned to the reference
 * ({@code scale * value + shift}), then linear in inverse depth between the reference's slowly
 * moving percentiles {@code lo} (→ {@code far}) and {@code hi} (→ {@code near}). Values beyond
 * them extrapolate, clamped to a quarter of near and four times far, so the room keeps its
 * metres when a nearer or farther thing enters the view.
 */
public record StabilisedMapping(
        double scale, double shift, double lo, double hi, float near, float far, StabiliserState state)
        implements DepthMapping {

    /** How far beyond near and far the extrapolation may reach. */
    static final double EXTRAPOLATION = 4;

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
