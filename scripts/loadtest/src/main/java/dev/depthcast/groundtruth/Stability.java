package dev.depthcast.groundtruth;

/**
 * How still a series is that should not move — the median depth of a static region, frame after frame: its
 * coefficient of variation and its largest step from one frame to the next, both relative (scale-free).
 */
public final class Stability {

    private Stability() {}

    /** Population standard deviation over the mean; 0 for fewer than two values. */
    public static double coefficientOfVariation(double[] series) {
        if (series.length < 2) {
            return 0;
        }
        double mean = 0;
        for (double x : series) {
            mean += x;
        }
        mean /= series.length;
        double squares = 0;
        for (double x : series) {
            squares += (x - mean) * (x - mean);
        }
        return Math.sqrt(squares / series.length) / mean;
    }

    /** The largest {@code |x[i] − x[i−1]| / x[i−1]}; 0 for fewer than two values. */
    public static double largestJump(double[] series) {
        double largest = 0;
        for (int i = 1; i < series.length; i++) {
            largest = Math.max(largest, Math.abs(series[i] - series[i - 1]) / series[i - 1]);
        }
        return largest;
    }
}
