package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.process.StabiliserState;
import dev.depthcast.wire.PointCloudMessage.Timing;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/** The optional {@code stab} map and {@code timing.stabilize}: written only when a stabiliser ran, read back by both schemas. */
class StabiliserFieldsTest {

    private static PointCloudMessage stabilised(PointCloudMessage m) {
        Timing t = m.timing();
        return new PointCloudMessage(
                m.version(),
                m.origin(),
                m.grid(),
                m.points(),
                new Timing(t.ingest(), t.queue(), t.preprocess(), t.inference(), 0.25, t.unproject(), t.encode()),
                new StabiliserState(0.8125, -0.03125, 2, 7),
                m.serving());
    }

    private static boolean hasKey(byte[] bytes, String key) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                if (u.unpackString().equals(key)) {
                    return true;
                }
                u.skipValue();
            }
        }
        return false;
    }

    @Test
    void bothSchemasCarryTheStabilisersStateAndTimeAndReadThemBack() throws IOException {
        PointCloudMessage m = stabilised(V2SchemaTest.source());
        byte[][] encoded = {
            new V1Encoder().encode(m).bytes(), new V2Encoder().encode(m).bytes()
        };
        try (MessageDecoder decoder = new MessageDecoder()) {
            for (byte[] bytes : encoded) {
                PointCloudMessage back = decoder.decode(bytes);
                assertEquals(new StabiliserState(0.8125, -0.03125, 2, 7), back.stab());
                assertEquals(0.25, back.timing().stabilize(), 1e-6);
                assertEquals(m.points().count(), back.points().count());
            }
        }
    }

    @Test
    void withoutAStabiliserNeitherKeyIsWrittenAndTheMessageIsByteIdentical() throws IOException {
        PointCloudMessage plain = V2SchemaTest.source();
        byte[] v2 = new V2Encoder(1, () -> 0).encode(plain).bytes();
        assertTrue(!hasKey(v2, "stab"));
        try (MessageDecoder decoder = new MessageDecoder()) {
            PointCloudMessage back = decoder.decode(v2);
            assertNull(back.stab());
            assertTrue(Double.isNaN(back.timing().stabilize()));
        }
        PointCloudMessage sameFields = new PointCloudMessage(
                plain.version(), plain.origin(), plain.grid(), plain.points(), plain.timing(), null, plain.serving());
        assertArrayEquals(v2, new V2Encoder(1, () -> 0).encode(sameFields).bytes());
        assertTrue(hasKey(new V2Encoder(1, () -> 0).encode(stabilised(plain)).bytes(), "stab"));
    }
}
