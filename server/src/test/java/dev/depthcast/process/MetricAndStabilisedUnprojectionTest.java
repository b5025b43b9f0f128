package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.I420Frame;
import org.junit.jupiter.api.Test;

class MetricAndStabilisedUnprojectionTest {

    private static final UnprojectParams P = new UnprojectParams(1, 60, 0.4f, 4f, 0f);

    @Test
    void metricOutputIsUsedAsMetresAndTheRangeIsTheFramesTrueExtent() {
        float[] metres = {0.7f, 1.5f, 12.5f, Float.NaN, -1f, 3f};
        I420Frame f = Frames.uniform(3, 2, 126, 128, 128);
        PointCloud c = new Unprojector().unproject(metres, 0, 3, 2, f, P, DepthMapping.METRIC);
        assertEquals(4, c.count(), "NaN and negative depths are dropped");
        assertEquals(-0.7f, c.xyz()[2]);
        assertEquals(-12.5f, c.xyz()[8]);
        assertEquals(0.7f, c.near());
        assertEquals(12.5f, c.far());
        assertNull(c.stabiliser());
        for (int i = 0; i < c.count(); i++) {
            assertTrue(-c.xyz()[i * 3 + 2] >= c.near(), "schema 2 quantises from range[0]");
        }
    }

    @Test
    void aMetricFrameWithoutValidDepthReportsTheConfiguredRange() {
        float[] metres = {Float.NaN, 0f, -2f, Float.POSITIVE_INFINITY};
        PointCloud c =
                new Unprojector().unproject(metres, 0, 2, 2, Frames.uniform(2, 2, 0, 128, 128), P, DepthMapping.METRIC);
        assertEquals(0, c.count());
        assertEquals(0.4f, c.near());
        assertEquals(4f, c.far());
    }

    @Test
    void aStabilisedCloudReportsARangeHoldingEveryPointAndTheStabilisersState() {
        StabiliserState state = new StabiliserState(1, 0, 1, 0);
        // Values beyond the reference's percentiles extrapolate past near and far.
        StabilisedMapping m = new StabilisedMapping(0.2f, 0.8f, 0.4f, 4f, state, 0f);
        float[] depth = {-0.5f, 0.2f, 0.5f, 0.8f, 1.6f, 0.4f};
        PointCloud c = new Unprojector().unproject(depth, 0, 3, 2, Frames.uniform(3, 2, 0, 128, 128), P, m);
        assertEquals(6, c.count());
        assertNotNull(c.stabiliser());
        assertTrue(c.near() < 0.4f && c.far() > 4f, c.near() + ".." + c.far());
        for (int i = 0; i < c.count(); i++) {
            float z = -c.xyz()[i * 3 + 2];
            assertTrue(z >= c.near() && z <= c.far(), "depth " + z);
        }
        assertEquals(4f, -c.xyz()[1 * 3 + 2], 1e-5f);
        assertEquals(0.4f, -c.xyz()[3 * 3 + 2], 1e-6f);
    }

    @Test
    void theEdgeTestLeavesADifferenceTheModelsNoiseExplainsAndStillDropsARealEdge() {
        // lo..hi = 0.2..0.8 maps onto 1/4..1/0.4: 3.75 per unit of value; at 4 m a value sigma of 0.01
        // is 0.6 m of depth, so 3.6 m next to 4.1 m is noise, while 1 m next to 4 m is an edge.
        StabilisedMapping quiet = new StabilisedMapping(0.2f, 0.8f, 0.4f, 4f, null, 0f);
        StabilisedMapping noisy = new StabilisedMapping(
                0.2f, 0.8f, 0.4f, 4f, null, StabilisedMapping.noiseFactor(0.01, 0.2f, 0.8f, 0.4f, 4f));
        assertTrue(Unprojector.jump(3.6f, 4.1f, 0.1f, quiet), "without a known noise: an edge, as configured");
        assertTrue(!Unprojector.jump(3.6f, 4.1f, 0.1f, noisy), "within the noise: no edge");
        assertTrue(Unprojector.jump(1f, 4f, 0.1f, noisy), "a real edge is still one");
        assertTrue(Unprojector.jump(3.6f, 4.1f, 0.1f, DepthMapping.METRIC), "metric output: the edge as configured");
    }
}
