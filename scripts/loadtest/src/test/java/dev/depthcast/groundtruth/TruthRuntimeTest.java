package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Preprocessor;
import org.junit.jupiter.api.Test;

class TruthRuntimeTest {

    static final RoomScene SCENE = new RoomScene(new PinholeCamera(70, 640, 480), 180);
    static final Preset PRESET = Preset.DEPTH_ANYTHING_V2;
    static final Drift DRIFT = Drift.typical(SCENE.nearestDepth(), SCENE.farthestDepth());

    @Test
    void metricOutputIsTheTrueDepthOfTheTaggedFrameAtEachCellsCentre() {
        TruthRuntime truth = new TruthRuntime(SCENE, PRESET, TruthRuntime.Output.METRIC, DRIFT);
        ModelRuntime.DepthMaps maps = truth.infer(tensorOf(60, 130), 2);
        assertEquals(PRESET.inputWidth(), maps.width());
        assertEquals(PRESET.inputHeight(), maps.height());
        int w = maps.width();
        int h = maps.height();
        for (int[] cell : new int[][] {{0, 0}, {252, 189}, {503, 377}, {100, 300}}) {
            double s = (cell[0] + 0.5) / w;
            double t = (cell[1] + 0.5) / h;
            assertEquals((float) SCENE.depth(s, t, 60), maps.data()[cell[1] * w + cell[0]], 0f);
            assertEquals((float) SCENE.depth(s, t, 130), maps.data()[maps.offset(1) + cell[1] * w + cell[0]], 0f);
        }
        assertEquals(2, truth.framesRead());
    }

    @Test
    void relativeOutputIsTheTrueInverseDepthUnderTheFramesScaleAndShiftPlusSmallNoise() {
        TruthRuntime truth = new TruthRuntime(SCENE, PRESET, TruthRuntime.Output.RELATIVE, DRIFT);
        float[] out = truth.infer(tensorOf(77), 1).data();
        float[] depth = new float[out.length];
        SCENE.depthGrid(PRESET.inputWidth(), PRESET.inputHeight(), 77, depth, 0);
        double scale = DRIFT.scale(77);
        double shift = DRIFT.shift(77);
        double sigma = DRIFT.noise() * DRIFT.range();
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < out.length; i++) {
            double residual = out[i] - (scale / depth[i] + shift);
            assertTrue(Math.abs(residual) < 6 * sigma, "pixel " + i + " off by " + residual);
            sum += residual;
            squares += residual * residual;
        }
        assertEquals(0, sum / out.length, sigma / 20, "noise has no bias");
        assertEquals(sigma, Math.sqrt(squares / out.length), sigma / 20, "noise of the stated size");
    }

    @Test
    void theDriftIsTheSameForTheSameFrameAndDiffersBetweenFrames() {
        TruthRuntime one = new TruthRuntime(SCENE, PRESET, TruthRuntime.Output.RELATIVE, DRIFT);
        TruthRuntime other = new TruthRuntime(SCENE, PRESET, TruthRuntime.Output.RELATIVE, DRIFT);
        float[] tensor = tensorOf(33);
        assertArrayEquals(one.infer(tensor, 1).data(), other.infer(tensor, 1).data());
        assertArrayEquals(one.infer(tensor, 1).data(), one.infer(tensor, 1).data());
        assertNotEquals(DRIFT.scale(33), DRIFT.scale(34));
        assertNotEquals(DRIFT.shift(33), DRIFT.shift(34));
    }

    @Test
    void theDriftSpansItsStatedRangesFrameToFrame() {
        double minScale = Double.MAX_VALUE;
        double maxScale = -Double.MAX_VALUE;
        double maxShift = 0;
        for (long i = 0; i < 2000; i++) {
            minScale = Math.min(minScale, DRIFT.scale(i));
            maxScale = Math.max(maxScale, DRIFT.scale(i));
            maxShift = Math.max(maxShift, Math.abs(DRIFT.shift(i)));
        }
        assertTrue(minScale >= 0.85 && minScale < 0.86, "scale down to 0.85: " + minScale);
        assertTrue(maxScale <= 1.15 && maxScale > 1.14, "scale up to 1.15: " + maxScale);
        double limit = 0.1 * DRIFT.range();
        assertTrue(maxShift <= limit && maxShift > 0.98 * limit, "shift up to 0.1 of the range: " + maxShift);
        assertEquals(1 / SCENE.nearestDepth() - 1 / SCENE.farthestDepth(), DRIFT.range(), 1e-12);
    }

    @Test
    void aFrameWithoutATagGetsNoDepthAndIsCounted() {
        TruthRuntime truth = new TruthRuntime(SCENE, PRESET, TruthRuntime.Output.METRIC, DRIFT);
        float[] grey = new float[new Preprocessor(PRESET).tensorLength(1)];
        float[] out = truth.infer(grey, 1).data();
        for (float v : out) {
            assertTrue(Float.isNaN(v));
        }
        assertEquals(1, truth.framesUnread());
        assertEquals(0, truth.framesRead());
    }

    static float[] tensorOf(long... indices) {
        Preprocessor p = new Preprocessor(PRESET);
        float[] tensor = new float[p.tensorLength(indices.length)];
        for (int b = 0; b < indices.length; b++) {
            I420Frame frame = Clip.frame(SCENE, indices[b]);
            p.write(frame, tensor, b);
        }
        return tensor;
    }
}
