package dev.depthcast.schedule;

import java.util.Arrays;

/**
 * What a batch of 1 … max frames costs on the backend at hand, learned from batches as they run:
 * each size's cost is a moving average of its measured times (start-up calibration seeds it, every
 * batch after updates it). Sizes not measured are estimated from those that were:
 *
 * <ul>
 *   <li>between two measured sizes: linear interpolation;</li>
 *   <li>above the largest measured: its last segment's slope continued (never falling); with only
 *       one size measured, proportional — a batch of n costs n batches of one, i.e. batching is
 *       assumed to gain nothing until a measurement shows it does;</li>
 *   <li>below the smallest measured: proportional (n/s of the smallest measured size s).</li>
 * </ul>
 * With nothing measured at all, {@link #known()} is false and the planner batches greedily (no
 * size can be preferred without a cost to compare).
 *
 * <p>Written and read on the inference executor's thread; {@link #snapshot()} is published for
 * {@code /api/stats} and may be read from any thread.
 */
public final class BatchCosts {

    /** Weight of a new measurement in a size's moving average (≈ the last 5–8 batches count). */
    static final double SMOOTHING = 0.25;

    private final int maxBatch;
    private final double[] measuredMs;
    private final long[] samples;
    private final long[] lastMeasuredNanos;
    private volatile Snapshot snapshot;

    public BatchCosts(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1");
        }
        this.maxBatch = maxBatch;
        this.measuredMs = new double[maxBatch + 1];
        this.samples = new long[maxBatch + 1];
        this.lastMeasuredNanos = new long[maxBatch + 1];
        this.snapshot = buildSnapshot();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Records that a batch of {@code n} took {@code ms}, measured at {@code nowNanos}. */
    public void record(int n, double ms, long nowNanos) {
        if (n < 1 || n > maxBatch || !(ms >= 0) || Double.isInfinite(ms)) {
            return;
        }
        measuredMs[n] = samples[n] == 0 ? ms : measuredMs[n] + SMOOTHING * (ms - measuredMs[n]);
        samples[n]++;
        lastMeasuredNanos[n] = nowNanos;
        snapshot = buildSnapshot();
    }

    /** Whether any size has been measured. */
    public boolean known() {
        for (int n = 1; n <= maxBatch; n++) {
            if (samples[n] > 0) {
                return true;
            }
        }
        return false;
    }

    public boolean measured(int n) {
        return samples[n] > 0;
    }

    /** When size {@code n} was last measured (System.nanoTime()); meaningless unless {@link #measured}. */
    public long lastMeasuredNanos(int n) {
        return lastMeasuredNanos[n];
    }

    /** Estimated cost of a batch of {@code n}, ms; NaN when nothing is measured. */
    public double estimateMs(int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " (max " + maxBatch + ")");
        }
        if (samples[n] > 0) {
            return measuredMs[n];
        }
        int below = 0;
        for (int s = n - 1; s >= 1; s--) {
            if (samples[s] > 0) {
                below = s;
                break;
            }
        }
        int above = 0;
        for (int s = n + 1; s <= maxBatch; s++) {
            if (samples[s] > 0) {
                above = s;
                break;
            }
        }
        if (below == 0 && above == 0) {
            return Double.NaN;
        }
        if (below == 0) {
            return measuredMs[above] * n / above;
        }
        if (above != 0) {
            double t = (double) (n - below) / (above - below);
            return measuredMs[below] + t * (measuredMs[above] - measuredMs[below]);
        }
        int second = 0;
        for (int s = below - 1; s >= 1; s--) {
            if (samples[s] > 0) {
                second = s;
                break;
            }
        }
        double slope = second == 0
                ? measuredMs[below] / below
                : Math.max(0, (measuredMs[below] - measuredMs[second]) / (below - second));
        return measuredMs[below] + slope * (n - below);
    }

    /** Results per second of model time for a batch of {@code n}: n / cost. */
    public double resultsPerSecond(int n) {
        return n / estimateMs(n) * 1000;
    }

    /** The curve as it stands, for {@code /api/stats}: cost per size (ms) and which were measured. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** @param costMs index n-1 = a batch of n; NaN where unknown */
    public record Snapshot(double[] costMs, boolean[] measured) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < costMs.length; i++) {
                b.append(i == 0 ? "" : ", ")
                        .append(i + 1)
                        .append(": ")
                        .append(Double.isNaN(costMs[i]) ? "?" : String.format(java.util.Locale.ROOT, "%.1f", costMs[i]))
                        .append(measured[i] ? "" : "~");
            }
            return b.append(" ms (~ estimated)").toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && Arrays.equals(costMs, s.costMs) && Arrays.equals(measured, s.measured);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(costMs) + Arrays.hashCode(measured);
        }
    }

    private Snapshot buildSnapshot() {
        double[] ms = new double[maxBatch];
        boolean[] m = new boolean[maxBatch];
        for (int n = 1; n <= maxBatch; n++) {
            ms[n - 1] = estimateMs(n);
            m[n - 1] = samples[n] > 0;
        }
        return new Snapshot(ms, m);
    }
}
