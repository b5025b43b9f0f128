package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The load tester's camera carries the frame tag the server reads, whatever the moving disc does below it. */
class CodedPainterTest {

    static I420Frame paint(CodedPainter painter, long index, int w, int h) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        // Padded strides, as native buffers may have.
        int sy = w + 16;
        int sc = cw + 8;
        ByteBuffer y = ByteBuffer.allocate(sy * h);
        ByteBuffer u = ByteBuffer.allocate(sc * ch);
        ByteBuffer v = ByteBuffer.allocate(sc * ch);
        painter.paint(index, w, h, y, sy, u, sc, v, sc);
        byte[] yy = new byte[w * h];
        byte[] uu = new byte[cw * ch];
        byte[] vv = new byte[cw * ch];
        for (int r = 0; r < h; r++) {
            y.get(r * sy, yy, r * w, w);
        }
        for (int r = 0; r < ch; r++) {
            u.get(r * sc, uu, r * cw, cw);
            v.get(r * sc, vv, r * cw, cw);
        }
        return new I420Frame(w, h, yy, uu, vv, 1, 0, 0, 0, 0);
    }

    @ParameterizedTest
    @CsvSource({"640,480", "320,240", "1280,720", "321,241", "160,120"})
    void everyFrameCarriesItsIndex(int w, int h) {
        CodedPainter painter = new CodedPainter();
        for (long index : new long[] {0, 1, 2, 47, 300, 40961, 65535, 65536 + 9}) {
            I420Frame f = paint(painter, index, w, h);
            assertEquals((int) (index & 0xFFFF), FrameTag.read(f), "frame " + index + " at " + w + "x" + h);
        }
        // Below the strip it is the moving picture, not a flat fill: the encoder has work to do.
        I420Frame a = paint(painter, 0, w, h);
        I420Frame b = paint(painter, 20, w, h);
        int row = h * 3 / 4 * w;
        boolean moved = false;
        for (int x = 0; x < w; x++) {
            moved |= a.y()[row + x] != b.y()[row + x];
        }
        assertNotEquals(false, moved, "the disc moves");
    }
}
