package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.UnprojectParams;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLayoutTest {

    static I420Frame frame(int w, int h, int fill) {
        int c = I420Frame.chromaSize(w, h);
        byte[] y = new byte[w * h];
        byte[] u = new byte[c];
        byte[] v = new byte[c];
        java.util.Arrays.fill(y, (byte) fill);
        java.util.Arrays.fill(u, (byte) (fill + 1));
        java.util.Arrays.fill(v, (byte) (fill + 2));
        return new I420Frame(w, h, y, u, v, 0, 0, 0, 0, 0);
    }

    @Test
    void framesArePackedOnAlignedOffsetsAndPointsByPrefixSums() {
        List<BatchItem> items = List.of(
                new BatchItem(frame(640, 480, 10), UnprojectParams.DEFAULT),
                new BatchItem(frame(321, 241, 20), new UnprojectParams(1, 60f, 0.4f, 4f, 0.1f)),
                new BatchItem(frame(2, 2, 30), new UnprojectParams(64, 90f, 0.4f, 4f, 0f)));
        BatchLayout l = BatchLayout.of(items, 504, 378);
        assertEquals(3, l.size());
        SlotTable.Slot a = l.slots().get(0);
        SlotTable.Slot b = l.slots().get(1);
        SlotTable.Slot c = l.slots().get(2);
        assertEquals(0, a.yOffset());
        assertEquals(640 * 480, a.uOffset());
        assertEquals(640 * 480 + 320 * 240, a.vOffset());
        assertEquals(0, b.yOffset() % BatchLayout.FRAME_ALIGN);
        assertTrue(b.yOffset() >= a.vOffset() + 320 * 240);
        assertEquals(b.yOffset() + 321 * 241, b.uOffset());
        assertEquals(161, b.chromaWidth());
        assertEquals(b.uOffset() + 161 * 121, b.vOffset());
        assertEquals(0, c.yOffset() % BatchLayout.FRAME_ALIGN);
        assertEquals(c.vOffset() + 1, l.frameBytes());

        assertEquals(168, a.samplesW());
        assertEquals(126, a.samplesH());
        assertEquals(504, b.samplesW());
        assertEquals(378, b.samplesH());
        assertEquals(8, c.samplesW()); // ceil(504/64)
        assertEquals(6, c.samplesH()); // ceil(378/64)
        assertEquals(0, a.pointOffset());
        assertEquals(168 * 126, b.pointOffset());
        assertEquals(168 * 126 + 504 * 378, c.pointOffset());
        assertEquals(168 * 126 + 504 * 378 + 48, l.totalSamples());
        assertEquals(504 * 378, l.maxSamples());
        assertEquals(Intrinsics.of(504, 378, 640, 480, 60f), a.intrinsics());
        assertEquals(0.1f, a.edge());
    }

    @Test
    void stagingPutsEveryPlaneWhereTheSlotSaysAndSlotsBackToBack() {
        List<BatchItem> items = List.of(
                new BatchItem(frame(5, 3, 10), UnprojectParams.DEFAULT),
                new BatchItem(frame(3, 5, 50), UnprojectParams.DEFAULT));
        BatchLayout l = BatchLayout.of(items, 8, 6);
        ByteBuffer staging = ByteBuffer.allocate((int) l.frameBytes() + 100);
        l.stageFrames(staging, List.of(items.get(0).frame(), items.get(1).frame()));
        for (int b = 0; b < 2; b++) {
            SlotTable.Slot s = l.slots().get(b);
            int fill = b == 0 ? 10 : 50;
            assertEquals(fill, staging.get(s.yOffset()));
            assertEquals(fill, staging.get(s.yOffset() + s.width() * s.height() - 1));
            assertEquals(fill + 1, staging.get(s.uOffset()));
            assertEquals(fill + 2, staging.get(s.vOffset()));
            assertEquals(fill + 2, staging.get(s.vOffset() + I420Frame.chromaSize(s.width(), s.height()) - 1));
        }
        ByteBuffer table = ByteBuffer.allocate(l.slotTableBytes());
        l.writeSlots(table);
        byte[] second = new byte[SlotTable.SLOT_BYTES];
        table.get(SlotTable.SLOT_BYTES, second);
        assertArrayEquals(SlotTable.encodeSlot(l.slots().get(1)), second);
    }

    @Test
    void refusesMismatchedFramesAndSmallBuffers() {
        List<BatchItem> items = List.of(new BatchItem(frame(4, 4, 1), UnprojectParams.DEFAULT));
        BatchLayout l = BatchLayout.of(items, 8, 6);
        assertThrows(
                IllegalArgumentException.class, () -> l.stageFrames(ByteBuffer.allocate(1), List.of(frame(4, 4, 1))));
        assertThrows(
                IllegalArgumentException.class,
                () -> l.stageFrames(ByteBuffer.allocate(1000), List.of(frame(6, 4, 1))));
        assertThrows(IllegalArgumentException.class, () -> l.stageFrames(ByteBuffer.allocate(1000), List.of()));
        assertThrows(IllegalArgumentException.class, () -> BatchLayout.of(List.of(), 8, 6));
    }
}
