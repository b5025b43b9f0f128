package dev.depthcast.groundtruth;

import java.util.SplittableRandom;

/**
 * How a relative depth model's output strays from the truth, as Depth Anything's and MiDaS's do from frame to
 * frame: the true inverse depth times a scale in {@code 1 ± scaleSpread}, plus a shift in
 * {@code ± shiftSpread × range} (range: the scene's span of inverse depth), both drawn afresh for every frame, plus
 * pixel noise of {@code noise × range} (σ). Deterministic: the same frame index gives the same scale, shift and noise,
 * in every process.
 */
public record Drift(double scaleSpread, double shiftSpread, double noise, double range) {

    public static final double SCALE_SPREAD = 0.15;
    public static final double SHIFT_SPREAD = 0.10;
    public static final double NOISE = 0.005;

    private static final long SEED = 0x5DEECE66DL;

    public Drift {
        if (!(scaleSpread >= 0 && scaleSpread < 1) || !(shiftSpread >= 0) || !(noise >= 0) || !(range > 0)) {
            throw new IllegalArgumentException("drift needs 0 <= scale spread < 1, shift spread >= 0, noise >= 0 and "
                    + "range > 0; got " + scaleSpread + ", " + shiftSpread + ", " + noise + ", " + range);
        }
    }

    /** The benchmark's drift over a scene whose depth spans {@code nearest}..{@code farthest} metres. */
    public static Drift typical(double nearest, double farthest) {
        return new Drift(SCALE_SPREAD, SHIFT_SPREAD, NOISE, 1 / nearest - 1 / farthest);
    }

    /** The scale of frame {@code index}. */
    public double scale(long index) {
        return 1 + scaleSpread * (2 * random(index).nextDouble() - 1);
    }

    /** The shift of frame {@code index}. */
    public double shift(long index) {
        SplittableRandom r = random(index);
        r.nextDouble(); // the scale's draw
        return shiftSpread * range * (2 * r.nextDouble() - 1);
    }

    /** Turns {@code count} true inverse depths from {@code offset} into what the drifting model says, in place. */
    public void apply(float[] inverseDepth, int offset, int count, long index) {
        double scale = scale(index);
        double shift = shift(index);
        double sigma = noise * range;
        SplittableRandom pixels = random(~index);
        for (int i = offset; i < offset + count; i++) {
            inverseDepth[i] = (float) (scale * inverseDepth[i] + shift + sigma * pixels.nextGaussian());
        }
    }

    private static SplittableRandom random(long index) {
        return new SplittableRandom(SEED ^ index * 0x9E3779B97F4A7C15L);
    }
}
