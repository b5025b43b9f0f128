package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * What a schema-2 decoder does with a broken or hostile message: an {@link IOException} that says
 * what is wrong, never another exception or a hang. The messages are the small golden message
 * (a 10×8 cell grid at stride 2) with one thing changed.
 */
class V2DecoderMalformedInputTest {

    static final byte[] GOLDEN = GoldenFiles.bytes("small.v2.msgpack");

    /** The golden message's keys and values, in order. */
    static Map<String, Value> golden() throws IOException {
        Map<String, Value> map = new LinkedHashMap<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(GOLDEN)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                map.put(u.unpackString(), u.unpackValue());
            }
        }
        return map;
    }

    static byte[] pack(Map<String, Value> map) throws IOException {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(map.size());
            for (Map.Entry<String, Value> e : map.entrySet()) {
                p.packString(e.getKey());
                p.packValue(e.getValue());
            }
            return p.toByteArray();
        }
    }

    /** The golden message with {@code key} set to {@code value}. */
    static byte[] with(String key, Value value) throws IOException {
        Map<String, Value> map = golden();
        map.put(key, value);
        return pack(map);
    }

    static Value deflated(byte[] raw) {
        Deflater deflater = new Deflater(9, true);
        deflater.setInput(raw);
        deflater.finish();
        byte[] out = new byte[raw.length + 64];
        int size = deflater.deflate(out);
        deflater.end();
        return ValueFactory.newBinary(Arrays.copyOf(out, size));
    }

    /** Decodes {@code bytes} expecting an IOException whose message contains {@code says}. */
    static void assertRejected(byte[] bytes, String says) {
        try (V2Decoder decoder = new V2Decoder()) {
            IOException e = assertThrows(IOException.class, () -> decoder.decode(bytes));
            assertTrue(e.getMessage().contains(says), "'" + e.getMessage() + "' should say '" + says + "'");
        }
    }

    @Test
    void theUnchangedMessageDecodes() throws IOException {
        try (V2Decoder decoder = new V2Decoder()) {
            assertTrue(decoder.decode(pack(golden())).points().count() > 50);
        }
    }

    @Test
    void everyTruncationIsAnIoException() {
        try (V2Decoder decoder = new V2Decoder()) {
            for (int length = 0; length < GOLDEN.length; length++) {
                byte[] cut = Arrays.copyOf(GOLDEN, length);
                assertThrows(IOException.class, () -> decoder.decode(cut), "cut to " + length);
            }
        }
    }

    @Test
    void aVarintLongerThanFiveBytesIsRejected() throws IOException {
        byte[] residuals = new byte[80];
        Arrays.fill(residuals, 0, 6, (byte) 0x80);
        residuals[5] = 0x01;
        assertRejected(with("depth", deflated(residuals)), "varint longer than 5 bytes");
    }

    @Test
    void aVarintOver32BitsIsRejected() throws IOException {
        byte[] residuals = new byte[80];
        Arrays.fill(residuals, 0, 4, (byte) 0xff);
        residuals[4] = 0x1f;
        assertRejected(with("depth", deflated(residuals)), "varint over 32 bits");
    }

    @Test
    void aResidualStreamThatEndsEarlyIsRejected() throws IOException {
        assertRejected(with("luma", deflated(new byte[] {2, 2, 2})), "ends early");
    }

    @Test
    void bytesLeftOverAfterTheLastPresentCellAreRejected() throws IOException {
        assertRejected(with("depth", deflated(new byte[1000])), "depth stream has");
        assertRejected(with("chroma", deflated(new byte[1000])), "chroma stream has");
    }

    @Test
    void aStreamThatIsNotDeflateIsRejected() throws IOException {
        assertRejected(
                with("depth", ValueFactory.newBinary(new byte[] {(byte) 0xff, (byte) 0xff, 0x12, 0x34})), "malformed");
        assertRejected(with("cells", ValueFactory.newBinary(new byte[0])), "truncated");
    }

    @Test
    void aBitmapOfTheWrongSizeIsRejected() throws IOException {
        // 10x8 cells need 10 bytes.
        assertRejected(with("cells", deflated(new byte[9])), "cells bitmap has 9 bytes, grid needs 10");
        assertRejected(with("cells", deflated(new byte[11])), "grid needs 10");
        assertRejected(with("w", ValueFactory.newInteger(40)), "grid needs 20");
    }

    @Test
    void aBitmapThatDisagreesWithNIsRejected() throws IOException {
        assertRejected(with("n", ValueFactory.newInteger(3)), "n says 3");
    }

    @Test
    void impossibleGridsAreRejected() throws IOException {
        assertRejected(with("stride", ValueFactory.newInteger(0)), "bad grid");
        assertRejected(with("w", ValueFactory.newInteger(-20)), "bad grid");
        assertRejected(with("w", ValueFactory.newInteger(1 << 23)), "bad grid");
        // A stride near the int range must not wrap the cell count around.
        assertRejected(with("stride", ValueFactory.newInteger(Integer.MAX_VALUE)), "cells bitmap");
    }

    @Test
    void colourStepsMustBeThreeAndTheChromaBlockOneOrTwo() throws IOException {
        assertRejected(
                with("cq", ValueFactory.newArray(ValueFactory.newInteger(4), ValueFactory.newInteger(4))),
                "cq must have 3 entries");
        assertRejected(
                with(
                        "cq",
                        ValueFactory.newArray(
                                ValueFactory.newInteger(4), ValueFactory.newInteger(4), ValueFactory.newInteger(3))),
                "lacks");
    }

    @Test
    void aMissingStreamOrAWrongTypeIsRejected() throws IOException {
        Map<String, Value> map = golden();
        map.remove("luma");
        assertRejected(pack(map), "lacks");
        assertRejected(with("depth", ValueFactory.newString("deflate")), "malformed");
        assertRejected(with("v", ValueFactory.newInteger(1)), "version 1");
    }

    @Test
    void aBinaryLongerThanTheMessageIsRejectedBeforeItIsRead() {
        // The chroma value's bin8 header made a bin16 one that claims 60000 bytes.
        int at = indexOfKey(GOLDEN, "chroma") + "chroma".length() + 1;
        assertTrue(GOLDEN[at] == (byte) 0xc4, "a bin8 header");
        byte[] bytes = new byte[GOLDEN.length + 1];
        System.arraycopy(GOLDEN, 0, bytes, 0, at);
        bytes[at] = (byte) 0xc5;
        bytes[at + 1] = (byte) 0xea;
        bytes[at + 2] = (byte) 0x60;
        System.arraycopy(GOLDEN, at + 2, bytes, at + 3, GOLDEN.length - at - 2);
        assertRejected(bytes, "left");
    }

    static int indexOfKey(byte[] bytes, String key) {
        byte[] k = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i + k.length < bytes.length; i++) {
            if (bytes[i] == (byte) (0xa0 | k.length) && Arrays.equals(bytes, i + 1, i + 1 + k.length, k, 0, k.length)) {
                return i;
            }
        }
        throw new AssertionError("no key " + key);
    }

    /** Each byte of the message changed in turn, several ways: each decodes or is an IOException, promptly. */
    @Test
    void noSingleByteChangeEscapesAsAnotherExceptionOrHangs() {
        int[] flips = {0x01, 0x10, 0x80, 0xff};
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (V2Decoder decoder = new V2Decoder()) {
                for (int at = 0; at < GOLDEN.length; at++) {
                    for (int flip : flips) {
                        byte[] bytes = GOLDEN.clone();
                        bytes[at] ^= (byte) flip;
                        try {
                            decoder.decode(bytes);
                        } catch (IOException expected) {
                            // what a broken message gives
                        }
                    }
                }
            }
        });
    }
}
