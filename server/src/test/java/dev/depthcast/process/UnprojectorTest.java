package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.I420Frame;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UnprojectorTest {

    @Test
    void knownIntrinsicsAndDepthGiveKnownPoints() {
        int w = 4;
        int h = 2;
        // inverse depth: far (0) on the left two columns, near (1) on the right
        float[] inv = {0, 0, 1, 1, 0, 0, 1, 1};
        I420Frame f = Frames.uniform(8, 4, 126, 128, 128);
        UnprojectParams p = new UnprojectParams(1, 90f, 1f, 4f, 0f);
        PointCloud c = new Unprojector().unproject(inv, 0, w, h, f, p);
        assertEquals(8, c.count());
        // hfov 90 → fx = (4/2)/tan(45°) = 2; aspect kept → fy = 2; cx = 2, cy = 1
        assertEquals(2f, c.intrinsics().fx(), 1e-6);
        assertEquals(2f, c.intrinsics().fy(), 1e-6);
        // point (u=0,v=0): z = far = 4 → X = (0.5-2)/2*4 = -3, Y = -(0.5-1)/2*4 = 1
        assertPoint(c, 0, -3f, 1f, -4f);
        // point (u=3,v=1): z = near = 1 → X = (3.5-2)/2 = 0.75, Y = -(1.5-1)/2 = -0.25
        assertPoint(c, 7, 0.75f, -0.25f, -1f);
    }

    @Test
    void inverseDepthMapsLinearlyBetweenFarAndNear() {
        Unprojector.DepthRange r = new Unprojector.DepthRange(2f, 6f, 0.5f, 5f);
        assertEquals(5f, r.metres(2f), 1e-5);
        assertEquals(0.5f, r.metres(6f), 1e-5);
        assertEquals(1f / (0.2f + 0.5f * 1.8f), r.metres(4f), 1e-5);
        assertEquals(
                1f / (0.2f + 0.5f * 1.8f),
                new Unprojector.DepthRange(3f, 3f, 0.5f, 5f).metres(3f),
                1e-5,
                "flat map sits mid-range");
    }

    @Test
    void strideSamplesCeilGrid() {
        float[] inv = new float[504 * 378];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1f + (i % 504) / 504f * 0.01f;
        }
        PointCloud c = new Unprojector()
                .unproject(inv, 0, 504, 378, Frames.uniform(640, 480, 100, 128, 128), UnprojectParams.DEFAULT);
        assertEquals(168 * 126, c.count(), "smooth depth keeps every sample: ~21k points like the seed");
    }

    @Test
    void dropsNonFiniteAndEdgePoints() {
        int w = 6;
        int h = 1;
        float[] inv = {1, 1, 1, 5, 5, Float.NaN};
        I420Frame f = Frames.uniform(6, 2, 126, 128, 128);
        PointCloud keepAll = new Unprojector().unproject(inv, 0, w, h, f, new UnprojectParams(1, 60, 0.5f, 5f, 0f));
        assertEquals(5, keepAll.count(), "NaN dropped even with the edge filter off");
        PointCloud filtered = new Unprojector().unproject(inv, 0, w, h, f, new UnprojectParams(1, 60, 0.5f, 5f, 0.1f));
        assertEquals(4, filtered.count(), "the far point next to the jump is a flying pixel");
        // Row-major, stable: survivors are u = 0, 1, 3, 4 in order
        assertTrue(filtered.xyz()[0] < filtered.xyz()[3]);
    }

    @Test
    void coloursComeFromTheSourceFrame() {
        I420Frame f = Frames.of(8, 4, (x, y) -> x < 4 ? 50 : 200, 128, 128);
        float[] inv = new float[4 * 2];
        Arrays.fill(inv, 1f);
        PointCloud c = new Unprojector().unproject(inv, 0, 4, 2, f, new UnprojectParams(1, 60, 0.5f, 5f, 0.1f));
        assertEquals(Yuv.toByte(Yuv.red(50, 128, 128)), c.rgb()[0] & 0xff);
        assertEquals(Yuv.toByte(Yuv.red(200, 128, 128)), c.rgb()[3 * 3] & 0xff);
    }

    @Test
    void offsetSelectsTheBatchSlot() {
        float[] two = new float[2 * 4];
        Arrays.fill(two, 4, 8, Float.NaN);
        I420Frame f = Frames.uniform(4, 2, 126, 128, 128);
        UnprojectParams p = new UnprojectParams(1, 60, 0.5f, 5f, 0f);
        assertEquals(4, new Unprojector().unproject(two, 0, 2, 2, f, p).count());
        assertEquals(0, new Unprojector().unproject(two, 4, 2, 2, f, p).count());
    }

    static void assertPoint(PointCloud c, int i, float x, float y, float z) {
        assertEquals(x, c.xyz()[i * 3], 1e-5, "x of " + i);
        assertEquals(y, c.xyz()[i * 3 + 1], 1e-5, "y of " + i);
        assertEquals(z, c.xyz()[i * 3 + 2], 1e-5, "z of " + i);
    }
}
