package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The worked example of docs/protocol.md "Grid coding" (web/test/unit/wire-v2.test.mjs decodes the same bytes). */
class GridCoderTest {

    static final byte[] ALL = {1, 1, 1, 1, 1, 1};
    static final byte[] STREAM = {10, 2, 4, 1, (byte) 0xce, 0x04, (byte) 0xdb, 0x04};

    @Test
    void encodesTheDocumentedExample() {
        int[] g = {5, 6, 8, 4, 300, -2};
        GridCoder.ByteSink out = new GridCoder.ByteSink();
        GridCoder.encode(g, ALL, 3, 2, out);
        assertArrayEquals(STREAM, Arrays.copyOf(out.bytes, out.length));
    }

    @Test
    void decodesItBackAndFillsAbsentCellsWithTheirPrediction() throws IOException {
        int[] g = new int[6];
        assertEquals(STREAM.length, GridCoder.decode(g, ALL, 3, 2, STREAM, 0, STREAM.length));
        assertArrayEquals(new int[] {5, 6, 8, 4, 300, -2}, g);
        int[] h = new int[3];
        assertEquals(2, GridCoder.decode(h, new byte[] {1, 0, 1}, 3, 1, new byte[] {10, 4}, 0, 2));
        assertArrayEquals(new int[] {5, 5, 7}, h);
    }

    /** Prediction and residual add in 32-bit two's complement: a sum past the int range wraps around. */
    @Test
    void sumsWrapAroundModulo2To32() throws IOException {
        int[] g = {Integer.MAX_VALUE, Integer.MIN_VALUE};
        GridCoder.ByteSink out = new GridCoder.ByteSink();
        GridCoder.encode(g.clone(), new byte[] {1, 1}, 2, 1, out);
        assertArrayEquals(
                new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x02},
                Arrays.copyOf(out.bytes, out.length),
                "MIN_VALUE - MAX_VALUE wraps to 1: zigzag 2");
        int[] back = new int[2];
        GridCoder.decode(back, new byte[] {1, 1}, 2, 1, out.bytes, 0, out.length);
        assertArrayEquals(g, back);
    }

    @Test
    void extremesSurviveAndTruncationIsCaught() throws IOException {
        int[] g = {Integer.MAX_VALUE / 2, Integer.MIN_VALUE / 2, 0, -1};
        GridCoder.ByteSink out = new GridCoder.ByteSink();
        GridCoder.encode(g.clone(), new byte[] {1, 1, 1, 1}, 2, 2, out);
        int[] back = new int[4];
        GridCoder.decode(back, new byte[] {1, 1, 1, 1}, 2, 2, out.bytes, 0, out.length);
        assertArrayEquals(g, back);
        assertThrows(
                IOException.class,
                () -> GridCoder.decode(new int[4], new byte[] {1, 1, 1, 1}, 2, 2, out.bytes, 0, out.length - 1));
    }
}
