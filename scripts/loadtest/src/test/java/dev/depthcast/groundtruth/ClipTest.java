package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.calibration.Y4m;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTest {

    static final RoomScene SCENE = new RoomScene(new PinholeCamera(70, 160, 120), 6);
    static final Clip CLIP = Clip.render(SCENE, 15);

    @Test
    void everyFrameCarriesItsIndexAsAFrameTag() {
        assertEquals(6, CLIP.frameCount());
        for (int i = 0; i < CLIP.frameCount(); i++) {
            assertEquals(i, FrameTag.read(CLIP.frame(i)));
        }
    }

    @Test
    void thePictureBelowTheTagIsTexturedAndChangesAsTheBallMoves() {
        I420Frame first = CLIP.frame(0);
        I420Frame half = CLIP.frame(3);
        int from = FrameTag.stripRows(120) * 160;
        double mean = 0;
        for (int i = from; i < first.y().length; i++) {
            mean += first.y()[i] & 0xff;
        }
        mean /= first.y().length - from;
        double variance = 0;
        int changed = 0;
        for (int i = from; i < first.y().length; i++) {
            variance += Math.pow((first.y()[i] & 0xff) - mean, 2);
            changed += first.y()[i] != half.y()[i] ? 1 : 0;
        }
        assertTrue(Math.sqrt(variance / (first.y().length - from)) > 15, "luma spread like a camera picture");
        assertTrue(changed > (first.y().length - from) / 10, "the ball moved: " + changed + " pixels changed");
    }

    @Test
    void paintingIntoPaddedBuffersCopiesTheFrameRowByRow() {
        int strideY = 176;
        int strideC = 96;
        ByteBuffer y = ByteBuffer.allocate(strideY * 120);
        ByteBuffer u = ByteBuffer.allocate(strideC * 60);
        ByteBuffer v = ByteBuffer.allocate(strideC * 60);
        CLIP.paint(8, 160, 120, y, strideY, u, strideC, v, strideC); // 8 wraps to frame 2
        I420Frame f = CLIP.frame(2);
        for (int row = 0; row < 120; row += 17) {
            byte[] got = new byte[160];
            y.get(row * strideY, got);
            byte[] want = new byte[160];
            System.arraycopy(f.y(), row * 160, want, 0, 160);
            assertArrayEquals(want, got, "luma row " + row);
        }
        byte[] gotU = new byte[80];
        u.get(59 * strideC, gotU);
        byte[] wantU = new byte[80];
        System.arraycopy(f.u(), 59 * 80, wantU, 0, 80);
        assertArrayEquals(wantU, gotU);
    }

    @Test
    void aClientOfAnotherSizeIsToldTheClipsSize() {
        ByteBuffer b = ByteBuffer.allocate(640 * 480);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CLIP.paint(0, 640, 480, b, 640, b, 320, b, 320));
        assertTrue(e.getMessage().contains("160x120"), e.getMessage());
    }

    @Test
    void theY4mClipHoldsEveryFrameAsRendered(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("room.y4m");
        CLIP.writeY4m(file);
        List<I420Frame> back = Y4m.read(file);
        assertEquals(CLIP.frameCount(), back.size());
        for (int i = 0; i < back.size(); i++) {
            assertArrayEquals(CLIP.frame(i).y(), back.get(i).y());
            assertArrayEquals(CLIP.frame(i).u(), back.get(i).u());
            assertArrayEquals(CLIP.frame(i).v(), back.get(i).v());
        }
    }

    @Test
    void aSizeThatCannotCarryTheTagIsRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> Clip.render(new RoomScene(new PinholeCamera(70, 40, 30), 2), 15));
    }
}
