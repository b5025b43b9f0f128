package dev.depthcast.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.Frames;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPipelineDepthMappingTest {

    private static final int W = 64;
    private static final int H = 48;

    /** A model whose every output is a ramp from {@code lo} (left) to {@code hi} (right). */
    private static ModelRuntime ramp(float lo, float hi) {
        return new ModelRuntime() {
            @Override
            public String backendName() {
                return "ramp";
            }

            @Override
            public DepthMaps infer(float[] input, int n) {
                float[] data = new float[n * W * H];
                for (int i = 0; i < data.length; i++) {
                    int x = i % W;
                    data[i] = lo + (hi - lo) * x / (W - 1) + 0.01f * ((i / W) % H);
                }
                return new DepthMaps(data, n, H, W);
            }

            @Override
            public void close() {}
        };
    }

    private static Preset preset(DepthOutput output) {
        return Preset.RELIEF.withInputSize(H, W).withOutput(output);
    }

    private static final I420Frame FRAME = Frames.uniform(W, H, 120, 128, 128);

    @Test
    void aSessionsStabiliserMapsItsFrameTimedAsItsOwnStage() throws Exception {
        DepthStabiliser stabiliser = new DepthStabiliser();
        try (HostPipeline p = new HostPipeline(preset(DepthOutput.RELATIVE), ramp(0.2f, 1.2f), 2)) {
            BatchResult r = p.run(List.of(
                    new BatchItem(FRAME, UnprojectParams.DEFAULT, stabiliser),
                    new BatchItem(FRAME, UnprojectParams.DEFAULT)));
            assertTrue(r.stabilised());
            assertTrue(r.stabiliseMs() >= 0);
            assertNotNull(r.clouds().get(0).stabiliser());
            assertEquals(1, stabiliser.state().resets());
            assertNull(r.clouds().get(1).stabiliser());
        }
    }

    @Test
    void withoutStabilisersTheBatchHasNoStabiliseTimeAndTheConfiguredRange() throws Exception {
        try (HostPipeline p = new HostPipeline(preset(DepthOutput.RELATIVE), ramp(0.2f, 1.2f), 1)) {
            BatchResult r = p.run(List.of(new BatchItem(FRAME, UnprojectParams.DEFAULT)));
            assertFalse(r.stabilised());
            PointCloud c = r.clouds().get(0);
            assertEquals(UnprojectParams.DEFAULT_NEAR, c.near());
            assertEquals(UnprojectParams.DEFAULT_FAR, c.far());
        }
    }

    @Test
    void aMetricModelsMetresAreTheCloudsDepthsWithNoStabiliserApplied() throws Exception {
        DepthStabiliser stabiliser = new DepthStabiliser();
        try (HostPipeline p = new HostPipeline(preset(DepthOutput.METRIC), ramp(1.5f, 9f), 1)) {
            // No edge filter: the ramp's first column stays.
            UnprojectParams params = new UnprojectParams(3, 60, 0.4f, 4f, 0f);
            BatchResult r = p.run(List.of(new BatchItem(FRAME, params, stabiliser)));
            assertFalse(r.stabilised());
            PointCloud c = r.clouds().get(0);
            assertEquals(1.5f, c.near(), 1e-5f);
            assertTrue(c.far() > 9f, "the frame's true extent, not --far");
            assertEquals(-1.5f, c.xyz()[2], 1e-5f);
            assertEquals(0, stabiliser.state().resets());
        }
    }
}
