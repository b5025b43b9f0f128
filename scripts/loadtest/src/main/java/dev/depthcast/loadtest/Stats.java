package dev.depthcast.loadtest;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles and friends over small in-memory samples (exact, nearest-rank). */
final class Stats {

    private Stats() {}

    static double[] sorted(Collection<Double> values) {
        return values.stream()
                .filter(v -> !v.isNaN())
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
    }

    static double[] sorted(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).toArray();
        Arrays.sort(v);
        return v;
    }

    /** Nearest-rank percentile of sorted values (p in 0..100); NaN when empty. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** Jain's fairness index: 1 when all equal, 1/n when one gets everything. */
    static double jain(double[] values) {
        double sum = 0;
        double squares = 0;
        for (double v : values) {
            sum += v;
            squares += v * v;
        }
        return squares == 0 ? Double.NaN : sum * sum / (values.length * squares);
    }

    /** Rounded for reports: 0.1 precision, NaN stays NaN (written as null in JSON). */
    static Double round1(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 10) / 10.0;
    }

    static Double round3(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 1000) / 1000.0;
    }
}
