package dev.depthcast.backend.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.calibration.Y4m;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Preprocessor;
import dev.depthcast.process.Yuv;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration frames from clips and images, the held-out split, and batches through the serving preprocessor. */
class CalibrationTest {

    @TempDir
    Path dir;

    static I420Frame gray(int w, int h, int level, long seq) {
        byte[] y = new byte[w * h];
        Arrays.fill(y, (byte) level);
        byte[] c = new byte[I420Frame.chromaSize(w, h)];
        Arrays.fill(c, (byte) 128);
        return new I420Frame(w, h, y, c, c.clone(), seq, 0, 0, 0, 0);
    }

    @Test
    void readsClipsAndImagesInNameOrderAsI420() throws IOException {
        Y4m.write(dir.resolve("a.y4m"), List.of(gray(64, 48, 50, 0), gray(64, 48, 60, 1)), 30);
        BufferedImage red = new BufferedImage(33, 20, BufferedImage.TYPE_INT_RGB); // odd width: cropped to 32
        for (int j = 0; j < 20; j++) {
            for (int i = 0; i < 33; i++) {
                red.setRGB(i, j, 0xff0000);
            }
        }
        ImageIO.write(red, "png", dir.resolve("b.png").toFile());
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        List<I420Frame> frames = CalibrationSet.read(dir);
        assertEquals(3, frames.size());
        assertEquals(50, frames.get(0).y()[0]);
        I420Frame img = frames.get(2);
        assertEquals(32, img.width());
        assertEquals(20, img.height());
        // Pure red round-trips through I420 to ~(255, 0, 0) with the server's own YUV->RGB.
        int yv = img.y()[0] & 0xff;
        int u = img.u()[0] & 0xff;
        int v = img.v()[0] & 0xff;
        assertEquals(255, Yuv.toByte(Yuv.red(yv, u, v)), 2);
        assertEquals(0, Yuv.toByte(Yuv.green(yv, u, v)), 2);
        assertEquals(0, Yuv.toByte(Yuv.blue(yv, u, v)), 2);
        assertTrue(assertThrows(IOException.class, () -> CalibrationSet.read(dir.resolve("missing")))
                .getMessage()
                .contains("not a folder"));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertTrue(assertThrows(IOException.class, () -> CalibrationSet.read(empty))
                .getMessage()
                .contains("no .y4m"));
    }

    @Test
    void heldOutFramesAreNeverCalibratedOnAndTheRestIsSpreadEvenly() {
        List<I420Frame> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(gray(4, 4, i, i));
        }
        CalibrationSet.Split s = CalibrationSet.split(frames, 5, 20);
        assertEquals(20, s.heldOut().size());
        assertTrue(s.heldOut().stream().allMatch(f -> f.seq() % 5 == 4));
        assertEquals(20, s.calibration().size());
        assertTrue(s.calibration().stream().noneMatch(f -> f.seq() % 5 == 4), "no held-out frame calibrates");
        assertEquals(0, s.calibration().get(0).seq());
        assertEquals(98, s.calibration().get(19).seq(), "first and last of the rest included");
        long[] gaps = new long[19];
        for (int i = 1; i < 20; i++) {
            gaps[i - 1] =
                    s.calibration().get(i).seq() - s.calibration().get(i - 1).seq();
        }
        assertTrue(Arrays.stream(gaps).allMatch(g -> g >= 3 && g <= 6), Arrays.toString(gaps));
        assertEquals(80, CalibrationSet.split(frames, 5, 500).calibration().size(), "fewer than asked: all");
    }

    @Test
    void batchesAreFullBatchesOfTheServingPreprocessorsOutput() {
        Preprocessor pre = new Preprocessor(Preset.MIDAS_SMALL);
        List<I420Frame> frames = List.of(
                gray(64, 48, 16, 0),
                gray(64, 48, 235, 1),
                gray(640, 480, 126, 2),
                gray(32, 32, 100, 3),
                gray(32, 32, 100, 4));
        CalibrationBatches b = new CalibrationBatches(frames, pre, 2);
        assertEquals(2, b.batches());
        assertEquals(1, b.leftOut());
        float[] batch = new float[b.batchLength()];
        assertEquals(2 * 3 * 256 * 256, batch.length);
        assertTrue(b.next(batch));
        float[] expected = new float[pre.tensorLength(2)];
        pre.write(frames.get(0), expected, 0);
        pre.write(frames.get(1), expected, 1);
        assertArrayEquals(expected, batch);
        assertTrue(b.next(batch));
        assertFalse(b.next(batch), "the fifth frame makes no full batch");
        assertThrows(IllegalArgumentException.class, () -> new CalibrationBatches(frames.subList(0, 1), pre, 2));
    }
}
