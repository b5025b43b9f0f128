package dev.depthcast.wire;

/**
 * Depth as an 8-bit video luma value (docs/protocol.md, "Dense frames"): log depth over the
 * message's {@code range}, in the limited (studio) luma range a browser's video path expects, so
 * that a decoder turning the frame into RGB and back loses nothing. Luma {@value #INVALID} (black)
 * is "no point"; a decoder takes anything below {@value #VALID_FROM} as such, so codec noise on a
 * black cell is not read as a depth. Valid depths are {@value #NEAR}..{@value #FAR}:
 * {@code L = NEAR + (FAR − NEAR)·ln(z/near)/ln(far/near)}. Over the default 0.4–4 m that is steps
 * of 1.14 % of depth (±0.57 % quantisation); log keeps the step a fixed fraction of depth, so the
 * codec's ±1–2 levels of noise cost the same relative error near and far (measured against
 * inverse depth: docs/protocol.md).
 */
public final class DenseDepthCode {

    /** Luma of a cell without a point. */
    public static final int INVALID = 16;
    /** Below this a decoded luma means "no point". */
    public static final int VALID_FROM = 24;
    /** Luma of the range's near end. */
    public static final int NEAR = 32;
    /** Luma of the range's far end (the top of limited-range luma). */
    public static final int FAR = 235;

    private DenseDepthCode() {}

    /** The luma for {@code z} metres in [near, far] (clamped to the ends); {@link #INVALID} for a non-positive or NaN depth. */
    public static int luma(float z, float near, float far) {
        if (!(z > 0f)) {
            return INVALID;
        }
        double t = Math.log(z / (double) near) / Math.log(far / (double) near);
        long l = Math.round(NEAR + (FAR - NEAR) * t);
        return (int) Math.max(NEAR, Math.min(FAR, l));
    }

    /**
     * The depths where the luma steps up over {@code near..far}: {@code bounds[k]} is where
     * {@link #luma} changes from {@code NEAR + k} to {@code NEAR + k + 1}, so a packer finds a
     * depth's luma by binary search instead of a logarithm per point (the same values, rounding
     * half up, up to float rounding at the bounds themselves).
     */
    public static float[] bounds(float near, float far) {
        float[] b = new float[FAR - NEAR];
        double step = Math.log(far / (double) near) / (FAR - NEAR);
        for (int k = 0; k < b.length; k++) {
            b[k] = (float) (near * Math.exp((k + 0.5) * step));
        }
        return b;
    }

    /** {@link #luma} through {@link #bounds}: the number of bounds below {@code z}, from {@link #NEAR}. */
    public static int luma(float z, float[] bounds) {
        if (!(z > 0f)) {
            return INVALID;
        }
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] <= z) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return NEAR + lo;
    }

    /** Metres for a decoded luma value (a float: a decoder may interpolate); NaN below {@link #VALID_FROM}. */
    public static float metres(double luma, float near, float far) {
        if (luma < VALID_FROM) {
            return Float.NaN;
        }
        double t = (luma - NEAR) / (FAR - NEAR);
        return (float) (near * Math.exp(t * Math.log(far / (double) near)));
    }
}
