package dev.depthcast.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.depthcast.backend.cpu.CpuEngineChoice;
import dev.depthcast.backend.cpu.CpuFeatures;
import dev.depthcast.backend.cpu.OnnxRuntimeModel;
import dev.depthcast.backend.simulated.SimulatedGpuModel;
import dev.depthcast.config.Backend;
import dev.depthcast.config.ConfigException;
import dev.depthcast.config.DeviceSelection;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.config.StartupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and opens the pipeline for {@code --backend}: {@code cpu} (ONNX Runtime), {@code tensorrt}
 * (fails fast without a usable GPU), {@code auto} (TensorRT when the probe finds a device and an
 * engine, else the CPU with one log line saying why), {@code simulated} (GPU-like batch cost).
 * The CPU and simulated backends are here; TensorRT comes from a {@link BackendProvider} on the
 * classpath (the {@code engines/tensorrt} module, which {@code scripts/serve.sh} adds on a GPU host).
 */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    public static final String EMBEDDED_MODEL = "/models/relief.onnx";

    private Backends() {}

    /**
     * One pipeline per device of {@code --devices}, in ordinal order. If one fails to open, those already open are
     * closed and the failure goes up: a box with a broken GPU should say so at start, not serve
     * on fewer devices than it was told to.
     */
    public static List<DepthPipeline> openAll(ServerConfig config) throws Exception {
        DeviceSelection devices = config.devices();
        if (config.backend() == Backend.CPU
                || (config.backend() == Backend.AUTO
                        && provider(Backend.TENSORRT).isEmpty())) {
            return List.of(cpuOnce(config));
        }
        List<Integer> ordinals = switch (config.backend()) {
            case SIMULATED -> {
                if (devices.all()) {
                    throw new ConfigException("--devices all: simulated devices have no count of their own; "
                            + "give one, e.g. --devices 4");
                }
                yield devices.ordinals();
            }
            default -> {
                if (!devices.all()) {
                    yield devices.ordinals();
                }
                int found = provider(Backend.TENSORRT)
                        .map(BackendProvider::deviceCount)
                        .orElse(0);
                // auto on a machine without a usable GPU: device 0 decides, and that is the CPU.
                yield found == 0 && config.backend() == Backend.AUTO ? List.of(0) : devices.resolve(found);
            }
        };
        List<DepthPipeline> open = new ArrayList<>();
        try {
            for (int ordinal : ordinals) {
                if (config.backend() == Backend.AUTO
                        && !open.isEmpty()
                        && !open.get(0).backendName().equals("tensorrt")) {
                    break; // auto fell back to the CPU on the first device: one CPU executor is all there is
                }
                // auto: the first device decides GPU or CPU; the others must then open on the GPU too.
                open.add(
                        config.backend() == Backend.AUTO && !open.isEmpty()
                                ? tensorRt(config, ordinal)
                                : open(config, ordinal));
            }
        } catch (Exception | Error e) {
            open.forEach(DepthPipeline::close);
            throw e;
        }
        if (open.size() < ordinals.size()) {
            LOG.warn("--devices {}: the CPU backend runs one executor (ONNX Runtime already uses every core)", devices);
        }
        return List.copyOf(open);
    }

    /** The CPU backend: one executor whatever {@code --devices} says (it is refused at the command line). */
    private static DepthPipeline cpuOnce(ServerConfig config) throws Exception {
        if (!config.devices().isSingleFirst()) {
            if (config.backend() == Backend.CPU) {
                throw new ConfigException("--devices " + config.devices() + " with --backend cpu: the CPU backend "
                        + "runs one executor (ONNX Runtime already uses every core); drop --devices, or use "
                        + "--backend tensorrt or simulated");
            }
            LOG.warn("--devices {}: no GPU backend on the classpath, so one CPU executor", config.devices());
        }
        return config.backend() == Backend.CPU ? cpu(config) : auto(config, 0);
    }

    /** One pipeline on device 0. */
    public static DepthPipeline open(ServerConfig config) throws Exception {
        return open(config, 0);
    }

    /** One pipeline on device {@code device}. */
    static DepthPipeline open(ServerConfig config, int device) throws Exception {
        return switch (config.backend()) {
            case CPU -> cpu(config);
            case AUTO -> auto(config, device);
            case TENSORRT -> tensorRt(config, device);
            case SIMULATED -> simulated(config);
        };
    }

    static DepthPipeline cpu(ServerConfig config) {
        byte[] modelBytes = modelBytes(config.model());
        CpuEngineChoice engine = CpuEngineChoice.choose(
                ENGINES,
                new CpuEngineChoice.Wanted(
                        config.preset(),
                        sha256(modelBytes),
                        config.model() == null ? null : config.model().toString(),
                        OrtEnvironment.getEnvironment().getVersion(),
                        config.precision()),
                CpuFeatures.machine());
        engine.notes().forEach(LOG::warn);
        LOG.info("CPU backend runs {}", engine.describe());
        OnnxRuntimeModel model;
        try {
            byte[] bytes = engine.engine() == null ? modelBytes : Files.readAllBytes(engine.engine());
            model = new OnnxRuntimeModel(
                    bytes, modelName(config), config.preset(), config.inferenceThreads(), engine.describe());
        } catch (IOException e) {
            throw new StartupException("engine " + engine.engine() + " could not be read: " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new StartupException(
                    (engine.engine() != null
                                    ? "engine " + engine.engine()
                                    : config.model() != null ? "--model " + config.model() : "the embedded model")
                            + " could not be loaded by ONNX Runtime ("
                            + firstLine(e.getMessage()).replaceFirst("^Error code - ", "")
                            + "): check it is an ONNX depth model exported with opset 17 or older (README: Models)",
                    e);
        }
        return hostPipeline(config, model);
    }

    /** Where built engines live (build-engine.sh --out), relative to the directory the server starts in. */
    public static final Path ENGINES = Path.of("engines");

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Java pre- and post-processing around {@code runtime}, as {@code config} sets them: how the server wraps
     * every runtime it runs on the host (ONNX Runtime, the simulated cost model, a benchmark's own).
     */
    public static DepthPipeline hostPipeline(ServerConfig config, ModelRuntime runtime) {
        return new HostPipeline(config.preset(), runtime, config.maxBatch());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** What {@code --backend tensorrt} says when the module is not on the classpath. */
    public static final String NO_GPU_MODULE = "the TensorRT backend is not on the classpath: on a GPU host, build it "
            + "(mvn -pl engines/tensorrt -am package) and start with scripts/serve.sh, which adds "
            + "engines/tensorrt/target/depthcast-tensorrt.jar when a GPU driver is present";

    static DepthPipeline auto(ServerConfig config, int device) throws Exception {
        Optional<BackendProvider> gpu = provider(Backend.TENSORRT);
        if (gpu.isEmpty()) {
            LOG.info("no GPU backend on the classpath (engines/tensorrt not added): using the CPU backend");
            return cpu(config);
        }
        // The provider probes the device once per JVM; on any miss it logs one line why.
        Optional<DepthPipeline> p = gpu.get().openIfUsable(PipelineSpec.of(config, device));
        return p.isPresent() ? p.get() : cpu(config);
    }

    static DepthPipeline tensorRt(ServerConfig config, int device) throws Exception {
        BackendProvider gpu = provider(Backend.TENSORRT).orElseThrow(() -> tensorRtUnusable(NO_GPU_MODULE, null));
        return gpu.open(PipelineSpec.of(config, device));
    }

    /** {@code --backend tensorrt} on a machine that cannot run it: the reason, and what to pass instead. */
    public static StartupException tensorRtUnusable(String reason, Throwable cause) {
        return new StartupException(
                "--backend tensorrt: " + reason
                        + ": on this machine pass --backend auto (falls back to the CPU) or cpu",
                cause);
    }

    /** The provider of {@code backend} on the classpath, if any. */
    static Optional<BackendProvider> provider(Backend backend) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.backend() == backend) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static DepthPipeline simulated(ServerConfig config) {
        // GPU-like batch cost (FIXED + PER_ITEM x n ms, sleeping) around the real Java pre/post-processing.
        SimulatedCost cost = config.simulatedCost();
        if (cost == null) {
            cost = SimulatedGpuModel.DEFAULT_COST;
            LOG.info(
                    "simulated backend without --simulate-inference-ms: using {}+{} ms per batch",
                    cost.fixedMs(),
                    cost.perItemMs());
        }
        return hostPipeline(config, new SimulatedGpuModel(config.preset(), cost));
    }

    /** What produces the depth, for logs and /api/stats. */
    public static String modelName(ServerConfig config) {
        if (config.backend() == Backend.SIMULATED) {
            return "simulated cost model (no network; " + config.preset().name() + " sizes)";
        }
        return config.model() == null ? "embedded relief.onnx" : config.model().toString();
    }

    /** The model's file name alone (what the page's HUD shows beside the preset). */
    public static String modelFileName(ServerConfig config) {
        if (config.backend() == Backend.SIMULATED) {
            return "none (simulated)";
        }
        return config.model() == null
                ? "relief.onnx (embedded)"
                : String.valueOf(config.model().getFileName());
    }

    /** The bytes of {@code model}, or of the embedded relief model when it is null. */
    public static byte[] modelBytes(Path model) {
        try {
            if (model != null) {
                if (!Files.isReadable(model)) {
                    throw new ConfigException("model file not readable: " + model);
                }
                return Files.readAllBytes(model);
            }
            try (InputStream in = Backends.class.getResourceAsStream(EMBEDDED_MODEL)) {
                if (in == null) {
                    throw new IllegalStateException("embedded model " + EMBEDDED_MODEL + " missing from the jar");
                }
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
