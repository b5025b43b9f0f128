package dev.depthcast.process;

import java.util.Arrays;
import java.util.Random;

/**
 * Holds one session's relative depth still (docs/pipeline-math.md, "Stabilised depth"). A
 * relative model's output drifts in scale and offset from frame to frame, and mapping each frame
 * through its own extent rescales the whole room whenever the nearest or farthest thing changes.
 * Instead, each frame is aligned to the session's <em>reference</em> (the samples of the frame that
 * started it) by a robust scale + shift fit on a grid of samples, in which whatever moved — a hand,
 * a head — is an outlier; the aligned values are then mapped to metres through the reference's
 * percentiles, smoothed, so the mapping holds still while the scene does.
 *
 * <p>Each sample is the mean of its cell (per-pixel noise would widen the fit's inlier band). The fit starts from
 * the line with the most support among the previous mapping, a quantile match and random pairs
 * of samples (RANSAC), then reweights: least squares on the samples within 1.5 robust sigmas, a
 * until the inlier set holds (the inliers' own robust sigma sets the band). A frame
 * whose fit fails — too few valid samples, no contrast (a blank frame), or too few samples that
 * agree with the reference — keeps the previous mapping and is counted; {@link #DISAGREEMENTS_TO_RESET}
 * disagreeing frames in a row mean the scene changed (a cut, a camera swing): the reference is
 * reset to the frame at hand. No frame is ever dropped. Last, each pixel that held still since the
 * previous frame (within {@link #MOTION_SIGMAS} noise sigmas) is averaged with its running mean: the
 * mapping stretches a few per cent of inverse depth over near..far, which turns a model's pixel noise
 * into tens of per cent of depth near far; a pixel that moved is drawn where it is now.
 *
 * <p>Owned by the session, used on its executor's thread only; {@link #state()} may be read from
 * any thread.
 */
public final class DepthStabiliser {

    /** Samples across and down the depth grid (fewer when the grid is smaller). */
    public static final int SAMPLE_COLUMNS = 48;

    public static final int SAMPLE_ROWS = 36;
    /** The reference's percentiles that map to far and near: robust to a few stray samples. */
    static final double LOW_PERCENTILE = 0.02;

    static final double HIGH_PERCENTILE = 0.98;
    /** Per-frame decay of the range's moving average (nunif's iw3 uses 0.75–0.99). */
    static final double RANGE_DECAY = 0.9;
    /** Random lines the first guess tries, and how near a sample must lie to support one (of the reference's span). */
    static final int HYPOTHESES = 64;

    static final double GUESS_BAND = 0.02;
    /** Most least squares passes after the first guess. */
    static final int ITERATIONS = 10;
    /** Samples within this many robust sigmas of the fit are inliers. */
    static final double INLIER_SIGMAS = 1.5;
    /** A sample agrees with the reference within this fraction of the reference's span. */
    static final double AGREEMENT_BAND = 0.06;
    /** A fit agreed with by fewer than this fraction of the valid samples failed. */
    static final double MIN_AGREEMENT = 0.5;
    /** The most a fit's scale may change from the previous frame's. */
    static final double MAX_SCALE_STEP = 2;
    /** A frame with fewer valid samples than this fraction cannot be fitted. */
    static final double MIN_VALID = 0.25;
    /** Disagreeing frames in a row that mean the scene changed. */
    static final int DISAGREEMENTS_TO_RESET = 3;
    /**
     * Weight of a frame's aligned value in a static pixel's running mean. The mapping to metres
     * stretches a scene's few per cent of inverse depth over near..far, so a model's per-pixel noise
     * becomes tens of per cent of depth near far; averaging a still pixel over ~9 frames takes most
     * of it out, and a pixel that moved skips the mean (see {@link #MOTION_SIGMAS}).
     */
    static final double PIXEL_WEIGHT = 0.15;
    /** A pixel that changed by more than this many noise sigmas moved: it takes the new value at once. */
    static final double MOTION_SIGMAS = 3;
    /** Every this-many-th pixel estimates the frame's noise sigma (cheap, and plenty of samples). */
    static final int NOISE_SAMPLE_STEP = 7;

