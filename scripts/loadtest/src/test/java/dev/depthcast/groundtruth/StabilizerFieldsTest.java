package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class StabilizerFieldsTest {

    @Test
    void theStabMapAndTheStageTimeAreReadWhereverTheyStand() throws Exception {
        MessageBufferPacker out = MessagePack.newDefaultBufferPacker();
        out.packMapHeader(4);
        out.packString("v").packInt(2);
        out.packString("stab").packMapHeader(4);
        out.packString("scale").packFloat(1.25f);
        out.packString("shift").packDouble(-0.5);
        out.packString("resets").packInt(1);
        out.packString("failed").packInt(3);
        out.packString("xyz").packBinaryHeader(3).writePayload(new byte[] {1, 2, 3});
        out.packString("timing").packMapHeader(2);
        out.packString("inference").packDouble(4.5);
        out.packString("stabilize").packDouble(0.25);
        StabilizerFields f = StabilizerFields.read(out.toByteArray());
        assertTrue(f.present());
        assertEquals(1.25, f.scale());
        assertEquals(-0.5, f.shift());
        assertEquals(1, f.resets());
        assertEquals(3, f.failed());
        assertEquals(0.25, f.stabilizeMs());
    }

    @Test
    void aMessageWithoutThemHasNone() throws Exception {
        MessageBufferPacker out = MessagePack.newDefaultBufferPacker();
        out.packMapHeader(2);
        out.packString("v").packInt(2);
        out.packString("timing").packMapHeader(1);
        out.packString("inference").packDouble(4.5);
        StabilizerFields f = StabilizerFields.read(out.toByteArray());
        assertFalse(f.present());
        assertTrue(Double.isNaN(f.stabilizeMs()));
    }
}
