package dev.depthcast.backend.cpu.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import dev.depthcast.backend.build.AccuracyGate;
import dev.depthcast.backend.build.DepthAgreement;
import dev.depthcast.backend.cpu.CpuEngineChoice;
import dev.depthcast.backend.cpu.CpuEngineManifest;
import dev.depthcast.backend.cpu.CpuFeatures;
import dev.depthcast.calibration.Y4m;
import dev.depthcast.config.EnginePrecision;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build-engine.sh --backend cpu: arguments, plans (--dry-run), a real FP32 build of the embedded model
 * that the server's engine choice then picks, a missing Python, and the calibration file's format.
 * INT8 builds need the quantizer's Python environment: scripts/test.sh builds one end to end.
 */
class CpuBuildCommandTest {

    static final Path SCRIPTS = Path.of("..", "scripts", "cpu-engine");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CpuBuildCommand.run(
                new CpuBuildCommand(SCRIPTS, env), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    static void refused(Run r, String why) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(why), "expected '" + why + "' in: " + r.err());
    }

    Path frames(int n) throws Exception {
        Path calib = Files.createDirectories(dir.resolve("calib"));
        List<I420Frame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] y = new byte[64 * 48];
            for (int p = 0; p < y.length; p++) {
                y[p] = (byte) (16 + (p % 64) * 3 + i);
            }
            byte[] c = new byte[I420Frame.chromaSize(64, 48)];
            Arrays.fill(c, (byte) 128);
            frames.add(new I420Frame(64, 48, y, c, c.clone(), i, 0, 0, 0, 0));
        }
        Y4m.write(calib.resolve("client-1.y4m"), frames, 30);
        return calib;
    }

    @Test
    void badArgumentsAreOneLineWithTheReason() throws Exception {
        refused(run("--dry-run", "--precision", "fp16"), "--precision must be fp32, int8 or both for the cpu backend");
        refused(run("--dry-run", "--backend", "tensorrt"), "--backend tensorrt: this command builds cpu engines");
        refused(run("--dry-run", "--preset", "depth-anything-v2"), "--onnx FILE is required");
        refused(run("--dry-run", "--preset", "nope"), "nope");
        refused(run("--dry-run", "--input-size", "big"), "--input-size must be HxW");
        refused(run("--dry-run", "--preset", "depth-anything-v2", "--onnx", "m", "--input-size", "500x500"), "14");
        refused(run("--onnx", "/nonexistent.onnx"), "--onnx /nonexistent.onnx: no such file");
        refused(run("--dry-run", "--precision", "int8"), "int8 needs frames (--calib-images DIR");
        refused(
                run(
                        "--dry-run",
                        "--precision",
                        "int8",
                        "--calib-images",
                        dir.resolve("none").toString()),
                "not a folder");
        refused(
                run(
                        "--dry-run",
                        "--precision",
                        "int8",
                        "--calib-images",
                        frames(10).toString(),
                        "--int8-method",
                        "qat"),
                "--int8-method must be static, dynamic or auto, got 'qat'");
        refused(
                run(
                        "--dry-run",
                        "--precision",
                        "int8",
                        "--calib-images",
                        frames(10).toString(),
                        "--int8-exclude",
                        "soft max"),
                "--int8-exclude takes ONNX operator types");
        refused(
                run(
                        "--dry-run",
                        "--precision",
                        "int8",
                        "--calib-images",
                        frames(4).toString()),
                "give at least 5");
        refused(run("--frobnicate"), "--frobnicate");
    }

    @Test
    void theDryRunPrintsEachEngineWhereTheServerLooksForItAndTheCalibrationSplit() throws Exception {
        Run r = run(
                "--dry-run",
                "--preset",
                "depth-anything-v2",
                "--onnx",
                "da2.onnx",
                "--input-size",
                "266x350",
                "--precision",
                "both",
                "--calib-images",
                frames(50).toString(),
                "--calib-frames",
                "20",
                "--int8-exclude",
                "Softmax,Resize");
        assertEquals(0, r.code(), r.err());
        String ort = OrtEnvironment.getEnvironment().getVersion();
        assertTrue(
                r.out()
                        .contains("plan: engines/depth-anything-v2_266x350_cpu-fp32.onnx: depth-anything-v2 fp32 at "
                                + "266x350 (HxW), ONNX Runtime " + ort + ", offline-optimised"),
                r.out());
        assertTrue(
                r.out()
                        .contains("plan: engines/depth-anything-v2_266x350_cpu-int8.onnx: depth-anything-v2 int8 at "
                                + "266x350 (HxW), ONNX Runtime " + ort
                                + ", static and dynamic quantization, FP32 kept for "
                                + "Softmax,Resize"),
                r.out());
        assertTrue(r.out().contains("plan: calibrate on 20 frames, check on 10 held-out frames"), r.out());
        assertFalse(Files.exists(Path.of("engines")), "a dry run writes nothing");
    }

    @Test
    void anFp32BuildWritesTheEngineAndAManifestTheServerMatches() throws Exception {
        Path out = dir.resolve("engines");
        Run r = run("--precision", "fp32", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Path engine = out.resolve("relief_378x504_cpu-fp32.onnx");
        assertTrue(Files.size(engine) > 1000, r.out());
        CpuEngineManifest m = CpuEngineManifest.read(engine);
        String ort = OrtEnvironment.getEnvironment().getVersion();
        assertEquals("relief", m.preset());
        assertEquals(ort, m.onnxRuntime());
        assertEquals("fp32", m.precision());
        assertEquals(CpuFeatures.machine(), m.cpuFeatures());
        byte[] embedded = dev.depthcast.backend.Backends.modelBytes(null);
        String sha = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(embedded));
        assertEquals(sha, m.modelSha256());
        CpuEngineChoice c = CpuEngineChoice.choose(
                out,
                new CpuEngineChoice.Wanted(Preset.RELIEF, sha, null, ort, EnginePrecision.AUTO),
                CpuFeatures.machine());
        assertEquals(engine, c.engine());
        assertEquals("fp32 engine relief_378x504_cpu-fp32.onnx", c.describe());
    }

    @Test
    void withoutPythonInt8EndsWithOneLineSayingWhatToInstall() throws Exception {
        Run r = run(
                Map.of(
                        "DEPTHCAST_PYTHON",
                        "/nonexistent/python3",
                        "DEPTHCAST_QUANT_VENV",
                        dir.resolve("venv").toString()),
                "--precision",
                "both",
                "--calib-images",
                frames(10).toString(),
                "--out",
                dir.resolve("engines").toString());
        assertEquals(CpuBuildCommand.EXIT_NO_PYTHON, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("no Python here") && r.err().contains("apt-get install python3-venv"), r.err());
        assertFalse(Files.exists(dir.resolve("engines")), "nothing is built before the quantizer is known to run");
    }

    /** Made-up candidates: the gate decides which may be installed, speed decides among them. */
    @Test
    void theFastestCandidateThatPassesTheGateIsInstalled() {
        DepthAgreement.Summary close = new DepthAgreement.Summary(0.01, 0.99, 8);
        DepthAgreement.Summary far = new DepthAgreement.Summary(0.10, 0.91, 8);
        assertNull(AccuracyGate.DEFAULT.refusal(close));
        String refused = AccuracyGate.DEFAULT.refusal(far);
        assertTrue(refused.contains("AbsRel 0.1000") && refused.contains("--force"), refused);
        CpuBuildCommand.Candidate staticFast = new CpuBuildCommand.Candidate("static", Path.of("s"), 300, far, refused);
        CpuBuildCommand.Candidate dynamicSlow =
                new CpuBuildCommand.Candidate("dynamic", Path.of("d"), 370, close, null);
        CpuBuildCommand.Candidate dynamicFast =
                new CpuBuildCommand.Candidate("dynamic", Path.of("d"), 250, close, null);
        assertEquals(dynamicSlow, CpuBuildCommand.pick(List.of(staticFast, dynamicSlow), false));
        assertEquals(staticFast, CpuBuildCommand.pick(List.of(staticFast, dynamicSlow), true));
        assertEquals(dynamicFast, CpuBuildCommand.pick(List.of(staticFast, dynamicFast), false));
        assertNull(CpuBuildCommand.pick(List.of(staticFast), false));
    }

    @Test
    void calibrationFramesCrossToPythonAsNpy() throws Exception {
        Path f = dir.resolve("c.npy");
        float[] data = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 3;
        }
        NpyWriter.write(f, data, 2, 3, 4, 5);
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "the data starts 64-byte aligned");
        String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 5,), }"), header);
        assertTrue(header.endsWith("\n"));
        ByteBuffer values =
                ByteBuffer.wrap(b, 10 + headerLength, data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            assertEquals(v, values.getFloat());
        }
    }
}
