package dev.depthcast.backend;

import dev.depthcast.backend.cpu.OnnxRuntimeModel;
import dev.depthcast.backend.simulated.SimulatedGpuModel;
import dev.depthcast.config.Backend;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Chooses and opens the pipeline for {@code --backend}: {@code cpu} (ONNX Runtime), {@code tensorrt}
 * (fails fast without a usable GPU), {@code auto} (TensorRT when the probe finds a device and an
 * engine, else the CPU with one log line saying why), {@code simulated} (GPU-like batch cost).
 */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    public static final String EMBEDDED_MODEL = "/models/relief.onnx";

    private Backends() {
    }

    public static DepthPipeline open(ServerConfig config) throws Exception {
        return switch (config.backend()) {
            case CPU -> cpu(config);
            case AUTO -> auto(config);
            case TENSORRT -> tensorRt(config);
            case SIMULATED -> simulated(config);
        };
    }

    static DepthPipeline cpu(ServerConfig config) throws Exception {
        OnnxRuntimeModel model = new OnnxRuntimeModel(modelBytes(config), modelName(config), config.preset(),
                config.inferenceThreads());
        return new HostPipeline(config.preset(), model, config.maxBatch());
    }

    static DepthPipeline auto(ServerConfig config) throws Exception {
        // GPU seam (issue 3): device probe once per JVM; on any miss it logs one line why, and we serve on the CPU.
        DepthPipeline gpu = dev.depthcast.backend.tensorrt.TensorRtBackend.openOrNull(config);
        return gpu != null ? gpu : cpu(config);
    }

    static DepthPipeline tensorRt(ServerConfig config) throws Exception {
        // GPU seam (issue 3): fails fast with the probe's reason when no GPU, TensorRT or engine is usable.
        return dev.depthcast.backend.tensorrt.TensorRtBackend.open(config);
    }

    static DepthPipeline simulated(ServerConfig config) {
        // GPU-like batch cost (FIXED + PER_ITEM x n ms, sleeping) around the real Java pre/post-processing.
        SimulatedCost cost = config.simulatedCost();
        if (cost == null) {
            cost = SimulatedGpuModel.DEFAULT_COST;
            LOG.info("simulated backend without --simulate-inference-ms: using {}+{} ms per batch",
                    cost.fixedMs(), cost.perItemMs());
        }
        return new HostPipeline(config.preset(),
                new SimulatedGpuModel(config.preset(), cost), config.maxBatch());
    }

    /** What produces the depth, for logs and /api/stats. */
    public static String modelName(ServerConfig config) {
        if (config.backend() == Backend.SIMULATED) {
            return "simulated cost model (no network; " + config.preset().name() + " sizes)";
        }
        return config.model() == null ? "embedded relief.onnx" : config.model().toString();
    }

    public static byte[] modelBytes(ServerConfig config) {
        try {
            if (config.model() != null) {
                if (!Files.isReadable(config.model())) {
                    throw new IllegalArgumentException("model file not readable: " + config.model());
                }
                return Files.readAllBytes(config.model());
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
