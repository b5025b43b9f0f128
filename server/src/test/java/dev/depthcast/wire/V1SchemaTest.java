package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

class V1SchemaTest {

    static PointCloudMessage sample(int n, int tag) {
        float[] xyz = new float[n * 3];
        byte[] rgb = new byte[n * 3];
        for (int i = 0; i < n * 3; i++) {
            xyz[i] = i * 0.25f - 7;
            rgb[i] = (byte) (i * 7);
        }
        return new PointCloudMessage(
                1,
                new Origin(42, 123_456_789L, 1_700_000_000_000_000L, 1_700_000_000_050_000L, tag),
                new Grid(504, 378, 3, new Intrinsics(436.5f, 436.5f, 252f, 189f, 60f), 0.4f, 4f),
                new Points(n, xyz, rgb),
                new Timing(0.1, 2, 3, 40, 1.5, 0),
                new Serving("relief", "cpu-onnxruntime", 4, 7, 0));
    }

    @Test
    void aMessageDecodesToWhatWasEncoded() throws IOException {
        PointCloudMessage m = sample(1000, Origin.NO_TAG);
        EncodedMessage e = new V1Encoder().encode(m);
        PointCloudMessage back = new V1Decoder().decode(e.bytes());
        assertEquals(m.origin(), back.origin());
        assertEquals(m.grid(), back.grid());
        assertEquals(m.serving(), back.serving());
        assertEquals(1000, back.points().count());
        assertArrayEquals(m.points().xyz(), back.points().xyz());
        assertArrayEquals(m.points().rgb(), back.points().rgb());
        assertEquals(40, back.timing().inference(), 1e-6);
        assertEquals(1.5, back.timing().unproject(), 1e-6);
        assertEquals(e.encodeMs(), back.timing().encode(), 1e-3, "the message carries the time encoding it took");
        assertTrue(e.encodeMs() > 0);
    }

    @Test
    void theEncodeTimeIsReadFromTheEncodersClock() throws IOException {
        long[] now = {5_000_000};
        V1Encoder encoder = new V1Encoder(() -> now[0] += 250_000);
        EncodedMessage e = encoder.encode(sample(3, Origin.NO_TAG));
        assertEquals(0.25, e.encodeMs(), 1e-9);
        assertEquals(0.25, new V1Decoder().decode(e.bytes()).timing().encode(), 1e-6);
    }

    /** The schema of docs/protocol.md: these keys, arrays as binary (never lists), little-endian floats. */
    @Test
    void arraysAreRawLittleEndianBinary() throws IOException {
        PointCloudMessage m = sample(21_168, Origin.NO_TAG);
        byte[] bytes = new V1Encoder().encode(m).bytes();
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
        assertEquals(
                Set.of(
                        "v",
                        "seq",
                        "ts",
                        "ingestUs",
                        "sentUs",
                        "w",
                        "h",
                        "stride",
                        "n",
                        "xyz",
                        "rgb",
                        "intr",
                        "range",
                        "timing",
                        "batch",
                        "dropped",
                        "model",
                        "backend"),
                types.keySet());
        assertEquals(ValueType.BINARY, types.get("xyz"));
        assertEquals(ValueType.BINARY, types.get("rgb"));
        assertEquals(ValueType.MAP, types.get("timing"));
        assertEquals(
                m.points().xyz()[5],
                ByteBuffer.wrap(xyz).order(ByteOrder.LITTLE_ENDIAN).getFloat(5 * 4));
        // 15 bytes a point plus a small header; msgpack lists would be about twice that.
        assertTrue(bytes.length > 21_168 * 15 && bytes.length < 21_168 * 15 + 1024, "size " + bytes.length);
    }

    /** The frame tag travels as an int {@code tag} when the frame had one, and is absent otherwise. */
    @Test
    void frameTagIsCarriedWhenPresentAndAbsentOtherwise() throws IOException {
        byte[] untagged = new V1Encoder().encode(sample(3, Origin.NO_TAG)).bytes();
        assertEquals(Origin.NO_TAG, new V1Decoder().decode(untagged).origin().tag());
        assertFalse(keys(untagged).contains("tag"));
        byte[] tagged = new V1Encoder().encode(sample(3, 65535)).bytes();
        assertTrue(keys(tagged).contains("tag"));
        assertEquals(65535, new V1Decoder().decode(tagged).origin().tag());
    }

    static Set<String> keys(byte[] bytes) throws IOException {
        Set<String> keys = new HashSet<>();
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
    void everyTruncationIsAnIoException() {
        byte[] bytes = new V1Encoder().encode(sample(10, 7)).bytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThrows(IOException.class, () -> new V1Decoder().decode(cut), "cut to " + length);
        }
    }

    @Test
    void aSchema2MessageIsNotReadAsSchema1() throws IOException {
        byte[] v2 = GoldenFiles.bytes("small.v2.msgpack");
        IOException e = assertThrows(IOException.class, () -> new V1Decoder().decode(v2));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }
}
