package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.backend.cuda.KernelImageTest;
import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every branch of the GPU/CPU decision, without a device. */
class BackendDecisionTest {

    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;
    static final Optional<KernelImage> KERNELS =
            Optional.of(KernelImage.parse(KernelImageTest.fatbin(KernelImageTest.BUILT)));
    static final Path ENGINE = Path.of("engines/depth-anything-v2_378x504_fp16.engine");
    static final ProbeFacts RTX4090 =
            ProbeFacts.devices(1, "NVIDIA GeForce RTX 4090", 8, 9).withTensorRt(null, "10.15.1");
    static final EngineManifest BUILT_HERE =
            new EngineManifest("10.15.1", "8.9", "depth-anything-v2", 378, 504, 8, "fp16", null);

    static final String MODEL_SHA = "3f2a9c0d1e2b" + "0".repeat(52);

    static BackendDecision decide(ProbeFacts f, EngineManifest m) {
        return BackendDecision.decide(
                f, KERNELS, new BackendDecision.EngineFacts(ENGINE, true, m, null), DA2, 8, MODEL_SHA);
    }

    static void cpu(BackendDecision d, String expected) {
        assertFalse(d.gpu(), d.reason());
        assertTrue(d.reason().contains(expected), "reason: " + d.reason() + "\nexpected to contain: " + expected);
    }

    @Test
    void noDriver() {
        BackendDecision d = decide(ProbeFacts.noDriverNodes(), BUILT_HERE);
        assertEquals(
                new BackendDecision(false, "no CUDA driver (/dev/nvidiactl and /proc/driver/nvidia/version missing)"),
                d);
    }

    @Test
    void driverButUnusable() {
        cpu(
                decide(ProbeFacts.driverError("cuInit returned CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)"), BUILT_HERE),
                "CUDA driver unusable: cuInit returned CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)");
    }

    @Test
    void driverButNoDevice() {
        cpu(decide(ProbeFacts.devices(0, null, 0, 0), BUILT_HERE), "CUDA driver found but no CUDA device");
    }

    @Test
    void buildWithoutKernels() {
        cpu(
                BackendDecision.decide(
                        RTX4090,
                        Optional.empty(),
                        new BackendDecision.EngineFacts(ENGINE, true, BUILT_HERE, null),
                        DA2,
                        8,
                        MODEL_SHA),
                "run scripts/build-kernels.sh");
    }

    @Test
    void deviceTooOldForTheKernels() {
        cpu(
                decide(ProbeFacts.devices(1, "Tesla P100", 6, 0).withTensorRt(null, "10.15.1"), BUILT_HERE),
                "cannot run on Tesla P100 (sm_60): the oldest GPU supported is sm_75");
    }

    @Test
    void deviceButTensorRtMissing() {
        BackendDecision d = decide(
                ProbeFacts.devices(1, "NVIDIA L4", 8, 9)
                        .withTensorRt("TensorRT could not be loaded: UnsatisfiedLinkError: no jnicublas", null),
                BUILT_HERE);
        cpu(d, "TensorRT could not be loaded: UnsatisfiedLinkError: no jnicublas");
        cpu(d, "install TensorRT 10.15.x (libnvinfer.so.10");
        cpu(d, "-Pgpu-redist");
    }

    @Test
    void tensorRtOfAnotherMinorThanTheBindingsIsRefused() {
        // libjninvinfer.so links libnvinfer.so.10 by soname: 10.14 would load, with 10.15's layouts.
        BackendDecision d = decide(ProbeFacts.devices(1, "NVIDIA L4", 8, 9).withTensorRt(null, "10.14.1"), BUILT_HERE);
        cpu(
                d,
                "TensorRT 10.14.1 found, but this build's bindings (org.bytedeco:tensorrt 10.15-1.5.13) were "
                        + "compiled against 10.15.x");
        cpu(
                decide(ProbeFacts.devices(1, "NVIDIA L4", 8, 9).withTensorRt(null, "10.150.0"), BUILT_HERE),
                "10.150.0 found");
    }

