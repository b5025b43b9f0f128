package dev.depthcast.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.backend.cpu.OnnxRuntimeModel;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.process.Frames;
import dev.depthcast.process.Preprocessor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Presets against models with the signatures of the real nets (made by scripts/make-models.py):
 * they load, their shapes are checked, batches run; a misfit is refused with an actionable message.
 */
class PresetModelsTest {

    static byte[] model(String name) throws IOException {
        try (InputStream in = PresetModelsTest.class.getResourceAsStream("/models/" + name)) {
            return in.readAllBytes();
        }
    }

    static float[] input(Preset p, int n) {
        Preprocessor pre = new Preprocessor(p);
        float[] t = new float[pre.tensorLength(n)];
        for (int b = 0; b < n; b++) {
            int slope = b + 1;
            pre.write(Frames.of(640, 480, (x, y) -> 16 + (x * slope + y) % 200, 128, 128), t, b);
        }
        return t;
    }

    @Test
    void depthAnythingSignatureRunsABatch() throws Exception {
        try (OnnxRuntimeModel m =
                new OnnxRuntimeModel(model("da2-signature.onnx"), "da2", Preset.DEPTH_ANYTHING_V2, 2)) {
            assertTrue(m.signature().dynamicBatch());
            ModelRuntime.DepthMaps d = m.infer(input(Preset.DEPTH_ANYTHING_V2, 3), 3);
            assertEquals(3, d.n());
            assertEquals(378, d.height());
            assertEquals(504, d.width());
        }
    }

    /**
     * The ViT/DPT-shaped model (Depth Anything V2's graph at tiny widths, scripts/make-models.py)
     * runs a dynamic batch at several input sizes, giving one map per image at that size.
     */
    @Test
    void vitShapedModelRunsDynamicBatchesAtAnySizeTheFamilyTakes() throws Exception {
        for (int[] size : new int[][] {{378, 504}, {266, 350}, {518, 518}}) {
            Preset p = Preset.DEPTH_ANYTHING_V2.withInputSize(size[0], size[1]);
            try (OnnxRuntimeModel m = new OnnxRuntimeModel(model("da2-vit-tiny.onnx"), "da2-vit-tiny.onnx", p, 2)) {
                assertTrue(m.signature().dynamicBatch());
                ModelRuntime.DepthMaps d = m.infer(input(p, 2), 2);
                assertEquals(2, d.n());
                assertEquals(size[0], d.height());
                assertEquals(size[1], d.width());
                int plane = size[0] * size[1];
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                boolean differs = false;
                for (int i = 0; i < plane; i++) {
                    float a = d.data()[i];
                    assertTrue(Float.isFinite(a) && a >= 0, "inverse depth " + a + " at " + i);
                    min = Math.min(min, a);
                    max = Math.max(max, a);
                    differs |= a != d.data()[d.offset(1) + i];
                }
                assertTrue(max > min, "a map that varies over the image");
                assertTrue(differs, "image 1's map comes from image 1");
            }
        }
    }