    private float[] reference;
    private int gridW;
    private int gridH;
    private boolean referenceChanged;
    private double lo;
    private double hi;
    private double scale = 1;
    private double shift;
    private int disagreements;
    private long resets;
    private long failed;
    private volatile StabiliserState state = new StabiliserState(1, 0, 0, 0);

    /** Seeded: the same frames give the same fits. */
    private final Random random = new Random(19);

    /** Each pixel's running mean of aligned inverse depth (NaN: none yet); reset with the reference. */
    private float[] still = new float[0];

    private double[] diffs = new double[0];
    /** The running estimate of a still pixel's frame-to-frame change (sigma), NaN until measured. */
    private double noiseSigma = Double.NaN;
    /** This frame's values' sigma, in aligned units, for the edge test (StabilisedMapping#neighbourNoise). */
    private double valueNoise;
    /** Frames smoothed since the reference (and every pixel's mean) was reset. */
    private int framesSinceReset;

    private float[] samples = new float[0];
    private double[] xs = new double[0];
    private double[] rs = new double[0];
    private double[] scratch = new double[0];

    /** The state after the latest frame. */
    public StabiliserState state() {
        return state;
    }

    /**
     * Fits frame {@code depth} ({@code w*h} relative inverse depth values from {@code offset}) to the
     * reference, replaces those values in place by the aligned ones averaged over time where the
     * pixel held still, and returns their mapping to metres between {@code near} and {@code far}.
     */
    public StabilisedMapping update(float[] depth, int offset, int w, int h, float near, float far) {
        align(depth, offset, w, h);
        if (reference == null) {
            // Nothing fitted yet (the session began with blank frames): every depth mid-range.
            for (int i = offset; i < offset + w * h; i++) {
                if (Float.isFinite(depth[i])) {
                    depth[i] = 0.5f;
                }
            }
            state = new StabiliserState(scale, shift, resets, failed);
            return new StabilisedMapping(0f, 1f, near, far, state, 0f);
        }
        followReferenceRange();
        smoothStillPixels(depth, offset, w * h);
        state = new StabiliserState(scale, shift, resets, failed);
        float lo = (float) this.lo;
        float hi = (float) (this.hi - this.lo > 1e-12 ? this.hi : this.lo + 1);
        float noiseK = hi > lo ? StabilisedMapping.noiseFactor(valueNoise, lo, hi, near, far) : 0f;
        return new StabilisedMapping(lo, hi, near, far, state, noiseK);
    }

    /** Fits this frame to the reference (or makes it the reference), keeping the previous fit when it fails. */
    private void align(float[] depth, int offset, int w, int h) {
        int k = sample(depth, offset, w, h);
        if (reference == null || w != gridW || h != gridH) {
            if (contrasty(samples, k)) {
                reset(k, w, h);
            } else {
                failed++;
            }
            return;
        }
        Fit fit = fit(k);
        if (fit == Fit.DEGENERATE) {
            failed++;
        } else if (fit == Fit.DISAGREES) {
            if (++disagreements >= DISAGREEMENTS_TO_RESET) {
                reset(k, w, h);
            } else {
                failed++;
            }
        } else {
            disagreements = 0;
            fillReference(k);
        }
    }

    private enum Fit {
        FITTED,
        DEGENERATE,
        DISAGREES
    }

    /** Samples the grid at cell centres into {@link #samples}; returns how many. */
    private int sample(float[] depth, int offset, int w, int h) {
        int cols = Math.min(SAMPLE_COLUMNS, w);
        int rows = Math.min(SAMPLE_ROWS, h);
        int k = cols * rows;
        if (samples.length < k) {
            samples = new float[k];
            xs = new double[k];
            rs = new double[k];
            scratch = new double[k];
        }
        // Each sample is the mean of its whole cell: per-pixel noise would otherwise widen the
        // inlier band until a near object at another depth than in the reference tilts the fit,
        // and dilute its slope by an amount that follows the model's drifting scale.
        for (int j = 0; j < rows; j++) {
            int y0 = j * h / rows;
            int y1 = Math.max(y0 + 1, (j + 1) * h / rows);
            for (int i = 0; i < cols; i++) {
                int x0 = i * w / cols;
                int x1 = Math.max(x0 + 1, (i + 1) * w / cols);
                double sum = 0;
                int n = 0;
                for (int y = y0; y < y1; y++) {
                    int row = offset + y * w;
                    for (int x = x0; x < x1; x++) {
                        float v = depth[row + x];
                        if (Float.isFinite(v)) {
                            sum += v;
                            n++;
                        }
                    }
                }
                samples[j * cols + i] = n * 2 > (y1 - y0) * (x1 - x0) ? (float) (sum / n) : Float.NaN;
            }
        }
        return k;
    }

