package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    static final Preset UNIT = Preset.RELIEF.withInputSize(6, 8);

    @Test
    void bt601LimitedRange() {
        assertEquals(0f, Yuv.red(16, 128, 128), 1e-3);
        assertEquals(255f, Yuv.green(235, 128, 128), 0.01);
        assertEquals(255f, Yuv.blue(235, 255, 128), 1e-3, "clamped");
        // Y=81,U=90,V=240 is BT.601 studio red (254/0/0 after rounding these constants).
        assertEquals(254, Yuv.toByte(Yuv.red(81, 90, 240)));
        assertEquals(0, Yuv.toByte(Yuv.green(81, 90, 240)));
        assertEquals(0, Yuv.toByte(Yuv.blue(81, 90, 240)));
    }

    @Test
    void sameSizeCopiesPixels() {
        I420Frame f = Frames.of(8, 6, (x, y) -> 16 + x * 20 + y, 128, 128);
        float[] t = new float[3 * 48];
        new Preprocessor(UNIT).write(f, t, 0);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                float expected = Yuv.red(16 + x * 20 + y, 128, 128) / 255f;
                assertEquals(expected, t[y * 8 + x], 1e-5, "R at " + x + "," + y);
                assertEquals(Yuv.green(16 + x * 20 + y, 128, 128) / 255f, t[48 + y * 8 + x], 1e-5);
            }
        }
    }

    @Test
    void halfSizeAveragesPairs() {
        I420Frame f = Frames.of(16, 12, (x, y) -> 16 + x * 10, 128, 128);
        float[] t = new float[3 * 48];
        new Preprocessor(UNIT).write(f, t, 0);
        for (int x = 0; x < 8; x++) {
            float a = Yuv.red(16 + 2 * x * 10, 128, 128);
            float b = Yuv.red(16 + (2 * x + 1) * 10, 128, 128);
            assertEquals((a + b) / 2 / 255f, t[3 * 8 + x], 1e-5);
        }
    }

    @Test
    void imagenetNormalisationAtBatchSlot() {
        Preset da = Preset.DEPTH_ANYTHING_V2.withInputSize(14, 28);
        I420Frame f = Frames.uniform(40, 20, 126, 128, 128);
        float[] t = new float[2 * 3 * 14 * 28];
        new Preprocessor(da).write(f, t, 1);
        float v = Yuv.red(126, 128, 128) / 255f;
        int plane = 14 * 28;
        for (int c = 0; c < 3; c++) {
            float expected = (v - da.mean()[c]) / da.std()[c];
            assertEquals(expected, t[3 * plane + c * plane + 17], 1e-4);
            assertEquals(0f, t[c * plane + 17], "slot 0 untouched");
        }
    }

    @Test
    void oddSizedFrames() {
        I420Frame f = Frames.of(5, 3, (x, y) -> 100 + x, 90, 200);
        float[] t = new float[3 * 48];
        new Preprocessor(UNIT).write(f, t, 0);
        // rightmost output column maps past the last source pixel: clamped to it
        assertEquals(Yuv.red(104, 90, 200) / 255f, t[7], 1e-5);
        assertEquals(Yuv.blue(100, 90, 200) / 255f, t[96], 1e-5);
    }

    @Test
    void sourceCoordinateIsHalfPixelCentred() {
        assertEquals(0.5f * 640 / 504 - 0.5f, Preprocessor.sourceCoordinate(0, 640, 504), 1e-6);
        assertEquals(0f, Preprocessor.sourceCoordinate(0, 100, 400), "upscaling clamps at the first pixel");
        assertEquals((10 + 0.5f) * 640 / 504 - 0.5f, Preprocessor.sourceCoordinate(10, 640, 504), 1e-6);
        assertEquals(503.5f * 640 / 504 - 0.5f, Preprocessor.sourceCoordinate(503, 640, 504), 1e-4);
        assertEquals(99f, Preprocessor.sourceCoordinate(399, 100, 400), "and at the last");
    }
}
