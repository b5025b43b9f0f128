package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which engine the server opens and when it builds one (ONNX to TensorRT in one command: engines/README.md). */
class EngineChoiceTest {

    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;
    static final String SHA = "3f2a9c0d1e2b" + "0".repeat(52);
    static final Path DEFAULT = Path.of("engines/depth-anything-v2_378x504_fp16.engine");
    static final Path CACHED =
            Path.of("engines/cache/depth-anything-v2_378x504_fp16_b8_sm89_trt10.15.1_3f2a9c0d1e2b.engine");

    static EngineChoice choose(Path explicit, boolean tensorrt, Set<Path> files, Map<Path, String> manifests) {
        return EngineChoice.choose(
                explicit, tensorrt, DA2, 8, SHA, "8.9", "10.15.1", files::contains, p -> manifests.get(p));
    }

    @Test
    void anExplicitEngineWins() {
        assertEquals(
                new EngineChoice(Path.of("my.engine"), false),
                choose(Path.of("my.engine"), true, Set.of(CACHED), Map.of()));
    }

    @Test
    void aCachedEngineForThisModelGpuAndTensorRtComesNext() {
        assertEquals(new EngineChoice(CACHED, false), choose(null, false, Set.of(CACHED, DEFAULT), Map.of()));
    }

    @Test
    void theDefaultEngineIsUsedUnlessItsManifestNamesAnotherModel() {
        assertEquals(new EngineChoice(DEFAULT, false), choose(null, false, Set.of(DEFAULT), Map.of()));
        assertEquals(new EngineChoice(DEFAULT, false), choose(null, false, Set.of(DEFAULT), Map.of(DEFAULT, SHA)));
        String other = "a".repeat(64);
        assertEquals(
                new EngineChoice(CACHED, true),
                choose(null, true, Set.of(DEFAULT), Map.of(DEFAULT, other)),
                "tensorrt: build one for this model rather than refuse");
        assertEquals(
                new EngineChoice(DEFAULT, false),
                choose(null, false, Set.of(DEFAULT), Map.of(DEFAULT, other)),
                "auto: the decision explains the mismatch, nothing is built unasked");
    }

    @Test
    void onlyAnExplicitTensorrtBuildsAndOnlyWhenTheDeviceIsKnown() {
        assertEquals(new EngineChoice(CACHED, true), choose(null, true, Set.of(), Map.of()));
        assertEquals(new EngineChoice(DEFAULT, false), choose(null, false, Set.of(), Map.of()));
        assertEquals(
                new EngineChoice(DEFAULT, false),
                EngineChoice.choose(null, true, DA2, 8, SHA, null, null, p -> false, p -> null),
                "no probed device: nothing to key a cache entry on");
    }
}
