package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.cuda.RepoRoot;
import dev.depthcast.model.Preset;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/build-engine.sh's argument handling, through --dry-run (no trtexec, no GPU here). */
class BuildEngineScriptTest {

    record Run(int code, String out) {
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", RepoRoot.get().resolve("scripts/build-engine.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TRTEXEC");
        pb.environment().put("PATH", "/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void defaultDryRunBuildsTheServersDefaultReliefEngine() throws Exception {
        Run r = run("--dry-run");
        assertEquals(0, r.code(), r.out());
        String engine = TensorRtBackend.defaultEngineName(Preset.RELIEF);
        assertTrue(r.out().contains("--saveEngine=" + RepoRoot.get().resolve("engines").resolve(engine)), r.out());
        assertTrue(r.out().contains("--onnx=" + RepoRoot.get().resolve("server/src/main/resources/models/relief.onnx")));
        assertTrue(r.out().contains("--minShapes=image:1x3x378x504 --optShapes=image:4x3x378x504 "
                + "--maxShapes=image:8x3x378x504"), "input name read from the ONNX: " + r.out());
        assertTrue(r.out().contains("--inputIOFormats=fp16:chw --outputIOFormats=fp16:chw"));
        assertTrue(r.out().contains("--fp16"));
        assertTrue(!r.out().contains("--int8"));
        assertTrue(r.out().contains("batch=1/4/8 precision=fp16"));
    }

    @Test
    void everyPresetsSizeMatchesPresetJava() throws Exception {
        for (Preset p : Preset.ALL) {
            Run r = run("--dry-run", "--preset", p.name(), "--onnx", "m.onnx", "--input-name", "x");
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("--maxShapes=x:8x3x" + p.inputHeight() + "x" + p.inputWidth()), r.out());
            assertTrue(r.out().contains("/" + TensorRtBackend.defaultEngineName(p)), r.out());
        }
    }

    @Test
    void int8NeedsACalibrationCacheAndBothBuildsTwoEngines() throws Exception {
        Run none = run("--dry-run", "--precision", "int8");
        assertEquals(2, none.code());
        assertTrue(none.out().contains("int8 needs --calib-cache FILE"), none.out());
        Run both = run("--dry-run", "--preset", "depth-anything-v2", "--onnx", "da2.onnx", "--input-name",
                "pixel_values", "--precision", "both", "--calib-cache", "da2.cache", "--opt-batch", "8",
                "--max-batch", "16", "--input-size", "518x518");
        assertEquals(0, both.code(), both.out());
        List<String> cmds = both.out().lines().filter(l -> l.startsWith("trtexec")).toList();
        assertEquals(2, cmds.size(), both.out());
        assertTrue(cmds.get(0).contains("depth-anything-v2_518x518_fp16.engine") && !cmds.get(0).contains("--int8"));
        assertTrue(cmds.get(1).contains("depth-anything-v2_518x518_int8.engine")
                && cmds.get(1).contains("--int8 --calib=da2.cache"));
        assertTrue(cmds.get(1).contains("--optShapes=pixel_values:8x3x518x518 --maxShapes=pixel_values:16x3x518x518"));
    }

    @Test
    void badArgumentsAreRefusedWithAReason() throws Exception {
        assertRefused(run("--dry-run", "--precision", "fp8"), "--precision must be fp16, int8 or both");
        assertRefused(run("--dry-run", "--min-batch", "4", "--opt-batch", "2"), "need min <= opt <= max batch");
        assertRefused(run("--dry-run", "--max-batch", "65", "--opt-batch", "4"), "over the server's limit of 64");
        assertRefused(run("--dry-run", "--preset", "depth-anything-v2", "--onnx", "m", "--input-name", "x",
                "--input-size", "500x500"), "multiples of 14");
        assertRefused(run("--dry-run", "--preset", "depth-anything-v2"), "--onnx FILE is required");
        assertRefused(run("--dry-run", "--preset", "nope"), "unknown preset 'nope'");
        assertRefused(run("--frobnicate"), "unknown argument '--frobnicate'");
        assertRefused(run("--onnx", "/nonexistent.onnx", "--input-name", "x"), "ONNX model not found");
    }

    @Test
    void withoutTrtexecItSaysWhatToInstall() throws Exception {
        Run r = run();
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("trtexec not found"), r.out());
        assertTrue(r.out().contains("--dry-run prints the commands"));
    }

    static void assertRefused(Run r, String why) {
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains(why), "expected '" + why + "' in: " + r.out());
    }
}
