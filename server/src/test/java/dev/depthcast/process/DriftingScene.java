package dev.depthcast.process;

import java.util.Random;

/**
 * A synthetic relative depth stream: a static room (a back wall at 3.5 m, a floor coming to 1.2 m,
 * a box at 2 m) with a disc that approaches and recedes in front of it (1.5 m to 0.6 m), seen
 * through a "model" whose inverse depth output drifts every frame in scale (×(1 ± drift)) and
 * shift (± offset of the range), plus per-pixel noise — as relative models do. The disc never
 * enters the right fifth of the view: {@link #staticRegion} is there.
 */
final class DriftingScene {

    final int width;
    final int height;
    private final double scaleDrift;
    private final double offsetDrift;
    private final double noise;
    private final Random random;
    /** The drift of the latest frame: its output is {@code lastScale * (1/z) + lastShift} plus noise. */
    double lastScale;

    double lastShift;

    DriftingScene(int width, int height, double scaleDrift, double offsetDrift, double noise, long seed) {
        this.width = width;
        this.height = height;
        this.scaleDrift = scaleDrift;
        this.offsetDrift = offsetDrift;
        this.noise = noise;
        this.random = new Random(seed);
    }

    /** True depth in metres at (x, y) in frame {@code f}. */
    double trueDepth(int x, int y, int f) {
        double z = 3.5;
        double floorStart = height * 0.55;
        if (y > floorStart) {
            // The floor: nearer towards the bottom of the view.
            double t = (y - floorStart) / (height - floorStart);
            z = 3.5 + t * (1.2 - 3.5);
        }
        if (x > width * 0.8 && x < width * 0.95 && y > height * 0.2 && y < height * 0.5) {
            z = 2.0;
        }
        double phase = f * 2 * Math.PI / 90;
        double cx = width * (0.2 + 0.35 * (0.5 + 0.5 * Math.sin(phase)));
        double cy = height * 0.5;
        double discZ = 1.05 - 0.45 * Math.cos(phase * 1.7);
        double radius = height * (0.12 + 0.1 * (1.5 - discZ));
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius) {
            z = discZ;
        }
        return z;
    }

    /** Frame {@code f}'s model output: drifting relative inverse depth, row-major. */
    float[] frame(int f) {
        double scale = 1 + scaleDrift * (2 * random.nextDouble() - 1);
        // Inverse depth spans about 1/3.5 .. 1/0.6 m⁻¹: the offset is a fraction of that range.
        double shift = offsetDrift * (1 / 0.6 - 1 / 3.5) * (2 * random.nextDouble() - 1);
        double sigma = noise * (1 / 0.6 - 1 / 3.5);
        lastScale = scale;
        lastShift = shift;
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double inverse = 1 / trueDepth(x, y, f);
                out[y * width + x] = (float) (scale * inverse + shift + sigma * random.nextGaussian());
            }
        }
        return out;
    }

    /** Whether (x, y) lies in a region the disc never enters: the wall above the box, right of the disc. */
    boolean staticRegion(int x, int y) {
        return x > width * 0.78 && y < height * 0.18;
    }
}
