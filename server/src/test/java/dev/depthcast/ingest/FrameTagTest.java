package dev.depthcast.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.depthcast.process.Frames;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The frame tag: what the reference writer paints, the server reads back — and nothing else reads as a tag. */
class FrameTagTest {

    /** A grey frame with the tag of {@code index} painted through padded strides, as native buffers have. */
    static I420Frame tagged(long index, int w, int h) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int sy = w + 16;
        int sc = cw + 8;
        ByteBuffer y = ByteBuffer.allocate(sy * h);
        ByteBuffer u = ByteBuffer.allocate(sc * ch);
        ByteBuffer v = ByteBuffer.allocate(sc * ch);
        FrameTag.paint(index, w, h, y, sy, u, sc, v, sc);
        I420Frame f = Frames.uniform(w, h, 90, 128, 128);
        for (int r = 0; r < FrameTag.stripRows(h); r++) {
            y.get(r * sy, f.y(), r * w, w);
        }
        for (int r = 0; r < FrameTag.stripRows(h) / 2; r++) {
            u.get(r * sc, f.u(), r * cw, cw);
            v.get(r * sc, f.v(), r * cw, cw);
        }
        return f;
    }

    @ParameterizedTest
    @CsvSource({
        "640,480,0",
        "640,480,1",
        "640,480,40961",
        "640,480,65535",
        "640,480,65543",
        "320,240,777",
        "1280,720,31337",
        "321,241,4242",
        "160,120,99",
        "48,32,12345"
    })
    void aPaintedIndexIsReadBack(int w, int h, long index) {
        assertEquals((int) (index & 0xFFFF), FrameTag.read(tagged(index, w, h)));
    }

    @Test
    void codecNoiseWithinACellIsTolerated() {
        // A lossy codec moves chroma around: +-30 on every sample, and a few samples flipped outright.
        I420Frame f = tagged(2024, 640, 480);
        Random rng = new Random(7);
        int strip = FrameTag.stripRows(480) / 2 * f.chromaWidth();
        for (int i = 0; i < strip; i++) {
            int value = (f.u()[i] & 0xFF) + rng.nextInt(61) - 30;
            if (rng.nextInt(100) < 5) {
                value = 255 - value;
            }
            f.u()[i] = (byte) Math.max(0, Math.min(255, value));
        }
        assertEquals(2024, FrameTag.read(f));
    }

    @Test
    void aCorruptedCellIsRejectedNotMisread() {
        I420Frame f = tagged(1234, 640, 480);
        // Cell 3 of the top row holds bit 3 of 1234 (0): paint it "one".
        int cw = f.chromaWidth();
        for (int cy = 0; cy < FrameTag.stripRows(480) / 4; cy++) {
            for (int x = 0; x < cw; x++) {
                if (FrameTag.column(2 * x, 640) == 3) {
                    f.u()[cy * cw + x] = (byte) FrameTag.U_ONE;
                }
            }
        }
        assertEquals(-1, FrameTag.read(f));
    }

    @Test
    void picturesWithoutATagReadAsNone() {
        // Uniform pictures of any colour (a wall, a lens cap, a saturated screen) carry no tag.
        for (int u : new int[] {0, 40, 92, 128, 164, 200, 255}) {
            assertEquals(-1, FrameTag.read(Frames.uniform(640, 480, 128, u, 128)), "U=" + u);
        }
        // Nor does a camera-like gradient, nor a frame too small for a tag.
        assertEquals(-1, FrameTag.read(Frames.of(640, 480, (x, y) -> (x + y) % 256, 128, 128)));
        assertEquals(-1, FrameTag.read(Frames.uniform(40, 30, 128, 200, 128)));
        assertThrows(IllegalArgumentException.class, () -> tagged(1, 40, 30));
    }

    @Test
    void everyWordIsNeitherUniformAndEverySingleBitFlipIsCaught() {
        for (int counter = 0; counter <= 0xFFFF; counter++) {
            int word = FrameTag.word(counter);
            assertNotEquals(0, word, "counter " + counter);
            assertNotEquals(0xFFFFFF, word, "counter " + counter);
            for (int bit = 0; bit < FrameTag.BITS; bit++) {
                int bad = word ^ (1 << bit);
                int c = bad & 0xFFFF;
                assertNotEquals(bad >>> 16, FrameTag.crc8(c), "flip " + bit + " of " + counter);
            }
        }
    }

    @Test
    void unwrapFindsTheFullIndexAtOrBeforeTheNewestSent() {
        assertEquals(5, FrameTag.unwrap(5, 5));
        assertEquals(3, FrameTag.unwrap(3, 10));
        assertEquals(65535, FrameTag.unwrap(65535, 65536 + 2));
        assertEquals(65536 * 3 + 7, FrameTag.unwrap(7, 65536 * 3 + 20));
    }
}
