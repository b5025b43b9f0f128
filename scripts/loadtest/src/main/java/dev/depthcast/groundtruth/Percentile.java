package dev.depthcast.groundtruth;

import java.util.Arrays;

/** Percentiles with linear interpolation between the closest ranks (Hyndman–Fan type 7, numpy's default). */
public final class Percentile {

    private Percentile() {}

    /** The {@code q}-quantile ({@code 0..1}) of {@code values} (not changed); NaN when empty. */
    public static double of(float[] values, int count, double q) {
        float[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return ofSorted(sorted, q);
    }

    /** As {@link #of}, for values already sorted ascending. */
    public static double ofSorted(float[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * ((double) sorted[hi] - sorted[lo]);
    }
}
