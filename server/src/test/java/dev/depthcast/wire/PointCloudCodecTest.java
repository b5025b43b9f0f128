package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PointCloudCodecTest {

    static PointCloudMessage sample(int n) {
        float[] xyz = new float[n * 3];
        byte[] rgb = new byte[n * 3];
        for (int i = 0; i < n * 3; i++) {
            xyz[i] = i * 0.25f - 7;
            rgb[i] = (byte) (i * 7);
        }
        return new PointCloudMessage(1, 42, 123_456_789L, 1_700_000_000_000_000L, 1_700_000_000_050_000L, 504, 378,
                3, n, xyz, rgb, new Intrinsics(436.5f, 436.5f, 252f, 189f, 60f), 0.4f, 4f,
                FrameTimes.of(0.1, 2, 3, 40, 1.5, 0), 4, 7, "relief", "cpu-onnxruntime");
    }

    @Test
    void roundTrip() throws IOException {
        PointCloudMessage m = sample(1000);
        PointCloudCodec.Encoded e = PointCloudCodec.encode(m);
        PointCloudMessage back = PointCloudCodec.decode(e.bytes());
        assertEquals(m.seq(), back.seq());
        assertEquals(m.timestampUs(), back.timestampUs());
        assertEquals(m.ingestEpochUs(), back.ingestEpochUs());
        assertEquals(1000, back.count());
        assertArrayEquals(m.xyz(), back.xyz());
        assertArrayEquals(m.rgb(), back.rgb());
        assertEquals(436.5f, back.intrinsics().fx());
        assertEquals(60f, back.intrinsics().hfovDegrees());
        assertEquals(4f, back.far());
        assertEquals(40, back.timing().inference(), 1e-6);
        assertEquals(e.encodeMs(), back.timing().encode(), 1e-3);
        assertEquals(e.encodeMs(), m.timing().encode(), "the codec stamps its time into the frame's record");
        assertTrue(e.encodeMs() > 0);
        assertEquals(4, back.batch());
        assertEquals("relief", back.model());
    }

    /** The schema of docs/protocol.md: these keys, arrays as binary (never lists), little-endian floats. */
    @Test
    void arraysAreRawLittleEndianBinary() throws IOException {
        PointCloudMessage m = sample(21_168);
        byte[] bytes = PointCloudCodec.encode(m).bytes();
        Map<String, ValueType> types = new HashMap<>();
        byte[] xyz = null;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                String key = u.unpackString();
                types.put(key, u.getNextFormat().getValueType());
                if (key.equals("xyz")) {
                    xyz = u.readPayload(u.unpackBinaryHeader());
                } else {
                    u.skipValue();
                }
            }
        }
        assertEquals(Set.of("v", "seq", "ts", "ingestUs", "sentUs", "w", "h", "stride", "n", "xyz", "rgb", "intr",
                "range", "timing", "batch", "dropped", "model", "backend"), types.keySet());
        assertEquals(ValueType.BINARY, types.get("xyz"));
        assertEquals(ValueType.BINARY, types.get("rgb"));
        assertEquals(ValueType.MAP, types.get("timing"));
        assertEquals(m.xyz()[5], ByteBuffer.wrap(xyz).order(ByteOrder.LITTLE_ENDIAN).getFloat(5 * 4));
        // 15 bytes a point plus a small header: ~21k points stay near the seed's 310 KB, not its 658 KB lists.
        assertTrue(bytes.length > 21_168 * 15 && bytes.length < 21_168 * 15 + 1024, "size " + bytes.length);
    }

    /** The frame tag travels as an int {@code tag} when the frame had one, and is absent otherwise. */
    @Test
    void frameTagIsCarriedWhenPresentAndAbsentOtherwise() throws IOException {
        PointCloudMessage untagged = sample(3);
        assertEquals(PointCloudMessage.NO_TAG, PointCloudCodec.decode(PointCloudCodec.encode(untagged).bytes()).tag());
        assertTrue(!keys(PointCloudCodec.encode(untagged).bytes()).contains("tag"));
        PointCloudMessage m = sample(3);
        PointCloudMessage tagged = new PointCloudMessage(m.version(), m.seq(), m.timestampUs(), m.ingestEpochUs(),
                m.sentEpochUs(), m.gridWidth(), m.gridHeight(), m.stride(), m.count(), m.xyz(), m.rgb(), m.intrinsics(),
                m.near(), m.far(), m.timing(), m.batch(), m.dropped(), m.model(), m.backend(), 65535);
        byte[] bytes = PointCloudCodec.encode(tagged).bytes();
        assertTrue(keys(bytes).contains("tag"));
        assertEquals(65535, PointCloudCodec.decode(bytes).tag());
    }

    static Set<String> keys(byte[] bytes) throws IOException {
        Set<String> keys = new java.util.HashSet<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                keys.add(u.unpackString());
                u.skipValue();
            }
        }
        return keys;
    }

    @Test
    void rejectsMismatchedArrays() {
        PointCloudMessage m = sample(10);
        byte[] bytes = PointCloudCodec.encode(m).bytes();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 40);
        assertThrows(IOException.class, () -> PointCloudCodec.decode(cut));
    }
}
