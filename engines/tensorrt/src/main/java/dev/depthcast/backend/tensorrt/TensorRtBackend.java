package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.BackendProvider;
import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineSpec;
import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.config.Backend;
import dev.depthcast.model.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TensorRT backend as the server finds it ({@link BackendProvider}, registered in
 * {@code META-INF/services}): probe (once per JVM), decide, open. Loads no JCuda/JavaCPP class
 * unless the probe finds a driver; {@code --backend auto} falls back to the CPU with one log line,
 * {@code --backend tensorrt} fails fast with the same message.
 */
public final class TensorRtBackend implements BackendProvider {

    private static final Logger LOG = LoggerFactory.getLogger(TensorRtBackend.class);

    /** For {@link java.util.ServiceLoader}. */
    public TensorRtBackend() {}

    @Override
    public Backend backend() {
        return Backend.TENSORRT;
    }

    @Override
    public Optional<DepthPipeline> openIfUsable(PipelineSpec spec) {
        return Optional.ofNullable(openOrNull(spec));
    }

    /** engines/PRESET_HxW_fp16.engine unless --engine says otherwise (what scripts/build-engine.sh writes). */
    public static Path enginePath(PipelineSpec spec) {
        return spec.engine() != null ? spec.engine() : EngineChoice.ENGINES.resolve(defaultEngineName(spec.preset()));
    }

    public static String defaultEngineName(Preset p) {
        return p.name() + "_" + p.inputHeight() + "x" + p.inputWidth() + "_fp16.engine";
    }

    private static final class Kernels {
        static final Optional<KernelImage> IMAGE = KernelImage.fromClasspath();
    }

    /** The decision for this machine and pipeline under {@code --backend auto} (the probe itself is cached). */
    public static BackendDecision decide(PipelineSpec spec) {
        return decide(spec, false).decision();
    }

    /** A decision and the engine it is about. */
    record Decided(BackendDecision decision, Path engine) {}

    /**
     * Probes, chooses the engine ({@link EngineChoice}) and decides; under {@code --backend
     * tensorrt} with no engine for this model yet, builds one first (FP16, minutes, once: it is
     * cached by model, GPU and TensorRT version).
     */
    static Decided decide(PipelineSpec spec, boolean explicitTensorRt) {
        ProbeFacts facts = GpuProbe.system();
        Optional<KernelImage> kernels =
                facts.driverNodes() && facts.deviceCount() > 0 ? Kernels.IMAGE : Optional.empty();
        BackendDecision device = BackendDecision.deviceProblem(facts, kernels);
        if (device != null) {
            return new Decided(device, enginePath(spec));
        }
        String modelSha = modelSha256(spec);
        EngineChoice choice = EngineChoice.choose(
                spec.engine(),
                explicitTensorRt,
                spec.preset(),
                spec.maxBatch(),
                modelSha,
                facts.ccMajor() + "." + facts.ccMinor(),
                facts.tensorRtVersion(),
                Files::isRegularFile,
                TensorRtBackend::manifestSha);
        if (choice.build()) {
            FirstStartBuild.build(spec, choice.path(), facts);
        }
        return new Decided(
                BackendDecision.decide(
                        facts,
                        kernels,
                        BackendDecision.EngineFacts.of(choice.path()),
                        spec.preset(),
                        spec.maxBatch(),
                        modelSha),
                choice.path());
    }

    private static String manifestSha(Path engine) {
        try {
            EngineManifest m = EngineManifest.read(engine);
            return m == null ? null : m.modelSha256();
        } catch (RuntimeException e) {
            return null; // a broken manifest is reported by the decision
        }
    }

    /** SHA-256 of the model the server runs (the --model file or the embedded relief model). */
    static String modelSha256(PipelineSpec spec) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spec.modelBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code --backend auto}: the TensorRT pipeline, or null (after one log line saying why) for the CPU. */
    public static DepthPipeline openOrNull(PipelineSpec spec) {
        Decided d = decide(spec, false);
        return openOrNull(d.decision(), () -> openGpu(spec, d.engine()));
    }

    /**
     * The auto policy over a decision and an opener: the opener is called only when the decision
     * says GPU, and any failure to open — including the warm-up batch that {@link TensorRtPipeline}
     * runs before serving — is logged with its reason and becomes null (the CPU).
     */
    static DepthPipeline openOrNull(BackendDecision d, Callable<DepthPipeline> open) {
        if (!d.gpu()) {
            LOG.info("{}: using the CPU backend", d.reason());
            return null;
        }
        try {
            DepthPipeline p = open.call();
            LOG.info("{}: using the tensorrt backend", d.reason());
            return p;
        } catch (Exception | LinkageError e) {
            LOG.warn("TensorRT backend failed to start ({}): using the CPU backend", GpuProbe.describe(e));
            return null;
        }
    }

    /** CUDA devices the (cached) probe found: {@code --devices all}. */
    @Override
    public int deviceCount() {
        ProbeFacts facts = GpuProbe.system();
        return facts.driverNodes() ? Math.max(0, facts.deviceCount()) : 0;
    }

    /** {@code --backend tensorrt}: the TensorRT pipeline, or an exception with the reason. */
    @Override
    public DepthPipeline open(PipelineSpec spec) throws Exception {
        Decided d = decide(spec, true);
        if (!d.decision().gpu()) {
            throw Backends.tensorRtUnusable(d.decision().reason(), null);
        }
        DepthPipeline p = openGpu(spec, d.engine());
        LOG.info("{}: using the tensorrt backend", d.decision().reason());
        return p;
    }

    private static DepthPipeline openGpu(PipelineSpec spec, Path engine) throws Exception {
        return TensorRtPipeline.open(
                spec.preset(), spec.maxBatch(), engine, Kernels.IMAGE.orElseThrow(), spec.device());
    }
}