    /**
     * Aligns {@code count} values in place with this frame's fit and averages each with its pixel's
     * running mean unless it moved by more than {@link #MOTION_SIGMAS} noise sigmas since.
     */
    private void smoothStillPixels(float[] depth, int offset, int count) {
        if (still.length != count) {
            still = new float[count];
            Arrays.fill(still, Float.NaN);
        }
        float s = (float) scale;
        float t = (float) shift;
        // The noise sigma from the frame itself: the median change of sampled pixels since their
        // mean, most of which held still (a moving hand is a minority of the picture).
        int n = 0;
        if (diffs.length < count / NOISE_SAMPLE_STEP + 1) {
            diffs = new double[count / NOISE_SAMPLE_STEP + 1];
        }
        for (int i = 0; i < count; i += NOISE_SAMPLE_STEP) {
            float d = s * depth[offset + i] + t - still[i];
            if (Float.isFinite(d)) {
                diffs[n++] = Math.abs(d);
            }
        }
        // Median |difference| × 1.4826 is the difference's sigma (the running mean's own spread is
        // small). A model's noise level holds over time; a frame where most of the picture moved (a
        // pan) would inflate it, so one frame may at most double the running estimate.
        if (n >= 16) {
            double now = 1.4826 * select(diffs, n, n / 2);
            noiseSigma = Double.isNaN(noiseSigma) ? now : 0.9 * noiseSigma + 0.1 * Math.min(now, 2 * noiseSigma);
        }
        double gate = Double.isNaN(noiseSigma) ? -1 : MOTION_SIGMAS * noiseSigma;
        framesSinceReset++;
        valueNoise = Double.isNaN(noiseSigma) ? spatialNoise(depth, offset, count, s, t) : meanNoise();
        float weight = (float) PIXEL_WEIGHT;
        for (int i = 0; i < count; i++) {
            float a = s * depth[offset + i] + t;
            float m = still[i];
            if (!Float.isFinite(a)) {
                depth[offset + i] = a;
                continue;
            }
            float d = a - m;
            // NaN d (no mean yet) fails the comparison: the pixel starts from its aligned value.
            float next = Math.abs(d) <= gate ? m + weight * d : a;
            still[i] = next;
            depth[offset + i] = next;
        }
    }

    /**
     * The sigma of a still pixel's running mean: {@code noiseSigma} measures a value against its mean,
     * {@code σ·√(1 + r)}, and the mean's own is {@code σ·√r}, {@code r = w / (2 - w)} (an exponential
     * mean of weight {@code w}). 0 while unmeasured.
     */
    private double meanNoise() {
        return noiseSigma * Math.sqrt(meanVariance(framesSinceReset) / (1 + meanVariance(framesSinceReset - 1)));
    }

    /**
     * A pixel's running mean after {@code k} averaged frames, started from one raw value, has
     * {@code σ²·(q + r·(1 - q))}, {@code q = (1 - w)^(2k)}, {@code r = w / (2 - w)}: the raw value's
     * noise fading into the steady mean's (this returns the factor of {@code σ²}).
     */
    static double meanVariance(int k) {
        double q = Math.pow(1 - PIXEL_WEIGHT, 2.0 * Math.max(0, k));
        return q + PIXEL_WEIGHT / (2 - PIXEL_WEIGHT) * (1 - q);
    }

