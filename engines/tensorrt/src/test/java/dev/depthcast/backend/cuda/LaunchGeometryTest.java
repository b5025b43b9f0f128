package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.model.Preset;
import org.junit.jupiter.api.Test;

class LaunchGeometryTest {

    @Test
    void preprocessCoversEveryOutputPixelOfEverySlotWithLittleWaste() {
        for (Preset p : Preset.ALL) {
            for (int n = 1; n <= 64; n *= 2) {
                LaunchGeometry.Launch g = LaunchGeometry.preprocess(p.inputWidth(), p.inputHeight(), n);
                assertTrue((long) g.gridX() * g.blockX() >= p.inputWidth());
                assertTrue((long) g.gridY() * g.blockY() >= p.inputHeight());
                assertTrue((long) (g.gridX() - 1) * g.blockX() < p.inputWidth(), "no all-idle block column");
                assertTrue((long) (g.gridY() - 1) * g.blockY() < p.inputHeight(), "no all-idle block row");
                assertEquals(n, g.gridZ());
                assertEquals(256, g.blockX() * g.blockY());
            }
        }
        LaunchGeometry.Launch da = LaunchGeometry.preprocess(504, 378, 8);
        assertEquals(16, da.gridX()); // 504 / 32 = 15.75
        assertEquals(48, da.gridY()); // 378 / 8 = 47.25
    }

    @Test
    void sampleAndCompactTileTheLargestSlotAlikeAndRangeSpreadsEachSlot() {
        LaunchGeometry.Launch s = LaunchGeometry.sample(504 * 378, 8);
        assertTrue((long) s.gridX() * s.blockX() >= 504 * 378);
        assertTrue((long) (s.gridX() - 1) * s.blockX() < 504 * 378, "no all-idle tile");
        assertEquals(8, s.gridY());
        assertEquals(1, LaunchGeometry.sample(0, 1).gridX());
        assertEquals(83, LaunchGeometry.sample(168 * 126, 1).gridX(), "stride 3: 21168 samples in 83 tiles");
        // dc_compact indexes the tile counts dc_sample wrote by gridDim.x: both grids must match.
        assertEquals(s, LaunchGeometry.compact(504 * 378, 8));
        LaunchGeometry.Launch r = LaunchGeometry.range(8);
        assertEquals(LaunchGeometry.RANGE_BLOCKS, r.gridX());
        assertEquals(8, r.gridY());
        assertEquals(LaunchGeometry.RANGE_THREADS, r.blockX());
        assertTrue(
                LaunchGeometry.RANGE_BLOCKS <= LaunchGeometry.SAMPLE_THREADS,
                "dc_sample reduces the parts with one thread each");
    }

    @Test
    void refusesEmptyAndOversizedLaunches() {
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.preprocess(504, 378, 0));
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.sample(100, 70_000));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry.Launch(1, 1, 1, 64, 32, 1));
    }
}
