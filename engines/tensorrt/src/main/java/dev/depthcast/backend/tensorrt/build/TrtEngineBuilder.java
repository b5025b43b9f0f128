package dev.depthcast.backend.tensorrt.build;

import dev.depthcast.model.Preset;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;

/**
 * ONNX to a serialized TensorRT engine, in Java (bytedeco TensorRT 10.15: {@code IBuilder},
 * {@code nvonnxparser}, {@code IBuilderConfig}); what {@code scripts/build-engine.sh} runs and what
 * the server runs on first start when it has a model but no engine. Never executed, because no
 * machine this project ran on had TensorRT: it compiles; every decision it takes is made by the
 * pure classes beside it ({@link BuildRequest}, {@link BuildProgress}, {@link dev.depthcast.backend.build.CalibrationBatches}),
 * which are tested.
 *
 * <p>The engine is what the kernels expect: one input and one output, both FP16 and linear NCHW
 * (the trtexec recipe's {@code --inputIOFormats=fp16:chw --outputIOFormats=fp16:chw}), one
 * optimization profile min/opt/max batch at the preset's input size, FP16 layers, and INT8 either
 * from a calibrator over recorded frames or from the model's own Q/DQ nodes. The timing cache is
 * kept beside the engines, so a rebuild for another batch range or precision takes seconds for
 * the tactics it already timed.
 */
public final class TrtEngineBuilder {

    /** TensorRT's log: its progress (kINFO), warnings and errors to the build output; the last error kept. */
    private static final class Log extends ILogger {
        private final BuildProgress progress;
        volatile String lastError;

        Log(BuildProgress progress) {
            this.progress = progress;
        }

        @Override
        public void log(Severity severity, String msg) {
            if (severity.value <= Severity.kERROR.value) {
                lastError = msg;
                progress.note("TensorRT error: " + msg);
            } else if (severity.value == Severity.kWARNING.value) {
                progress.note("TensorRT warning: " + msg);
            } else if (severity.value == Severity.kINFO.value) {
                progress.note(msg);
            }
        }
    }

    /** The engine and what it was built with. */
    public record Built(byte[] engine, String tensorRt, String inputName) {}

    private TrtEngineBuilder() {}

    public static String tensorRtVersion() {
        int v = nvinfer.getInferLibVersion();
        return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
    }

    public static Built build(BuildRequest r, BuildProgress progress, Int8Calibrator calibrator) throws IOException {
        Log log = new Log(progress);
        IBuilder builder = nvinfer.createInferBuilder(log);
        if (builder == null || builder.isNull()) {
            throw new IllegalStateException("TensorRT createInferBuilder failed" + why(log));
        }
        INetworkDefinition network = builder.createNetworkV2(0); // explicit batch: the only mode in TensorRT 10
        IParser parser = nvonnxparser.createParser(network, log);
        progress.note("parsing " + r.onnx());
        if (!parser.parseFromFile(r.onnx().toString(), ILogger.Severity.kWARNING.value)) {
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < parser.getNbErrors(); i++) {
                errors.add(parser.getError(i).desc());
            }
            throw new IllegalArgumentException(
                    r.onnx() + ": TensorRT's ONNX parser failed: " + String.join("; ", errors));
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < network.getNbOutputs(); i++) {
            outputs.add(network.getOutput(i).getName());
        }
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < network.getNbInputs(); i++) {
            inputs.add(network.getInput(i).getName());
        }
        String misfit = BuildRequest.ioMisfit(inputs, outputs);
        if (misfit != null) {
            throw new IllegalArgumentException(r.onnx() + ": " + misfit);
        }
        ITensor input = network.getInput(0);
        ITensor output = network.getOutput(0);
        for (ITensor t : List.of(input, output)) {
            t.setType(nvinfer.DataType.kHALF);
            t.setAllowedFormats(1 << nvinfer.TensorFormat.kLINEAR.value);
        }

        IBuilderConfig config = builder.createBuilderConfig();
        config.setMemoryPoolLimit(nvinfer.MemoryPoolType.kWORKSPACE, r.workspaceBytes());
        config.setFlag(nvinfer.BuilderFlag.kFP16);
        Preset p = r.preset();
        IOptimizationProfile profile = builder.createOptimizationProfile();
        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kMIN, dims(r.minBatch(), p));
        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kOPT, dims(r.optBatch(), p));
        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kMAX, dims(r.maxBatch(), p));
        config.addOptimizationProfile(profile);
        if (r.precision() == BuildRequest.Precision.INT8) {
            config.setFlag(nvinfer.BuilderFlag.kINT8);
            if (!r.quantizedModel()) {
                config.setInt8Calibrator(calibrator);
                config.setCalibrationProfile(profile);
            }
        }
        byte[] cacheBytes = r.timingCache() != null && Files.isRegularFile(r.timingCache())
                ? Files.readAllBytes(r.timingCache())
                : new byte[0];
        BytePointer cacheBlob = new BytePointer(cacheBytes);
        ITimingCache cache = config.createTimingCache(cacheBlob, cacheBytes.length);
        config.setTimingCache(cache, false);
        progress.note("building " + r.describe() + " (minutes on a first build; the timing cache makes rebuilds fast)");
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r2 -> {
            Thread t = new Thread(r2, "engine-build-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat.scheduleAtFixedRate(progress::heartbeat, 1, 1, TimeUnit.SECONDS);
        IHostMemory plan;
        try {
            plan = builder.buildSerializedNetwork(network, config);
        } finally {
            beat.shutdownNow();
        }
        if (plan == null || plan.isNull() || plan.size() == 0) {
            throw new IllegalStateException("TensorRT could not build the engine" + why(log));
        }
        byte[] engine = bytes(plan.data(), plan.size());
        if (r.timingCache() != null) {
            IHostMemory c = config.getTimingCache().serialize();
            Files.write(r.timingCache(), bytes(c.data(), c.size()));
        }
        progress.note("engine built: " + (engine.length >> 20) + " MiB");
        return new Built(engine, tensorRtVersion(), input.getName());
    }

    private static Dims64 dims(int n, Preset p) {
        return new Dims64().nbDims(4).d(0, n).d(1, 3).d(2, p.inputHeight()).d(3, p.inputWidth());
    }

    private static byte[] bytes(Pointer data, long size) {
        byte[] b = new byte[Math.toIntExact(size)];
        new BytePointer(data).capacity(size).get(b);
        return b;
    }

    private static String why(Log log) {
        return log.lastError != null ? " (" + log.lastError + ")" : "";
    }
}
