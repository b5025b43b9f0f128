package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.model.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * GPU or CPU, and why — a pure function of the probe's facts, the kernels in this build and the
 * engine file, so every branch is tested without a device. The reason is the one line
 * {@code --backend auto} logs before serving on the CPU, and the message {@code --backend
 * tensorrt} fails with.
 */
public record BackendDecision(boolean gpu, String reason) {

    /** The engine file and what its manifest says (manifest null when there is none). */
    public record EngineFacts(Path path, boolean exists, EngineManifest manifest, String manifestError) {

        public static EngineFacts of(Path engine) {
            if (!Files.isRegularFile(engine)) {
                return new EngineFacts(engine, false, null, null);
            }
            try {
                return new EngineFacts(engine, true, EngineManifest.read(engine), null);
            } catch (RuntimeException e) {
                return new EngineFacts(engine, true, null, e.getMessage());
            }
        }
    }

    /**
     * The TensorRT minor series the JNI bindings were built against. libjninvinfer.so links
     * libnvinfer.so.10 by soname, so any 10.x loads, but the presets' struct layouts and virtual
     * tables are those of 10.15 headers: another minor is refused here rather than at a crash.
     */
    static final String TENSORRT_SERIES = "10.15";

    private static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }

    static BackendDecision cpu(String reason) {
        return new BackendDecision(false, reason);
    }

    /**
     * Why this machine cannot run the GPU backend whatever the engine (driver, device, kernels,
     * TensorRT), or null when it can: the part of {@link #decide} an engine build needs to pass.
     */
    public static BackendDecision deviceProblem(ProbeFacts f, Optional<KernelImage> kernels) {
        BackendDecision runtime = runtimeProblem(f);
        if (runtime != null) {
            return runtime;
        }
        if (kernels.isEmpty()) {
            return cpu("this build has no GPU kernels (it was built without nvcc): run scripts/build-kernels.sh, "
                    + "then rebuild the server");
        }
        if (!kernels.get().runsOn(f.ccMajor(), f.ccMinor())) {
            return cpu("the GPU kernels (" + kernels.get().targets() + ") cannot run on " + f.deviceName() + " ("
                    + f.sm() + "): the oldest GPU supported is sm_75");
        }
        return null;
    }

    /** Why this machine has no usable CUDA device and TensorRT (the engine builder's precondition), or null. */
    public static BackendDecision runtimeProblem(ProbeFacts f) {
        if (!f.driverNodes()) {
            return cpu("no CUDA driver (" + GpuProbe.NVIDIACTL + " and " + GpuProbe.PROC_VERSION + " missing)");
        }
        if (f.driverError() != null) {
            return cpu("CUDA driver unusable: " + f.driverError());
        }
        if (f.deviceCount() <= 0) {
            return cpu("CUDA driver found but no CUDA device");
        }
        if (f.tensorRtError() != null) {
            return cpu(f.tensorRtError() + ": install TensorRT " + TENSORRT_SERIES + ".x (libnvinfer.so.10, NVIDIA's "
                    + "packages or tarball), or build the server with -Pgpu-redist");
        }
        if (!f.tensorRtVersion().startsWith(TENSORRT_SERIES + ".")) {
            return cpu("TensorRT " + f.tensorRtVersion() + " found, but this build's bindings (org.bytedeco:tensorrt "
                    + TENSORRT_SERIES + "-1.5.13) were compiled against " + TENSORRT_SERIES + ".x: install TensorRT "
                    + TENSORRT_SERIES + ".x, or build the server with -Pgpu-redist");
        }
        return null;
    }

    /**
     * @param modelSha256 SHA-256 of the model the server runs (null: unknown), checked against the
     *     one the engine's manifest records
     */
    public static BackendDecision decide(
            ProbeFacts f,
            Optional<KernelImage> kernels,
            EngineFacts engine,
            Preset preset,
            int maxBatch,
            String modelSha256) {
        BackendDecision unusable = deviceProblem(f, kernels);
        if (unusable != null) {
            return unusable;
        }
        String device = f.deviceName() + " (" + f.sm() + ")";
        Path path = engine.path();
        if (!engine.exists()) {
            return cpu("no TensorRT engine at " + path + ": build one with scripts/build-engine.sh --preset "
                    + preset.name() + ", pass --engine FILE, or start with --backend tensorrt, which builds one");
        }
        if (engine.manifestError() != null) {
            return cpu("engine " + path + ": " + engine.manifestError() + ": rebuild it with scripts/build-engine.sh");
        }
        EngineManifest m = engine.manifest();
        if (m != null) {
            String builtSm = EngineManifest.sm(m.computeCapability());
            boolean smOk = builtSm.equals(f.sm());
            boolean trtOk = EngineManifest.sameVersion(m.tensorRt(), f.tensorRtVersion());
            if (!smOk || !trtOk) {
                return cpu("engine " + path + " was built for " + builtSm + " / TensorRT " + m.tensorRt() + ", this is "
                        + f.sm() + " / TensorRT " + f.tensorRtVersion() + ": rebuild it with scripts/build-engine.sh");
            }
            if (!m.preset().equals(preset.name())
                    || m.inputHeight() != preset.inputHeight()
                    || m.inputWidth() != preset.inputWidth()) {
                return cpu("engine " + path + " was built for preset " + m.preset() + " at " + m.inputHeight() + "x"
                        + m.inputWidth() + ", the server runs preset " + preset.name() + " at " + preset.inputHeight()
                        + "x" + preset.inputWidth() + ": rebuild it with scripts/build-engine.sh --preset "
                        + preset.name() + " (or pass --engine FILE)");
            }
            if (m.modelSha256() != null
                    && modelSha256 != null
                    && !m.modelSha256().equalsIgnoreCase(modelSha256)) {
                return cpu(
                        "engine " + path + " was built from another model (SHA-256 " + shortSha(m.modelSha256())
                                + "…, the server's model is " + shortSha(modelSha256) + "…): rebuild it with "
                                + "scripts/build-engine.sh --onnx MODEL (or leave --engine out: --backend tensorrt builds one)");
            }
            if (m.maxBatch() < maxBatch) {
                return cpu("engine " + path + " takes batches up to " + m.maxBatch() + ", --max-batch is " + maxBatch
                        + ": rebuild it with scripts/build-engine.sh --max-batch " + maxBatch
                        + ", or lower --max-batch");
            }
        }
        return new BackendDecision(
                true,
                "TensorRT " + f.tensorRtVersion() + " on " + device + ", engine " + path
                        + (m == null ? " (no build manifest beside it: TensorRT will check it)" : "")
                        + (kernels.get().needsJit(f.ccMajor(), f.ccMinor())
                                ? "; kernels JIT-compiled from compute_90 PTX"
                                : ""));
    }
}
