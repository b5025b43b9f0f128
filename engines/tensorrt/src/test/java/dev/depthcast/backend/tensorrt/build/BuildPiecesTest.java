package dev.depthcast.backend.tensorrt.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.model.Preset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of an engine build: request checks, cache keys, model facts, progress lines. */
class BuildPiecesTest {

    @TempDir
    Path dir;

    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;

    @Test
    void requestsAreCheckedBeforeTensorRtIsTouched() {
        BuildRequest ok =
                new BuildRequest(Path.of("m.onnx"), DA2, BuildRequest.Precision.INT8, 1, 4, 8, 4L << 30, null, false);
        assertEquals("depth-anything-v2 int8 at 378x504 (HxW), batch 1/4/8, INT8 calibrated", ok.describe());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new BuildRequest(
                                Path.of("m"), DA2, BuildRequest.Precision.FP16, 2, 4, 8, 4L << 30, null, false))
                .getMessage()
                .contains("--min-batch must be 1"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new BuildRequest(
                                Path.of("m"), DA2, BuildRequest.Precision.FP16, 1, 9, 8, 4L << 30, null, false))
                .getMessage()
                .contains("1/9/8"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new BuildRequest(Path.of("m"), DA2, BuildRequest.Precision.FP16, 1, 1, 1, 1L << 20, null, false));
        assertEquals(BuildRequest.Precision.INT8, BuildRequest.Precision.parse("INT8"));
        assertThrows(IllegalArgumentException.class, () -> BuildRequest.Precision.parse("fp8"));
        assertNull(BuildRequest.ioMisfit(List.of("pixel_values"), List.of("predicted_depth")));
        assertTrue(BuildRequest.ioMisfit(List.of("x"), List.of("depth", "features"))
                .contains("2 outputs [depth, features]"));
        assertTrue(BuildRequest.ioMisfit(List.of("a", "b"), List.of("depth")).contains("2 inputs"));
    }

    @Test
    void theCacheKeyChangesWithEverythingAnEngineDependsOn() {
        String sha = "3f2a9c0d1e2b" + "0".repeat(52);
        Path p = EngineCache.path(Path.of("engines/cache"), sha, DA2, BuildRequest.Precision.FP16, 8, "8.9", "10.15.1");
        assertEquals(Path.of("engines/cache/depth-anything-v2_378x504_fp16_b8_sm89_trt10.15.1_3f2a9c0d1e2b.engine"), p);
        List<Path> variants = List.of(
                EngineCache.path(
                        Path.of("engines/cache"),
                        "ffff" + sha.substring(4),
                        DA2,
                        BuildRequest.Precision.FP16,
                        8,
                        "8.9",
                        "10.15.1"),
                EngineCache.path(
                        Path.of("engines/cache"),
                        sha,
                        DA2.withInputSize(518, 518),
                        BuildRequest.Precision.FP16,
                        8,
                        "8.9",
                        "10.15.1"),
                EngineCache.path(Path.of("engines/cache"), sha, DA2, BuildRequest.Precision.INT8, 8, "8.9", "10.15.1"),
                EngineCache.path(Path.of("engines/cache"), sha, DA2, BuildRequest.Precision.FP16, 4, "8.9", "10.15.1"),
                EngineCache.path(Path.of("engines/cache"), sha, DA2, BuildRequest.Precision.FP16, 8, "9.0", "10.15.1"),
                EngineCache.path(Path.of("engines/cache"), sha, DA2, BuildRequest.Precision.FP16, 8, "8.9", "10.15.2"));
        assertEquals(6, variants.stream().distinct().filter(v -> !v.equals(p)).count());
    }

    @Test
    void progressStampsEveryLineAndBeatsOnlyAfterTenQuietSeconds() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BuildProgress p = new BuildProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now[0]);
        p.note("parsing m.onnx");
        for (int s = 0; s < 25; s++) { // 25 s of a silent build, a heartbeat call a second
            now[0] += 1_000_000_000L;
            p.heartbeat();
        }
        now[0] += 500_000_000L;
        p.note("Engine generation completed in 25.5 seconds.");
        assertEquals(
                List.of(
                        "[    0.0 s] parsing m.onnx",
                        "[   10.0 s] still building",
                        "[   20.0 s] still building",
                        "[   25.5 s] Engine generation completed in 25.5 seconds."),
                bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
