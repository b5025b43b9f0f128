package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.model.Preset;
import dev.depthcast.process.UnprojectParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferPlanTest {

    @Test
    void sizesForEveryPresetAndBatchSize() {
        for (Preset p : Preset.ALL) {
            for (int n : new int[] {1, 2, 4, 8, 16, 64}) {
                for (boolean half : new boolean[] {true, false}) {
                    BufferPlan plan = BufferPlan.of(
                            n, p.inputHeight(), p.inputWidth(), p.inputHeight(), p.inputWidth(), half, half);
                    int e = half ? 2 : 4;
                    long px = (long) p.inputHeight() * p.inputWidth();
                    assertEquals(n * 3 * px * e, plan.inputBytes(), p.name() + " n=" + n);
                    assertEquals(n * px * e, plan.depthBytes());
                    assertEquals(n * px, plan.pointCapacity());
                    assertEquals(12 * n * px, plan.xyzBytes());
                    assertEquals(3 * n * px, plan.rgbBytes());
                    assertEquals(4L * n * px, plan.zBytes());
                    assertEquals(4L * n * px, plan.stableDepthBytes());
                    assertEquals(n * px, plan.keepBytes());
                    assertEquals(4L * n, plan.countsBytes());
                    assertEquals(8L * 64 * n, plan.rangeBytes());
                    assertEquals(4L * n * ((px + 255) / 256), plan.tileCountsBytes());
                    assertEquals((long) n * SlotTable.SLOT_BYTES, plan.slotTableBytes());
                    assertEquals(n * BufferPlan.frameSlotBytes(1920, 1080), plan.frameCapacity());
                    assertEquals(
                            plan.inputBytes()
                                    + plan.depthBytes()
                                    + plan.zBytes()
                                    + plan.keepBytes()
                                    + plan.xyzBytes()
                                    + plan.rgbBytes()
                                    + plan.countsBytes()
                                    + plan.rangeBytes()
                                    + plan.tileCountsBytes()
                                    + plan.normBytes()
                                    + plan.stableDepthBytes()
                                    + 2 * (plan.frameCapacity() + plan.slotTableBytes()),
                            plan.deviceBytes());
                    assertEquals(
                            2
                                            * (plan.frameCapacity()
                                                    + plan.slotTableBytes()
                                                    + plan.xyzBytes()
                                                    + plan.rgbBytes()
                                                    + plan.countsBytes())
                                    + plan.stableDepthBytes(),
                            plan.pinnedBytes());
                }
            }
        }
    }

    @Test
    void theServersDefaultPlanIsModest() {
        // depth-anything-v2 at 378x504, batch 8, FP16 bindings: what a GPU host allocates at start.
        BufferPlan plan = BufferPlan.of(8, 378, 504, 378, 504, true, true);
        assertEquals(9_144_576, plan.inputBytes()); // 8.7 MiB FP16 input
        assertEquals(3_048_192, plan.depthBytes());
        assertTrue(plan.deviceBytes() < 120L << 20, "device " + (plan.deviceBytes() >> 20) + " MiB");
        assertTrue(plan.pinnedBytes() < 120L << 20, "pinned " + (plan.pinnedBytes() >> 20) + " MiB");
    }

    @Test
    void aBatchOfFullHdFramesAtStrideOneFitsAndMisfitsAreExplained() {
        BufferPlan plan = BufferPlan.of(8, 378, 504, 378, 504, true, true);
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            items.add(new BatchItem(BatchLayoutTest.frame(1920, 1080, i), new UnprojectParams(1, 60, 0.4f, 4, 0.1f)));
        }
        assertNull(plan.misfit(BatchLayout.of(items, 504, 378)));
        assertTrue(plan.misfit(BatchLayout.of(items, 518, 518)).contains("depth grid"));
        items.add(items.get(0));
        assertTrue(plan.misfit(BatchLayout.of(items, 504, 378)).contains("max batch"));
        List<BatchItem> big = List.of(new BatchItem(BatchLayoutTest.frame(3840, 2160, 1), UnprojectParams.DEFAULT));
        BufferPlan small = BufferPlan.of(1, 378, 504, 378, 504, true, true);
        assertTrue(small.misfit(BatchLayout.of(big, 504, 378)).contains("frames need"));
    }

    @Test
    void growingAtLeastDoublesRoundsToMibAndKeepsEverythingElse() {
        BufferPlan plan = BufferPlan.of(1, 256, 256, 256, 256, false, false);
        assertSame(plan, plan.grownFor(plan.frameCapacity()));
        BufferPlan g = plan.grownFor(plan.frameCapacity() + 1);
        assertTrue(g.frameCapacity() >= 2 * plan.frameCapacity());
        assertEquals(0, g.frameCapacity() % (1 << 20));
        BufferPlan huge = plan.grownFor(100L << 20);
        assertEquals(100L << 20, huge.frameCapacity());
        assertEquals(plan.inputBytes(), huge.inputBytes());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> BufferPlan.of(0, 10, 10, 10, 10, true, true));
        assertThrows(IllegalArgumentException.class, () -> BufferPlan.of(65, 10, 10, 10, 10, true, true));
        assertThrows(IllegalArgumentException.class, () -> new BufferPlan(1, 10, 10, 10, 10, 3, 2, 0));
    }
}
