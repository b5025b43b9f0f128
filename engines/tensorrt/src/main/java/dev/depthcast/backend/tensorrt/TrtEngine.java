package dev.depthcast.backend.tensorrt;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that calls TensorRT (JavaCPP presets, org.bytedeco:tensorrt 10.15-1.5.13).
 * Never executed, because no machine this project ran on had TensorRT: compiled, and loaded only
 * behind the probe. Deserializes an engine, reads
 * its I/O metadata for {@link EngineBindings}, binds device buffers allocated by JCuda (raw
 * addresses, no host trip) and enqueues on JCuda's stream (raw CUstream handle) with
 * {@code enqueueV3}.
 *
 * <p><b>What cannot be freed from Java.</b> The runtime, engine and execution context come from
 * TensorRT factory functions; the JavaCPP presets register no deallocator for pointers returned
 * that way, and TensorRT 10 removed {@code destroy()}, so {@code close()} cannot release them: they
 * live as long as the JVM. That is why the order matters: the engine's I/O metadata is checked
 * ({@link EngineBindings}) before the execution context, which holds the activation memory (the
 * large allocation), is created on first use; a misfit engine costs only its deserialized weights,
 * once, and the server then either exits ({@code --backend tensorrt}) or serves on the CPU.
 */
final class TrtEngine implements InferenceEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TrtEngine.class);

    /** TensorRT's log, into slf4j; keeps the last error for exception messages. */
    static final class TrtLogger extends ILogger {
        volatile String lastError;

        @Override
        public void log(Severity severity, String msg) {
            int s = severity.value;
            if (s <= Severity.kERROR.value) {
                lastError = msg;
                LOG.error("TensorRT: {}", msg);
            } else if (s == Severity.kWARNING.value) {
                LOG.warn("TensorRT: {}", msg);
            } else if (s == Severity.kINFO.value) {
                LOG.debug("TensorRT: {}", msg);
            }
        }
    }

    private final TrtLogger logger = new TrtLogger();
    private final IRuntime runtime;
    private final ICudaEngine engine;
    private IExecutionContext context;
    private final BytePointer serialized;
    private final String name;
    private final Dims64 inputDims = new Dims64();

    TrtEngine(byte[] engineBytes, String name) {
        this.name = name;
        this.runtime = nvinfer.createInferRuntime(logger);
        if (runtime == null || runtime.isNull()) {
            throw new IllegalStateException("TensorRT createInferRuntime failed");
        }
        this.serialized = new BytePointer(engineBytes);
        this.engine = runtime.deserializeCudaEngine(serialized, engineBytes.length);
        if (engine == null || engine.isNull()) {
            throw new IllegalStateException("TensorRT " + libraryVersion() + " could not deserialize engine " + name
                    + (logger.lastError != null ? " (" + logger.lastError + ")" : "")
                    + ": it was built for another GPU or TensorRT version, or is not an engine; rebuild it with "
                    + "scripts/build-engine.sh");
        }
    }

    /** The execution context, created on first use (after the bindings were checked). */
    private IExecutionContext context() {
        if (context == null) {
            IExecutionContext c = engine.createExecutionContext();
            if (c == null || c.isNull()) {
                throw new IllegalStateException("TensorRT could not create an execution context for " + name
                        + (logger.lastError != null ? " (" + logger.lastError + ")" : "")
                        + ": the GPU may be out of memory for this engine's activations");
            }
            context = c;
        }
        return context;
    }

    /** "10.15.1" from getInferLibVersion() (major*10000 + minor*100 + patch in TensorRT 10). */
    static String libraryVersion() {
        return formatVersion(nvinfer.getInferLibVersion());
    }

    @Override
    public String version() {
        return libraryVersion();
    }

    static String formatVersion(int v) {
        return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
    }

    /** The engine's I/O tensors with optimization profile 0 for inputs. */
    @Override
    public List<TensorSpec> tensors() {
        List<TensorSpec> out = new ArrayList<>();
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String t = engine.getIOTensorName(i);
            boolean input = engine.getTensorIOMode(t).value == nvinfer.TensorIOMode.kINPUT.value;
            String type = engine.getTensorDataType(t).intern().toString();
            String format = engine.getTensorFormat(t).intern().toString();
            long[] shape = dims(engine.getTensorShape(t));
            long[] min = null;
            long[] opt = null;
            long[] max = null;
            if (input && engine.getNbOptimizationProfiles() > 0) {
                min = dims(engine.getProfileShape(t, 0, nvinfer.OptProfileSelector.kMIN));
                opt = dims(engine.getProfileShape(t, 0, nvinfer.OptProfileSelector.kOPT));
                max = dims(engine.getProfileShape(t, 0, nvinfer.OptProfileSelector.kMAX));
            }
            out.add(new TensorSpec(t, input, type, format, shape, min, opt, max));
        }
        return out;
    }

    private static long[] dims(Dims64 d) {
        long[] v = new long[d.nbDims()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.d(i);
        }
        return v;
    }

    /** Sets the input shape for a batch of n and returns the output shape it implies. */
    @Override
    public long[] setBatch(String input, int n, int height, int width, String output) {
        inputDims.nbDims(4).d(0, n).d(1, 3).d(2, height).d(3, width);
        if (!context().setInputShape(input, inputDims)) {
            throw new IllegalStateException("TensorRT rejected input shape " + n + "x3x" + height + "x" + width
                    + " for " + name + (logger.lastError != null ? " (" + logger.lastError + ")" : ""));
        }
        return dims(context().getTensorShape(output));
    }

    /** Binds a tensor to a device address allocated by JCuda (same primary context). */
    @Override
    public void bind(String tensor, long deviceAddress) {
        if (!context().setTensorAddress(tensor, new RawPointer(deviceAddress))) {
            throw new IllegalStateException("TensorRT setTensorAddress(" + tensor + ") failed");
        }
    }

    /** Enqueues inference on a JCuda stream (its raw CUstream handle). */
    @Override
    public void enqueue(long streamHandle) {
        if (!context().enqueueV3(new CUstream_st(new RawPointer(streamHandle)))) {
            throw new IllegalStateException("TensorRT enqueueV3 failed for " + name
                    + (logger.lastError != null ? " (" + logger.lastError + ")" : ""));
        }
    }

    @Override
    public void close() {
        // Runtime, engine and context cannot be freed from Java (see the class comment); the
        // serialized bytes can go.
        serialized.close();
    }

    /** A JavaCPP pointer at a raw address owned elsewhere (JCuda), never freed by JavaCPP. */
    static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }
}