    /**
     * A frame's pixel noise with no running means yet (after a reset): the spread of the aligned
     * differences between horizontal neighbours, most of which see the same surface, over √2.
     */
    private double spatialNoise(float[] depth, int offset, int count, float s, float t) {
        int n = 0;
        for (int i = 0; i + 1 < count; i += NOISE_SAMPLE_STEP) {
            float d = s * (depth[offset + i + 1] - depth[offset + i]);
            if (Float.isFinite(d)) {
                diffs[n++] = Math.abs(d);
            }
        }
        return n < 16 ? 0 : 1.4826 * select(diffs, n, n / 2) / Math.sqrt(2);
    }

    private void reset(int k, int w, int h) {
        Arrays.fill(still, Float.NaN);
        noiseSigma = Double.NaN;
        framesSinceReset = 0;
        reference = Arrays.copyOf(samples, k);
        gridW = w;
        gridH = h;
        scale = 1;
        shift = 0;
        disagreements = 0;
        resets++;
        double[] p = percentiles(reference);
        lo = p[0];
        hi = p[1];
        referenceChanged = false;
    }

    /** Enough valid samples, and not all alike (a blank frame has no depth to fit). */
    private boolean contrasty(float[] values, int k) {
        int n = 0;
        for (int i = 0; i < k; i++) {
            if (!Float.isNaN(values[i])) {
                scratch[n++] = values[i];
            }
        }
        if (n < MIN_VALID * k || n < 8) {
            return false;
        }
        double p10 = select(scratch, n, (int) (0.1 * (n - 1)));
        double p90 = select(scratch, n, (int) (0.9 * (n - 1)));
        double med = select(scratch, n, (n - 1) / 2);
        return p90 - p10 > 1e-6 * Math.max(1.0, Math.abs(med));
    }

    private Fit fit(int k) {
        if (!contrasty(samples, k)) {
            return Fit.DEGENERATE;
        }
        int n = 0;
        for (int i = 0; i < k; i++) {
            if (!Float.isNaN(samples[i]) && !Float.isNaN(reference[i])) {
                xs[n] = samples[i];
                rs[n] = reference[i];
                n++;
            }
        }
        if (n < MIN_VALID * k || n < 8) {
            return Fit.DEGENERATE;
        }
        double span = Math.max(hi - lo, 1e-12);
        double[] guess = firstGuess(n, span);
        double s = guess[0];
        double t = guess[1];
        // Reweighting: the inliers' own robust sigma sets the next band, so the outliers'
        // residuals do not widen it; stops when the inlier set no longer changes.
        double band = GUESS_BAND * span;
        int previous = -1;
        for (int it = 0; it < ITERATIONS; it++) {
            double sx = 0, sr = 0, sxx = 0, sxr = 0;
            int m = 0;
            for (int i = 0; i < n; i++) {
                double res = Math.abs(s * xs[i] + t - rs[i]);
                if (res <= band) {
                    sx += xs[i];
                    sr += rs[i];
                    sxx += xs[i] * xs[i];
                    sxr += xs[i] * rs[i];
                    m++;
                }
            }
            if (m < 8) {
                return Fit.DISAGREES;
            }
            double varX = sxx - sx * sx / m;
            if (!(varX > 0)) {
                return Fit.DISAGREES;
            }
            double oldBand = band;
            s = (sxr - sx * sr / m) / varX;
            t = (sr - s * sx) / m;
            if (m == previous) {
                break;
            }
            previous = m;
            int kept = 0;
            for (int i = 0; i < n; i++) {
                double res = Math.abs(s * xs[i] + t - rs[i]);
                if (res <= oldBand) {
                    scratch[kept++] = res;
                }
            }
            double sigma = kept > 0 ? 1.4826 * select(scratch, kept, kept / 2) : 0;
            band = Math.max(INLIER_SIGMAS * sigma, 1e-4 * span);
        }
        // A model's scale drifts by some per cent a frame; a fit that halves or doubles it has
        // matched a flat part of the reference, not the scene.
        if (!(s > scale / MAX_SCALE_STEP && s < scale * MAX_SCALE_STEP) || !Double.isFinite(t)) {
            return Fit.DISAGREES;
        }
        int agree = 0;
        for (int i = 0; i < n; i++) {
            if (Math.abs(s * xs[i] + t - rs[i]) <= AGREEMENT_BAND * span) {
                agree++;
            }
        }
        if (agree < MIN_AGREEMENT * n) {
            return Fit.DISAGREES;
        }
        scale = s;
        shift = t;
        return Fit.FITTED;
    }