    @Test
    void engineMissing() {
        cpu(
                BackendDecision.decide(
                        RTX4090,
                        KERNELS,
                        new BackendDecision.EngineFacts(ENGINE, false, null, null),
                        DA2,
                        8,
                        MODEL_SHA),
                "no TensorRT engine at " + ENGINE
                        + ": build one with scripts/build-engine.sh --preset depth-anything-v2");
    }

    @Test
    void engineBuiltForAnotherGpu() {
        cpu(
                decide(
                        ProbeFacts.devices(1, "NVIDIA H100", 9, 0).withTensorRt(null, "10.15.1"),
                        new EngineManifest("10.15.1", "8.6", "depth-anything-v2", 378, 504, 8, "fp16", null)),
                "was built for sm_86 / TensorRT 10.15.1, this is sm_90 / TensorRT 10.15.1: rebuild it with "
                        + "scripts/build-engine.sh");
    }

    @Test
    void engineBuiltWithAnotherTensorRt() {
        cpu(
                decide(RTX4090, new EngineManifest("10.14.1", "8.9", "depth-anything-v2", 378, 504, 8, "fp16", null)),
                "was built for sm_89 / TensorRT 10.14.1, this is sm_89 / TensorRT 10.15.1");
    }

    @Test
    void engineForAnotherPresetOrSmallerBatch() {
        cpu(
                decide(RTX4090, new EngineManifest("10.15.1", "8.9", "midas-small", 256, 256, 8, "fp16", null)),
                "was built for preset midas-small at 256x256, the server runs preset depth-anything-v2 at 378x504");
        cpu(
                decide(RTX4090, new EngineManifest("10.15.1", "8.9", "depth-anything-v2", 518, 518, 8, "fp16", null)),
                "at 518x518");
        cpu(
                decide(RTX4090, new EngineManifest("10.15.1", "8.9", "depth-anything-v2", 378, 504, 4, "fp16", null)),
                "takes batches up to 4, --max-batch is 8");
    }

    @Test
    void brokenManifest() {
        cpu(
                BackendDecision.decide(
                        RTX4090,
                        KERNELS,
                        new BackendDecision.EngineFacts(ENGINE, true, null, "x.properties has no 'tensorrt'"),
                        DA2,
                        8,
                        MODEL_SHA),
                "has no 'tensorrt': rebuild it");
    }

    @Test
    void everythingUsable() {
        BackendDecision d = decide(RTX4090, BUILT_HERE);
        assertTrue(d.gpu());
        assertEquals("TensorRT 10.15.1 on NVIDIA GeForce RTX 4090 (sm_89), engine " + ENGINE, d.reason());
        BackendDecision noManifest = decide(RTX4090, null);
        assertTrue(noManifest.gpu());
        assertTrue(noManifest.reason().contains("no build manifest"));
        BackendDecision blackwell = decide(
                ProbeFacts.devices(1, "NVIDIA RTX PRO 6000", 12, 0).withTensorRt(null, "10.15.1"),
                new EngineManifest("10.15.1", "12.0", "depth-anything-v2", 378, 504, 8, "fp16", null));
        assertTrue(blackwell.gpu());
        assertTrue(blackwell.reason().contains("JIT-compiled from compute_90 PTX"));
    }

    @Test
    void anEngineBuiltFromAnotherModelIsRefusedNamingBoth() {
        EngineManifest other = new EngineManifest(
                "10.15.1", "8.9", "depth-anything-v2", 378, 504, 8, "fp16", "aaaaaaaaaaaa" + "1".repeat(52));
        cpu(
                decide(RTX4090, other),
                "was built from another model (SHA-256 aaaaaaaaaaaa…, the server's model is " + "3f2a9c0d1e2b…)");
        EngineManifest same = new EngineManifest("10.15.1", "8.9", "depth-anything-v2", 378, 504, 8, "fp16", MODEL_SHA);
        assertTrue(decide(RTX4090, same).gpu());
        assertTrue(
                BackendDecision.decide(
                                RTX4090,
                                KERNELS,
                                new BackendDecision.EngineFacts(ENGINE, true, other, null),
                                DA2,
                                8,
                                null)
                        .gpu(),
                "model unknown: TensorRT's own checks decide");
    }
}
