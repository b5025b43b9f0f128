package dev.depthcast.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.EnginePrecision;
import dev.depthcast.config.StartupException;
import dev.depthcast.model.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which built engine the CPU backend serves, and the one-line refusals of those it does not. */
class CpuEngineChoiceTest {

    static final String SHA = "3f2a9c0d1e2b" + "0".repeat(52);
    static final String OTHER_SHA = "aaaaaaaaaaaa" + "1".repeat(52);
    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;
    static final CpuFeatures VNNI = new CpuFeatures(List.of("avx2", "fma", "avx512f", "avx512_vnni"));
    static final CpuFeatures AVX2 = new CpuFeatures(List.of("avx2", "fma"));

    @TempDir
    Path dir;

    static CpuEngineChoice.Wanted want(EnginePrecision p) {
        return new CpuEngineChoice.Wanted(DA2, SHA, "da2.onnx", "1.23.2", p);
    }

    Path engine(String preset, int h, int w, String precision, String ort, String sha) throws Exception {
        Path e = dir.resolve(CpuEngineManifest.engineName(preset, h, w, precision));
        Files.write(e, new byte[] {1});
        new CpuEngineManifest(
                        preset,
                        h,
                        w,
                        precision,
                        precision.equals("int8") ? "static-qdq" : "none",
                        ort,
                        sha,
                        VNNI,
                        precision.equals("int8") ? "AbsRel 0.0100, δ<1.25 0.9900 over 4 frames" : "none")
                .write(e, "da2.onnx");
        return e;
    }

    Path matching(String precision) throws Exception {
        return engine("depth-anything-v2", 378, 504, precision, "1.23.2", SHA);
    }

    @Test
    void autoPrefersInt8AndPrecisionChoosesWhenBothMatch() throws Exception {
        Path fp32 = matching("fp32");
        Path int8 = matching("int8");
        CpuEngineChoice auto = CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI);
        assertEquals(int8, auto.engine());
        assertEquals(List.of(), auto.notes());
        assertEquals("int8 (static-qdq) engine depth-anything-v2_378x504_cpu-int8.onnx", auto.describe());
        assertEquals(
                fp32,
                CpuEngineChoice.choose(dir, want(EnginePrecision.FP32), VNNI).engine());
        assertEquals(
                int8,
                CpuEngineChoice.choose(dir, want(EnginePrecision.INT8), VNNI).engine());
    }

    @Test
    void withoutAnEngineTheModelIsServedAsGivenUnlessInt8IsDemanded() throws Exception {
        CpuEngineChoice none = CpuEngineChoice.choose(dir.resolve("missing"), want(EnginePrecision.AUTO), VNNI);
        assertNull(none.engine());
        assertEquals("fp32, the model as given (no engine built for it)", none.describe());
        matching("fp32");
        StartupException e = assertThrows(
                StartupException.class, () -> CpuEngineChoice.choose(dir, want(EnginePrecision.INT8), VNNI));
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(
                e.getMessage().contains("--precision int8: no INT8 engine")
                        && e.getMessage()
                                .contains("scripts/build-engine.sh --backend cpu --preset depth-anything-v2 "
                                        + "--onnx da2.onnx --input-size 378x504 --precision int8 --calib-images DIR"),
                e.getMessage());
    }

    @Test
    void demandingInt8NamesWhyTheInt8EnginesThereDoNotMatch() throws Exception {
        engine("depth-anything-v2", 378, 504, "int8", "1.23.2", OTHER_SHA);
        matching("fp32");
        StartupException e = assertThrows(
                StartupException.class, () -> CpuEngineChoice.choose(dir, want(EnginePrecision.INT8), VNNI));
        assertTrue(
                e.getMessage()
                        .contains("(depth-anything-v2_378x504_cpu-int8.onnx: built from another model (SHA-256 "
                                + "aaaaaaaaaaaa…, the server's model is 3f2a9c0d1e2b…)); build one with "),
                e.getMessage());
        assertEquals(1, e.getMessage().split("rebuild|build one", -1).length - 1, "one command: " + e.getMessage());
    }

    /** Each stale or foreign engine: one line naming the one difference, and the rebuild command. */
    @Test
    void staleOrForeignEnginesAreRefusedNamingTheDifference() throws Exception {
        engine("depth-anything-v2", 378, 504, "int8", "1.23.2", OTHER_SHA);
        String hash = only(CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI));
        assertTrue(
                hash.contains("built from another model (SHA-256 aaaaaaaaaaaa…, the server's model is 3f2a9c0d1e2b…)"),
                hash);
        assertTrue(
                hash.contains("rebuild it with scripts/build-engine.sh --backend cpu --preset depth-anything-v2 "
                        + "--onnx da2.onnx --input-size 378x504 --precision int8"),
                hash);
        clear();
        engine("midas-small", 256, 256, "int8", "1.23.2", SHA);
        assertTrue(only(CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI))
                .contains("built for preset midas-small, this server runs depth-anything-v2"));
        clear();
        engine("depth-anything-v2", 266, 350, "fp32", "1.23.2", SHA);
        String size = only(CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI));
        assertTrue(size.contains("built for input 266x350, this server runs 378x504"), size);
        assertTrue(size.contains("--precision fp32"), size);
        clear();
        engine("depth-anything-v2", 378, 504, "int8", "1.22.0", SHA);
        assertTrue(only(CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI))
                .contains("written by ONNX Runtime 1.22.0, this server runs 1.23.2"));
        clear();
        Files.write(dir.resolve("depth-anything-v2_378x504_cpu-int8.onnx"), new byte[] {1});
        assertTrue(only(CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), VNNI))
                .contains("has no manifest"));
    }

    @Test
    void aMachineWithoutTheFeatureTheEngineWasTunedOnStillRunsItAndSaysSo() throws Exception {
        Path int8 = matching("int8");
        CpuEngineChoice c = CpuEngineChoice.choose(dir, want(EnginePrecision.AUTO), AVX2);
        assertEquals(int8, c.engine());
        String note = only(c);
        assertTrue(note.contains("tuned on a CPU with avx512f,avx512_vnni, which this one lacks"), note);
        assertTrue(note.contains("ONNX Runtime runs it with its other kernels"), note);
    }

    @Test
    void cpuFeaturesComeFromCpuinfosFlagsLine() {
        CpuFeatures f = CpuFeatures.parse(
                "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512_vnni avx512_bf16\n"
                        + "flags\t\t: ignored\n");
        assertEquals(List.of("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"), f.flags());
        assertEquals(
                List.of("avx512_vnni"), new CpuFeatures(List.of("avx2")).missing(CpuFeatures.of("avx2,avx512_vnni")));
        assertEquals(List.of(), CpuFeatures.parse("no flags here").flags());
    }

    private static String only(CpuEngineChoice c) {
        assertEquals(1, c.notes().size(), c.notes().toString());
        assertTrue(!c.notes().get(0).contains("\n"));
        return c.notes().get(0);
    }

    private void clear() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
    }
}