    /**
     * The line most samples lie on: of the previous mapping, a quantile match and lines through
     * random pairs of samples (RANSAC), the one with the most samples within {@link #GUESS_BAND} of
     * it. A large flat wall and a moving object also lie on a line; the static scene, the
     * majority, lies on the one with the most support.
     */
    private double[] firstGuess(int n, double span) {
        double band = GUESS_BAND * span;
        double[] best = {scale, shift};
        int bestSupport = support(n, scale, shift, band);
        double[] quantile = quantileMatch(n);
        if (quantile != null) {
            int q = support(n, quantile[0], quantile[1], band);
            if (q > bestSupport) {
                best = quantile;
                bestSupport = q;
            }
        }
        for (int h = 0; h < HYPOTHESES; h++) {
            int a = random.nextInt(n);
            int b = random.nextInt(n);
            double dx = xs[b] - xs[a];
            if (dx == 0) {
                continue;
            }
            double slope = (rs[b] - rs[a]) / dx;
            if (!(slope > scale / MAX_SCALE_STEP && slope < scale * MAX_SCALE_STEP)) {
                continue;
            }
            double offset = rs[a] - slope * xs[a];
            int c = support(n, slope, offset, band);
            if (c > bestSupport) {
                best = new double[] {slope, offset};
                bestSupport = c;
            }
        }
        return best;
    }

    private int support(int n, double s, double t, double band) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (Math.abs(s * xs[i] + t - rs[i]) <= band) {
                c++;
            }
        }
        return c;
    }

    /** Scale from the interquartile ranges, shift from the medians; null when the frame has no spread. */
    private double[] quantileMatch(int n) {
        System.arraycopy(xs, 0, scratch, 0, n);
        double x25 = select(scratch, n, n / 4);
        double x50 = select(scratch, n, n / 2);
        double x75 = select(scratch, n, 3 * n / 4);
        System.arraycopy(rs, 0, scratch, 0, n);
        double r25 = select(scratch, n, n / 4);
        double r50 = select(scratch, n, n / 2);
        double r75 = select(scratch, n, 3 * n / 4);
        if (!(x75 - x25 > 0) || !(r75 - r25 > 0)) {
            return null;
        }
        double s = (r75 - r25) / (x75 - x25);
        return new double[] {s, r50 - s * x50};
    }

    /** Reference samples the reference frame had no value for take this frame's aligned value. */
    private void fillReference(int k) {
        for (int i = 0; i < k; i++) {
            if (Float.isNaN(reference[i]) && !Float.isNaN(samples[i])) {
                reference[i] = (float) (scale * samples[i] + shift);
                referenceChanged = true;
            }
        }
    }

    /** The range follows the reference's percentiles, smoothed. */
    private void followReferenceRange() {
        if (referenceChanged) {
            double[] p = percentiles(reference);
            lo = RANGE_DECAY * lo + (1 - RANGE_DECAY) * p[0];
            hi = RANGE_DECAY * hi + (1 - RANGE_DECAY) * p[1];
            referenceChanged = false;
        }
    }

    private double[] percentiles(float[] values) {
        int n = 0;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                scratch[n++] = v;
            }
        }
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p0 = select(scratch, n, (int) (LOW_PERCENTILE * (n - 1)));
        double p1 = select(scratch, n, (int) Math.ceil(HIGH_PERCENTILE * (n - 1)));
        return new double[] {p0, p1};
    }

    /** The {@code k}-th smallest of {@code a[0..n)} (reorders it): Hoare's quickselect. */
    static double select(double[] a, int n, int k) {
        int left = 0;
        int right = n - 1;
        while (left < right) {
            double pivot = a[(left + right) >>> 1];
            int i = left;
            int j = right;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double tmp = a[i];
                    a[i] = a[j];
                    a[j] = tmp;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }
}