    @Test
    void depthAnythingAt518() throws Exception {
        Preset p = Preset.DEPTH_ANYTHING_V2.withInputSize(518, 518);
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(model("da2-signature.onnx"), "da2", p, 2)) {
            assertEquals(518, m.infer(input(p, 1), 1).width());
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Preset.DEPTH_ANYTHING_V2.withInputSize(500, 500));
        assertTrue(e.getMessage().contains("multiples of 14"), e.getMessage());
    }

    @Test
    void midasSignatureWithFixedBatchRunsImageByImage() throws Exception {
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(model("midas-signature.onnx"), "midas", Preset.MIDAS_SMALL, 2)) {
            assertEquals(1, m.signature().fixedBatch());
            float[] in = input(Preset.MIDAS_SMALL, 2);
            ModelRuntime.DepthMaps d = m.infer(in, 2);
            assertEquals(256, d.height());
            // image 1's map comes from image 1's input, not a copy of image 0's
            boolean differs = false;
            for (int i = 0; i < 256 * 256; i++) {
                differs |= d.data()[i] != d.data()[d.offset(1) + i];
            }
            assertTrue(differs);
        }
    }

    @Test
    void wrongPresetForAModelIsRefusedWithAHint() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new OnnxRuntimeModel(model("midas-signature.onnx"), "midas.onnx", Preset.RELIEF, 1));
        assertTrue(e.getMessage().contains("--input-size 256x256"), e.getMessage());
        IllegalArgumentException channels = assertThrows(
                IllegalArgumentException.class,
                () -> new OnnxRuntimeModel(model("bad-channels.onnx"), "bad.onnx", Preset.DEPTH_ANYTHING_V2, 1));
        assertTrue(channels.getMessage().contains("N x 3 x H x W"), channels.getMessage());
    }

    @Test
    void sizeMismatchAdviceIsHeightByWidthAndFollowingItFits() {
        // A model fixed at 378x504 (HxW) against a preset at 256x256: the advice must be in HxW,
        // and the preset at the advised size must then be accepted (it once said 504x378).
        long[] in = {1, 3, 378, 504};
        long[] out = {1, 378, 504};
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSignature.check(Preset.MIDAS_SMALL.withInputSize(256, 256), "m.onnx", in, out));
        assertTrue(e.getMessage().contains("takes 378x504 (HxW)"), e.getMessage());
        assertTrue(e.getMessage().contains("pass --input-size 378x504"), e.getMessage());
        java.util.regex.Matcher advice =
                java.util.regex.Pattern.compile("--input-size (\\d+)x(\\d+)").matcher(e.getMessage());
        assertTrue(advice.find());
        Preset advised =
                Preset.RELIEF.withInputSize(Integer.parseInt(advice.group(1)), Integer.parseInt(advice.group(2)));
        assertEquals(1, ModelSignature.check(advised, "m.onnx", in, out).fixedBatch());
    }

    @Test
    void startupLineSaysTheSizeAndHowABatchRuns() throws Exception {
        try (OnnxRuntimeModel m =
                new OnnxRuntimeModel(model("midas-signature.onnx"), "midas.onnx", Preset.MIDAS_SMALL, 1)) {
            String line = OnnxRuntimeModel.startupLine(
                    "midas.onnx", Preset.MIDAS_SMALL, new long[] {1, 3, 256, 256}, m.signature());
            assertTrue(line.contains("input 256x256 (HxW, preset midas-small), fixed by the model"), line);
            assertTrue(line.contains("fixed batch 1: a batch of n runs image by image"), line);
        }
        try (OnnxRuntimeModel m =
                new OnnxRuntimeModel(model("da2-signature.onnx"), "da2.onnx", Preset.DEPTH_ANYTHING_V2, 1)) {
            String line = OnnxRuntimeModel.startupLine(
                    "da2.onnx", Preset.DEPTH_ANYTHING_V2, new long[] {-1, 3, -1, -1}, m.signature());
            assertTrue(line.contains("input 378x504 (HxW, preset depth-anything-v2), dynamic sides"), line);
            assertTrue(line.contains("multiples of 14"), line);
            assertTrue(line.contains("dynamic batch: a batch runs in one call"), line);
        }
    }

    @Test
    void embeddedReliefIsBrightnessAsInverseDepth() throws Exception {
        ServerConfig config = ServerConfig.defaults();
        try (OnnxRuntimeModel m =
                new OnnxRuntimeModel(Backends.modelBytes(config.model()), "relief", Preset.RELIEF, 2)) {
            Preprocessor pre = new Preprocessor(Preset.RELIEF);
            float[] t = new float[pre.tensorLength(2)];
            pre.write(Frames.uniform(640, 480, 60, 128, 128), t, 0);
            pre.write(Frames.uniform(640, 480, 200, 128, 128), t, 1);
            ModelRuntime.DepthMaps d = m.infer(t, 2);
            int centre = 189 * 504 + 252;
            assertTrue(d.data()[d.offset(1) + centre] > d.data()[centre], "brighter is nearer");
            assertTrue(d.data()[300 * 504 + 252] > d.data()[50 * 504 + 252], "lower in the picture is nearer");
        }
    }

    @Test
    void missingModelFileIsAClearError() {
        ServerConfig config = ServerConfig.builder()
                .model(java.nio.file.Path.of("/nonexistent/model.onnx"))
                .preset(Preset.DEPTH_ANYTHING_V2)
                .build();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Backends.modelBytes(config.model()));
        assertTrue(e.getMessage().contains("/nonexistent/model.onnx"));
    }
}
