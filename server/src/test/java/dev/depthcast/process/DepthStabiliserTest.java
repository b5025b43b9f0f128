package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DepthStabiliserTest {

    private static final int W = 504;
    private static final int H = 378;
    private static final float NEAR = 0.4f;
    private static final float FAR = 4f;

    /** Median metres over the scene's static region, as a frame's mapping gives them. */
    private static double staticDepth(DriftingScene scene, float[] frame, DepthMapping mapping) {
        double[] values = new double[scene.width * scene.height];
        int n = 0;
        for (int y = 0; y < scene.height; y += 2) {
            for (int x = 0; x < scene.width; x += 2) {
                if (scene.staticRegion(x, y)) {
                    values[n++] = mapping.metres(frame[y * scene.width + x]);
                }
            }
        }
        Arrays.sort(values, 0, n);
        return values[n / 2];
    }

    private record Stability(double cv, double largestJump) {}

    private static Stability stability(double[] depths) {
        double mean = Arrays.stream(depths).average().orElseThrow();
        double var = Arrays.stream(depths).map(d -> (d - mean) * (d - mean)).sum() / depths.length;
        double jump = 0;
        for (int i = 1; i < depths.length; i++) {
            jump = Math.max(jump, Math.abs(depths[i] - depths[i - 1]) / depths[i - 1]);
        }
        return new Stability(Math.sqrt(var) / mean, jump);
    }

    private static Stability run(DriftingScene scene, int frames, boolean stabilised) {
        DepthStabiliser stabiliser = new DepthStabiliser();
        UnprojectParams p = UnprojectParams.DEFAULT;
        double[] depths = new double[frames];
        for (int f = 0; f < frames; f++) {
            float[] frame = scene.frame(f);
            DepthMapping mapping = stabilised
                    ? stabiliser.update(frame, 0, scene.width, scene.height, NEAR, FAR)
                    : Unprojector.DepthRange.of(frame, 0, frame.length, p);
            depths[f] = staticDepth(scene, frame, mapping);
        }
        return stability(depths);
    }

    @Test
    void staticDepthHoldsWithinTwoPercentWhileADiscMovesAndTheModelDrifts() {
        DriftingScene scene = new DriftingScene(W, H, 0.15, 0.1, 0.02, 1);
        Stability s = run(scene, 180, true);
        System.out.printf("stabilised: CV %.4f, largest jump %.4f%n", s.cv(), s.largestJump());
        assertTrue(s.cv() <= 0.02, "coefficient of variation " + s.cv());
        assertTrue(s.largestJump() <= 0.02, "largest frame-to-frame jump " + s.largestJump());
    }

    @Test
    void perFrameRangeBreathesOnTheSameScene() {
        // The baseline the stabiliser replaces: the same scene, each frame through its own extent.
        Stability s = run(new DriftingScene(W, H, 0.15, 0.1, 0.02, 1), 180, false);
        System.out.printf("per-frame range: CV %.4f, largest jump %.4f%n", s.cv(), s.largestJump());
        assertTrue(s.cv() > 0.02 || s.largestJump() > 0.02, "per-frame min/max held still: " + s);
    }

    @Test
    void aStaticSceneWithoutDriftMapsToTheSameMetresEveryFrame() {
        DriftingScene scene = new DriftingScene(W, H, 0, 0, 0, 2);
        DepthStabiliser stabiliser = new DepthStabiliser();
        float[] first = scene.frame(0);
        float a = stabiliser.update(first, 0, W, H, NEAR, FAR).metres(first[W * 10 + W - 5]);
        float b = stabiliser.update(first, 0, W, H, NEAR, FAR).metres(first[W * 10 + W - 5]);
        assertEquals(a, b, 1e-4f);
        assertEquals(1, stabiliser.state().resets());
        assertEquals(0, stabiliser.state().failed());
    }

    @Test
    void theFitRecoversTheModelsScaleAndShift() {
        DriftingScene scene = new DriftingScene(W, H, 0, 0, 0, 3);
        DepthStabiliser stabiliser = new DepthStabiliser();
        float[] reference = scene.frame(0);
        stabiliser.update(reference, 0, W, H, NEAR, FAR);
        float[] drifted = reference.clone();
        for (int i = 0; i < drifted.length; i++) {
            drifted[i] = 1.25f * drifted[i] - 0.2f;
        }
        stabiliser.update(drifted, 0, W, H, NEAR, FAR);
        assertEquals(1 / 1.25, stabiliser.state().scale(), 1e-3);
        assertEquals(0.2 / 1.25, stabiliser.state().shift(), 1e-3);
    }

    @Test
    void aCutResetsTheReferenceAfterAFewDisagreeingFrames() {
        DepthStabiliser stabiliser = new DepthStabiliser();
        DriftingScene room = new DriftingScene(W, H, 0.1, 0.05, 0.01, 4);
        for (int f = 0; f < 10; f++) {
            stabiliser.update(room.frame(f), 0, W, H, NEAR, FAR);
        }
        assertEquals(1, stabiliser.state().resets());
        // Another scene: depth rising left to right, which the room's reference cannot explain.
        float[] other = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                other[y * W + x] = (float) Math.sin(x * 0.05) * (float) Math.cos(y * 0.07);
            }
        }
        for (int f = 0; f < DepthStabiliser.DISAGREEMENTS_TO_RESET; f++) {
            stabiliser.update(other, 0, W, H, NEAR, FAR);
        }
        assertEquals(2, stabiliser.state().resets());
        assertEquals(
                DepthStabiliser.DISAGREEMENTS_TO_RESET - 1, stabiliser.state().failed());
        StabilisedMapping after = stabiliser.update(other, 0, W, H, NEAR, FAR);
        assertEquals(1, after.state().scale(), 1e-6);
        assertEquals(
                DepthStabiliser.DISAGREEMENTS_TO_RESET - 1, stabiliser.state().failed());
    }

    @Test
    void aBlankFrameKeepsThePreviousMappingAndCountsAFailure() {
        DriftingScene scene = new DriftingScene(W, H, 0.1, 0.05, 0.01, 5);
        DepthStabiliser stabiliser = new DepthStabiliser();
        for (int f = 0; f < 5; f++) {
            stabiliser.update(scene.frame(f), 0, W, H, NEAR, FAR);
        }
        StabilisedMapping before = stabiliser.update(scene.frame(5), 0, W, H, NEAR, FAR);
        float[] blank = new float[W * H];
        Arrays.fill(blank, 0.3f);
        StabilisedMapping during = stabiliser.update(blank, 0, W, H, NEAR, FAR);
        assertEquals(before.state().scale(), during.state().scale());
        assertEquals(before.state().shift(), during.state().shift());
        assertEquals(before.lo(), during.lo());
        assertEquals(before.hi(), during.hi());
        assertEquals(1, stabiliser.state().failed());
        assertEquals(1, stabiliser.state().resets());
    }

    @Test
    void anAllNanFrameKeepsThePreviousMappingAndCountsAFailure() {
        DriftingScene scene = new DriftingScene(W, H, 0.1, 0.05, 0.01, 6);
        DepthStabiliser stabiliser = new DepthStabiliser();
        StabilisedMapping before = stabiliser.update(scene.frame(0), 0, W, H, NEAR, FAR);
        float[] nan = new float[W * H];
        Arrays.fill(nan, Float.NaN);
        StabilisedMapping during = stabiliser.update(nan, 0, W, H, NEAR, FAR);
        assertEquals(before.state().scale(), during.state().scale());
        assertEquals(before.state().shift(), during.state().shift());
        assertEquals(1, stabiliser.state().failed());
        assertTrue(Float.isNaN(during.metres(Float.NaN)));
    }

    @Test
    void aSingleAllOutlierFrameKeepsTheMappingWithoutAReset() {
        DriftingScene scene = new DriftingScene(W, H, 0.1, 0.05, 0.01, 7);
        DepthStabiliser stabiliser = new DepthStabiliser();
        StabilisedMapping before = null;
        for (int f = 0; f < 5; f++) {
            before = stabiliser.update(scene.frame(f), 0, W, H, NEAR, FAR);
        }
        float[] noise = new float[W * H];
        java.util.Random r = new java.util.Random(8);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = r.nextFloat();
        }
        StabilisedMapping during = stabiliser.update(noise, 0, W, H, NEAR, FAR);
        assertEquals(before.state().scale(), during.state().scale());
        assertEquals(1, stabiliser.state().failed());
        assertEquals(1, stabiliser.state().resets());
        stabiliser.update(scene.frame(6), 0, W, H, NEAR, FAR);
        assertEquals(1, stabiliser.state().resets());
    }

    @Test
    void aSessionThatBeginsBlankStartsItsReferenceAtTheFirstFrameWithDepth() {
        DepthStabiliser stabiliser = new DepthStabiliser();
        float[] blank = new float[W * H];
        StabilisedMapping mapping = stabiliser.update(blank, 0, W, H, NEAR, FAR);
        // Its values are replaced in place by ones that map mid-range.
        float z = mapping.metres(blank[0]);
        assertTrue(z > NEAR && z < FAR, "depth " + z);
        assertEquals(0, stabiliser.state().resets());
        assertEquals(1, stabiliser.state().failed());
        stabiliser.update(new DriftingScene(W, H, 0, 0, 0, 9).frame(0), 0, W, H, NEAR, FAR);
        assertEquals(1, stabiliser.state().resets());
    }

    @Test
    void extrapolatedDepthsStayPositiveAndFinite() {
        StabilisedMapping m = new StabilisedMapping(0f, 1f, NEAR, FAR, null, 0f);
        for (float v : new float[] {-100f, -1f, 0f, 1f, 2f, 100f}) {
            float z = m.metres(v);
            assertTrue(z >= NEAR / 4 - 1e-6 && z <= FAR * 4 + 1e-4, v + " → " + z);
        }
    }

    @Test
    void selectFindsTheKthSmallest() {
        double[] a = {5, 1, 4, 2, 3, 3, 9, 0};
        double[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int k = 0; k < a.length; k++) {
            assertEquals(sorted[k], DepthStabiliser.select(a.clone(), a.length, k));
        }
    }
}
