package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.model.Preset;
import dev.depthcast.process.Intrinsics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SlotTableTest {

    @Test
    void slotFieldsLandAtTheirOffsetsLittleEndian() {
        SlotTable.Slot s = new SlotTable.Slot(
                256,
                1000,
                2000,
                321,
                241,
                161,
                3,
                168,
                126,
                4242,
                new Intrinsics(1.5f, 2.5f, 252f, 189f, 60f),
                0.4f,
                4f,
                0.1f,
                new SlotTable.Mapping(SlotTable.Mapping.STABILISED_KIND, 0.25f, 0.75f, 0.03f));
        ByteBuffer b = ByteBuffer.wrap(SlotTable.encodeSlot(s)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SlotTable.SLOT_BYTES, b.capacity());
        assertEquals(SlotTable.Mapping.STABILISED_KIND, b.getInt(68));
        assertEquals(0.25f, b.getFloat(72));
        assertEquals(0.75f, b.getFloat(76));
        assertEquals(0.03f, b.getFloat(80));
        assertEquals(256, b.getInt(0));
        assertEquals(1000, b.getInt(4));
        assertEquals(2000, b.getInt(8));
        assertEquals(321, b.getInt(12));
        assertEquals(241, b.getInt(16));
        assertEquals(161, b.getInt(20));
        assertEquals(3, b.getInt(SlotTable.OFF_STRIDE));
        assertEquals(168, b.getInt(28));
        assertEquals(126, b.getInt(32));
        assertEquals(4242, b.getInt(SlotTable.OFF_POINT_OFF));
        assertEquals(1.5f, b.getFloat(SlotTable.OFF_FX));
        assertEquals(2.5f, b.getFloat(44));
        assertEquals(252f, b.getFloat(48));
        assertEquals(189f, b.getFloat(52));
        assertEquals(0.4f, b.getFloat(56));
        assertEquals(4f, b.getFloat(60));
        assertEquals(0.1f, b.getFloat(SlotTable.OFF_EDGE));
        assertEquals(0, b.getInt(84) | b.getInt(88) | b.getInt(92), "reserved");
    }

    @Test
    void writeSlotIgnoresTheBuffersByteOrderAndPosition() {
        SlotTable.Slot s = new SlotTable.Slot(
                1,
                2,
                3,
                4,
                5,
                3,
                1,
                4,
                5,
                0,
                new Intrinsics(1, 1, 2, 2.5f, 60),
                1,
                2,
                0,
                SlotTable.Mapping.FRAME_RANGE);
        ByteBuffer big = ByteBuffer.allocate(2 * SlotTable.SLOT_BYTES).order(ByteOrder.BIG_ENDIAN);
        big.position(7);
        SlotTable.writeSlot(big, SlotTable.SLOT_BYTES, s);
        assertEquals(7, big.position());
        assertEquals(1, big.order(ByteOrder.LITTLE_ENDIAN).getInt(SlotTable.SLOT_BYTES));
    }

    @Test
    void normIsThePreprocessorsScaleAndOffsetForEveryPreset() {
        for (Preset p : Preset.ALL) {
            ByteBuffer b = ByteBuffer.wrap(SlotTable.encodeNorm(p)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(SlotTable.NORM_BYTES, b.capacity());
            assertEquals(p.inputWidth(), b.getInt(0));
            assertEquals(p.inputHeight(), b.getInt(4));
            for (int c = 0; c < 3; c++) {
                assertEquals(1f / (255f * p.std()[c]), b.getFloat(8 + 4 * c), p.name());
                assertEquals(-p.mean()[c] / p.std()[c], b.getFloat(20 + 4 * c), p.name());
                assertEquals(p.bgr() ? 2 - c : c, b.getInt(SlotTable.NORM_OFF_CHANNEL_SLOT + 4 * c));
            }
        }
    }
}
