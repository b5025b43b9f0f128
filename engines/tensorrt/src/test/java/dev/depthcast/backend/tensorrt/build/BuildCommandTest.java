package dev.depthcast.backend.tensorrt.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.calibration.Y4m;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/build-engine.sh's command: arguments, plans (--dry-run) and refusals; no GPU here, no native class loaded. */
class BuildCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BuildCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static void refused(Run r, String why) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(why), "expected '" + why + "' in: " + r.err());
    }

    @Test
    void theDefaultPlanIsTheServersDefaultReliefEngine() {
        Run r = run("--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("plan: engines/relief_378x504_fp16.engine: relief fp16 at 378x504 (HxW), batch 1/4/8"),
                r.out());
    }

    @Test
    void everyPresetAndSizeNamesItsEngineAsTheServerLooksForIt() {
        for (Preset p : Preset.ALL) {
            Run r = run("--dry-run", "--preset", p.name(), "--onnx", "m.onnx", "--out", "e");
            assertEquals(0, r.code(), r.err());
            assertTrue(
                    r.out().contains("e/" + dev.depthcast.backend.tensorrt.TensorRtBackend.defaultEngineName(p)),
                    r.out());
        }
        Run r = run(
                "--dry-run",
                "--preset",
                "depth-anything-v2",
                "--onnx",
                "m.onnx",
                "--input-size",
                "518x518",
                "--precision",
                "both",
                "--calib-cache",
                "x.cache",
                "--opt-batch",
                "8",
                "--max-batch",
                "16");
        refused(r, "int8 needs calibration frames");
    }

    @Test
    void int8PlansCalibrationAndAHeldOutCheckFromRecordedFrames() throws Exception {
        Path calib = Files.createDirectory(dir.resolve("calib"));
        List<I420Frame> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] y = new byte[64 * 48];
            Arrays.fill(y, (byte) (16 + i));
            byte[] c = new byte[I420Frame.chromaSize(64, 48)];
            Arrays.fill(c, (byte) 128);
            frames.add(new I420Frame(64, 48, y, c, c.clone(), i, 0, 0, 0, 0));
        }
        Y4m.write(calib.resolve("client-1.y4m"), frames, 30);
        Run r = run(
                "--dry-run",
                "--preset",
                "depth-anything-v2",
                "--onnx",
                "da2.onnx",
                "--precision",
                "both",
                "--calib-images",
                calib.toString(),
                "--calib-frames",
                "20");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("depth-anything-v2_378x504_fp16.engine: depth-anything-v2 fp16"), r.out());
        assertTrue(
                r.out()
                        .contains("depth-anything-v2_378x504_int8.engine: depth-anything-v2 int8 at 378x504 (HxW), "
                                + "batch 1/4/8, INT8 calibrated"),
                r.out());
        assertTrue(r.out().contains("plan: calibrate on 20 frames, check on 10 held-out frames"), r.out());
    }

    @Test
    void badArgumentsAreOneLineWithTheReason() {
        refused(run("--dry-run", "--precision", "fp8"), "--precision must be fp16, int8 or both, got 'fp8'");
        refused(run("--dry-run", "--min-batch", "2"), "--min-batch must be 1");
        refused(run("--dry-run", "--opt-batch", "9"), "batch range 1/9/8");
        refused(run("--dry-run", "--max-batch", "65", "--opt-batch", "4"), "<= 64");
        refused(run("--dry-run", "--preset", "depth-anything-v2", "--onnx", "m", "--input-size", "500x500"), "14");
        refused(run("--dry-run", "--preset", "depth-anything-v2"), "--onnx FILE is required");
        refused(run("--dry-run", "--preset", "nope"), "nope");
        refused(run("--frobnicate"), "--frobnicate");
        refused(run("--onnx", "/nonexistent.onnx"), "--onnx /nonexistent.onnx: no such file");
        refused(run("--dry-run", "--input-size", "big"), "--input-size must be HxW");
    }

    @Test
    void withoutAGpuItSaysWhereEnginesAreBuilt() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a GPU-less machine");
        Run r = run("--out", dir.toString());
        assertEquals(BuildCommand.EXIT_NO_GPU, r.code(), r.err());
        assertTrue(
                r.err().contains("cannot build here: no CUDA driver")
                        && r.err().contains("on the GPU host that serves"),
                r.err());
        assertTrue(r.out().contains("plan: "), "the plan is printed before the probe: " + r.out());
    }
}
