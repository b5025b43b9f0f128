package dev.depthcast.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.I420Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Y4mTest {

    @TempDir
    Path dir;

    static I420Frame frame(int w, int h, int seed) {
        byte[] y = new byte[I420Frame.lumaSize(w, h)];
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        for (int i = 0; i < y.length; i++) {
            y[i] = (byte) (i * 7 + seed);
        }
        Arrays.fill(u, (byte) (100 + seed));
        Arrays.fill(v, (byte) (150 + seed));
        return new I420Frame(w, h, y, u, v, seed, 0, 0, 0, 0);
    }

    @Test
    void writesAndReadsBackOddSizedFramesExactly() throws IOException {
        Path clip = dir.resolve("c.y4m");
        List<I420Frame> frames = List.of(frame(321, 241, 1), frame(321, 241, 2), frame(321, 241, 3));
        Y4m.write(clip, frames, 30);
        String header = new String(Files.readAllBytes(clip), 0, 49, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("YUV4MPEG2 W321 H241 F30:1 Ip A1:1 C420jpeg\nFRAME\n"), header);
        assertEquals(43 + 3 * (6 + 321 * 241 + 2 * 161 * 121), Files.size(clip));
        List<I420Frame> back = Y4m.read(clip);
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(frames.get(i).y(), back.get(i).y());
            assertArrayEquals(frames.get(i).u(), back.get(i).u());
            assertArrayEquals(frames.get(i).v(), back.get(i).v());
        }
    }

    @Test
    void refusesWhatItCannotReadNamingTheFile() throws IOException {
        assertEquals("not a YUV4MPEG2 clip", message("P5 2 2 255\n"));
        assertTrue(message("YUV4MPEG2 W4 H4 C444\nFRAME\n").contains("only 8-bit 4:2:0"));
        assertTrue(message("YUV4MPEG2 W4 H4 C420p10\nFRAME\n").contains("only 8-bit 4:2:0"));
        assertTrue(message("YUV4MPEG2 W4 H4 It\nFRAME\n").contains("interlaced"));
        assertTrue(message("YUV4MPEG2 H4\n").contains("missing or out of range"));
        assertTrue(message("YUV4MPEG2 W4 H4\nFRAME\n" + "x".repeat(10)).contains("frame 0 is truncated"));
        assertTrue(message("YUV4MPEG2 W4 H4\nJUNK\n").contains("does not start with FRAME"));
        assertTrue(message("YUV4MPEG2 " + "W4 ".repeat(400)).contains("longer than"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Y4m.write(dir.resolve("x.y4m"), List.of(frame(4, 4, 0), frame(6, 4, 0)), 30));
    }

    private String message(String content) throws IOException {
        Path f = dir.resolve("bad.y4m");
        Files.writeString(f, content, StandardCharsets.ISO_8859_1);
        IOException e = assertThrows(IOException.class, () -> Y4m.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        return e.getMessage().substring(f.toString().length() + 2);
    }
}
