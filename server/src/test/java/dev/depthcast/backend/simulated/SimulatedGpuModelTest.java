package dev.depthcast.backend.simulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.ModelRuntime.DepthMaps;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.Preprocessor;
import dev.depthcast.process.UnprojectParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedGpuModelTest {

    /** 640x480, dark gradient with a bright square in the middle. */
    static I420Frame brightSquare(long seq) {
        int w = 640;
        int h = 480;
        byte[] y = new byte[w * h];
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                boolean in = Math.abs(x - w / 2) < 100 && Math.abs(r - h / 2) < 100;
                y[r * w + x] = (byte) (in ? 220 : 40);
            }
        }
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        Arrays.fill(u, (byte) 128);
        Arrays.fill(v, (byte) 128);
        return new I420Frame(w, h, y, u, v, seq, 0, System.nanoTime(), 0, 0);
    }

    @Test
    void batchTakesFixedPlusPerItemWallTime() {
        SimulatedGpuModel model = new SimulatedGpuModel(Preset.RELIEF, new SimulatedCost(15, 5));
        Preprocessor pre = new Preprocessor(Preset.RELIEF);
        float[] input = new float[pre.tensorLength(4)];
        for (int b = 0; b < 4; b++) {
            pre.write(brightSquare(b), input, b);
        }
        model.infer(input, 1); // warm-up (JIT), not measured
        long t0 = System.nanoTime();
        model.infer(input, 4);
        double ms = (System.nanoTime() - t0) / 1e6;
        // A lower bound is exact (it sleeps until the deadline); the upper bound only catches gross
        // errors (ms vs s): a loaded CI box may wake the thread late.
        assertTrue(ms >= 35, "batch of 4 at 15+5 took " + ms + " ms");
        assertTrue(ms < 35 + 500, "batch of 4 at 15+5 took " + ms + " ms");
    }

    @Test
    void depthFollowsBrightnessAtThePresetSize() {
        SimulatedGpuModel model = new SimulatedGpuModel(Preset.RELIEF, new SimulatedCost(0, 0));
        Preprocessor pre = new Preprocessor(Preset.RELIEF);
        float[] input = new float[pre.tensorLength(2)];
        pre.write(brightSquare(1), input, 0);
        pre.write(brightSquare(2), input, 1);
        DepthMaps maps = model.infer(input, 2);
        assertEquals(378, maps.height());
        assertEquals(504, maps.width());
        int w = maps.width();
        int centre = maps.offset(1) + (maps.height() / 2) * w + w / 2;
        int corner = maps.offset(1) + (maps.height() / 2) * w + 10;
        // Inverse depth: the bright square is nearer (larger) than the dark surround at the same row.
        assertTrue(
                maps.data()[centre] > maps.data()[corner] + 0.3f, maps.data()[centre] + " vs " + maps.data()[corner]);
        // Both batch slots got the same frame content, so the same map.
        assertEquals(maps.data()[maps.offset(0) + 1234], maps.data()[maps.offset(1) + 1234], 1e-6);
    }

    @Test
    void boxBlurMatchesANaiveOne() {
        int h = 7;
        int w = 11;
        float[] src = new float[h * w];
        for (int i = 0; i < src.length; i++) {
            src[i] = (i * 37 % 13) / 13f;
        }
        float[] rows = new float[h * w];
        float[] both = new float[h * w];
        SimulatedGpuModel.boxRows(src, rows, h, w, 2);
        SimulatedGpuModel.boxColumns(rows, both, h, w, 2);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float sum = 0;
                for (int dy = -2; dy <= 2; dy++) {
                    for (int dx = -2; dx <= 2; dx++) {
                        int yy = Math.min(Math.max(y + dy, 0), h - 1);
                        int xx = Math.min(Math.max(x + dx, 0), w - 1);
                        sum += src[yy * w + xx];
                    }
                }
                assertEquals(sum / 25, both[y * w + x], 1e-5, "at " + x + "," + y);
            }
        }
    }

    @Test
    void backendsOpensItBehindTheHostPipelineWithTheSameWireOutput() throws Exception {
        ServerConfig config =
                ServerConfig.builder().simulated(SimulatedCost.parse("1+0.5")).build();
        try (DepthPipeline pipeline = Backends.open(config)) {
            assertEquals("simulated", pipeline.backendName());
            List<BatchItem> items = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                items.add(new BatchItem(brightSquare(i), UnprojectParams.DEFAULT));
            }
            BatchResult result = pipeline.run(items);
            assertEquals(3, result.clouds().size());
            assertTrue(result.inferenceMs() >= 2.5, "inference " + result.inferenceMs() + " ms");
            PointCloud cloud = result.clouds().get(0);
            assertEquals(504, cloud.gridWidth());
            assertEquals(378, cloud.gridHeight());
            int grid = 168 * 126;
            assertTrue(cloud.count() > grid * 0.8 && cloud.count() <= grid, "points " + cloud.count());
        }
    }

    @Test
    void simulatedWithoutACostUsesTheDefault() throws Exception {
        try (DepthPipeline pipeline =
                Backends.open(ServerConfig.builder().simulated(null).build())) {
            assertEquals("simulated", pipeline.backendName());
        }
        assertEquals(22.0, SimulatedGpuModel.DEFAULT_COST.costMs(1), 1e-9);
    }
}
