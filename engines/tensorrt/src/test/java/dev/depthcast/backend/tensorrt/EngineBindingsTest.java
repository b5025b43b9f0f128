package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.model.Preset;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineBindingsTest {

    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;

    static TensorSpec in(String type, long[] shape, long[] min, long[] max) {
        return new TensorSpec("pixel_values", true, type, TensorSpec.LINEAR, shape, min, min, max);
    }

    static TensorSpec out(String type, long... shape) {
        return new TensorSpec("predicted_depth", false, type, TensorSpec.LINEAR, shape, null, null, null);
    }

    static String message(Preset p, List<TensorSpec> t, int maxBatch) {
        return assertThrows(IllegalArgumentException.class, () -> EngineBindings.check(p, "x.engine", t, maxBatch))
                .getMessage();
    }

    @Test
    void depthAnythingFp16WithADynamicBatchProfileFits() {
        EngineBindings b = EngineBindings.check(DA2, "x.engine", FakeEngine.da2(TensorSpec.HALF, 378, 504, 8), 8);
        assertEquals("pixel_values", b.inputName());
        assertEquals("predicted_depth", b.outputName());
        assertTrue(b.inputHalf() && b.outputHalf());
        assertEquals(1, b.minBatch());
        assertEquals(8, b.maxBatch());
        assertEquals(378, b.gridHeight());
        assertEquals(504, b.gridWidth());
    }

    @Test
    void fp32AndNx1xHxWOutputsAndDynamicSpatialProfilesFit() {
        List<TensorSpec> t = List.of(
                in(TensorSpec.FLOAT, new long[] {-1, 3, -1, -1}, new long[] {1, 3, 252, 252}, new long[] {
                    16, 3, 518, 518
                }),
                out(TensorSpec.FLOAT, -1, 1, -1, -1));
        EngineBindings b = EngineBindings.check(DA2, "x.engine", t, 16);
        assertFalse(b.inputHalf());
        assertEquals(-1, b.gridHeight(), "known once the input shape is set");
    }

    @Test
    void aFixedBatchOfOneFitsOnlyMaxBatchOne() {
        List<TensorSpec> t = List.of(
                in(TensorSpec.HALF, new long[] {1, 3, 256, 256}, null, null), out(TensorSpec.HALF, 1, 256, 256));
        assertEquals(
                1, EngineBindings.check(Preset.MIDAS_SMALL, "m.engine", t, 1).maxBatch());
        assertTrue(message(Preset.MIDAS_SMALL, t, 8)
                .contains("takes batches up to 1, the server is set to --max-batch 8"));
    }

    @Test
    void explainsEveryMisfit() {
        assertTrue(message(DA2, FakeEngine.da2(TensorSpec.HALF, 378, 504, 4), 8)
                .contains("rebuild it with scripts/build-engine.sh --max-batch 8 or lower --max-batch"));
        assertTrue(message(DA2, FakeEngine.da2("kINT8", 378, 504, 8), 8).contains("FP16 or FP32"));
        assertTrue(
                message(DA2, FakeEngine.da2(TensorSpec.HALF, 518, 518, 8), 8).contains("--input-size"),
                "fixed 518x518 engine vs the 378x504 preset: ModelSignature's advice");
        assertTrue(message(
                        DA2,
                        List.of(
                                in(
                                        TensorSpec.HALF,
                                        new long[] {-1, 3, -1, -1},
                                        new long[] {1, 3, 518, 518},
                                        new long[] {8, 3, 518, 518}),
                                out(TensorSpec.HALF, -1, -1, -1)),
                        8)
                .contains("--preset depth-anything-v2"));
        assertTrue(message(
                        DA2,
                        List.of(
                                in(
                                        TensorSpec.HALF,
                                        new long[] {-1, 3, 378, 504},
                                        new long[] {2, 3, 378, 504},
                                        new long[] {8, 3, 378, 504}),
                                out(TensorSpec.HALF, -1, 378, 504)),
                        8)
                .contains("min batch 1"));
        assertTrue(message(
                        DA2,
                        List.of(
                                in(TensorSpec.HALF, new long[] {-1, 3, 378, 504}, null, null),
                                out(TensorSpec.HALF, -1, 378, 504)),
                        8)
                .contains("without an optimization profile"));
        List<TensorSpec> two = List.of(
                FakeEngine.da2(TensorSpec.HALF, 378, 504, 8).get(0),
                FakeEngine.da2(TensorSpec.HALF, 378, 504, 8).get(0),
                out(TensorSpec.HALF, -1, 378, 504));
        assertTrue(message(DA2, two, 8).contains("one input"));
        assertTrue(message(
                        DA2,
                        List.of(
                                in(
                                        TensorSpec.HALF,
                                        new long[] {-1, 1, 378, 504},
                                        new long[] {1, 1, 378, 504},
                                        new long[] {8, 1, 378, 504}),
                                out(TensorSpec.HALF, -1, 378, 504)),
                        8)
                .contains("N x 3 x H x W"));
    }

    @Test
    void refusesAnEngineWithMoreThanOneOutputNamingThem() {
        // enqueueV3 returns false when any I/O tensor is unbound: this engine would fail every batch.
        List<TensorSpec> t = List.of(
                FakeEngine.da2(TensorSpec.HALF, 378, 504, 8).get(0),
                out(TensorSpec.HALF, -1, 378, 504),
                new TensorSpec(
                        "features",
                        false,
                        TensorSpec.HALF,
                        TensorSpec.LINEAR,
                        new long[] {-1, 384, 27, 36},
                        null,
                        null,
                        null));
        String m = message(DA2, t, 8);
        assertTrue(m.contains("2 outputs (predicted_depth, features)"), m);
        assertTrue(m.contains("depth output only"), m);
    }

    @Test
    void refusesVectorisedLayoutsOnEitherBinding() {
        List<TensorSpec> da2 = FakeEngine.da2(TensorSpec.HALF, 378, 504, 8);
        TensorSpec in = da2.get(0);
        TensorSpec out = da2.get(1);
        TensorSpec hwc8In =
                new TensorSpec(in.name(), true, in.dataType(), "kHWC8", in.shape(), in.min(), in.opt(), in.max());
        TensorSpec chw32Out =
                new TensorSpec(out.name(), false, out.dataType(), "kCHW32", out.shape(), null, null, null);
        String m = message(DA2, List.of(hwc8In, out), 8);
        assertTrue(m.contains("'pixel_values' has layout kHWC8") && m.contains("kLINEAR"), m);
        assertTrue(message(DA2, List.of(in, chw32Out), 8).contains("'predicted_depth' has layout kCHW32"));
        assertEquals("pixel_values", EngineBindings.check(DA2, "e", da2, 8).inputName(), "linear on both: fits");
    }
}
