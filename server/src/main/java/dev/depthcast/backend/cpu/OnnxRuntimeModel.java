package dev.depthcast.backend.cpu;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.model.ModelSignature;
import dev.depthcast.model.Preset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime on the CPU. A model with a dynamic batch dimension runs the whole batch in one call;
 * one exported with batch 1 runs the batch image by image (same results, no batching gain — on a
 * CPU batching gains little anyway).
 */
public final class OnnxRuntimeModel implements ModelRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeModel.class);

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final ModelSignature signature;
    private final Preset preset;
    private final String engine;
    private final OrtSession.RunOptions shrinkRun;
    /** Whether a batch ran since the arena last gave its memory back. */
    private boolean arenaGrown;

    private long arenaShrinks;
    private FloatBuffer staging = FloatBuffer.allocate(0);
    private float[] output = new float[0];

    /**
     * @param model ONNX bytes (the embedded default, or a file read by the caller)
     * @param threads intra-op threads (the machine's cores; the executor is the only caller)
     */
    public OnnxRuntimeModel(byte[] model, String modelName, Preset preset, int threads) throws OrtException {
        this(model, modelName, preset, threads, "fp32, the model as given");
    }

    /**
     * @param model ONNX bytes: a model, or an engine that build-engine.sh --backend cpu wrote from it
     * @param engine what {@link #engine()} says it is, e.g. {@code int8 (static-qdq) engine FILE}
     */
    public OnnxRuntimeModel(byte[] model, String modelName, Preset preset, int threads, String engine)
            throws OrtException {
        this.engine = engine;
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        // ONNX Runtime's pool threads spin between parallel sections by default; on a small host
        // shared with WebRTC, encoding and (in tests) a browser that burns a core for nothing.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        this.session = env.createSession(model, options);
        this.preset = preset;
        if (session.getNumInputs() != 1 || session.getNumOutputs() < 1) {
            session.close();
            throw new IllegalArgumentException("model " + modelName + " must have one input and a depth output, has "
                    + session.getNumInputs() + " inputs and " + session.getNumOutputs() + " outputs");
        }
        Map.Entry<String, NodeInfo> in =
                session.getInputInfo().entrySet().iterator().next();
        NodeInfo out = session.getOutputInfo().values().iterator().next();
        if (!(in.getValue().getInfo() instanceof TensorInfo inInfo) || !(out.getInfo() instanceof TensorInfo outInfo)) {
            session.close();
            throw new IllegalArgumentException("model " + modelName + ": input and output must be tensors");
        }
        try {
            this.signature = ModelSignature.check(preset, modelName, inInfo.getShape(), outInfo.getShape());
        } catch (IllegalArgumentException e) {
            session.close();
            throw e;
        }
        this.inputName = in.getKey();
        this.shrinkRun = new OrtSession.RunOptions();
        shrinkRun.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        LOG.info(startupLine(modelName, preset, inInfo.getShape(), signature));
    }

    /**
     * What a user needs to know about how the model will run: the size it runs at (and, for free
     * sides, how to change it) and whether a batch runs in one call or image by image.
     */
    public static String startupLine(String modelName, Preset preset, long[] shape, ModelSignature signature) {
        boolean freeSides = shape.length == 4 && (shape[2] < 0 || shape[3] < 0);
        String size = String.format(
                Locale.ROOT,
                "input %dx%d (HxW, preset %s)%s",
                preset.inputHeight(),
                preset.inputWidth(),
                preset.name(),
                freeSides
                        ? String.format(
                                Locale.ROOT,
                                ", dynamic sides: --input-size HxW changes it (multiples of %d)",
                                preset.multipleOf())
                        : ", fixed by the model");
        String batch = signature.dynamicBatch()
                ? "dynamic batch: a batch runs in one call"
                : "fixed batch 1: a batch of n runs image by image (n calls)";
        return "model " + modelName + ": " + size + "; " + batch;
    }

    @Override
    public String backendName() {
        return "cpu-onnxruntime";
    }

    @Override
    public String engine() {
        return engine;
    }

    public ModelSignature signature() {
        return signature;
    }

    @Override
    public DepthMaps infer(float[] input, int n) throws OrtException {
        arenaGrown = true;
        return run(input, n, false);
    }

    /**
     * ONNX Runtime's CPU arena keeps every buffer it allocated, sized for the largest batch it ran
     * (a burst of batch 8 of the embedded model: ~200 MB), and shrinks only at the end of a run
     * asked to. So an idle release is one run of a blank image (batch 1) that shrinks it. Only when
     * idle: shrinking under load would make the next batches allocate afresh (measured in a 32-min
     * soak that also shrank it whenever a smaller load had lasted 30 s, the peak RSS was 544 MB, not
     * 462, and the end no lower).
     */
    @Override
    public void releaseIdleMemory() throws OrtException {
        if (!arenaGrown) {
            return;
        }
        long t0 = System.nanoTime();
        run(new float[3 * preset.inputPixels()], 1, true);
        arenaGrown = false;
        arenaShrinks++;
        LOG.info(
                "idle: ONNX Runtime's CPU arena gave its memory back "
                        + "(a blank run of {} ms; the next batch allocates afresh)",
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** How many idle releases shrank ONNX Runtime's CPU arena. */
    public long arenaShrinks() {
        return arenaShrinks;
    }

    /** Runs the batch; with {@code shrinkArena} its last call gives back the arena's unused regions. */
    private DepthMaps run(float[] input, int n, boolean shrinkArena) throws OrtException {
        int perImage = 3 * preset.inputPixels();
        if (signature.dynamicBatch()) {
            return runChunk(input, 0, n, n, 0, shrinkArena);
        }
        DepthMaps first = null;
        for (int b = 0; b < n; b++) {
            first = runChunk(input, b * perImage, 1, n, b, shrinkArena && b == n - 1);
        }
        return new DepthMaps(output, n, first.height(), first.width());
    }

    /** Runs {@code count} images starting at {@code from}; writes their maps at slot {@code slot}. */
    private DepthMaps runChunk(float[] input, int from, int count, int total, int slot, boolean shrink)
            throws OrtException {
        int length = count * 3 * preset.inputPixels();
        if (staging.capacity() < length) {
            staging = ByteBuffer.allocateDirect(length * Float.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        staging.clear();
        staging.put(input, from, length).flip();
        long[] shape = {count, 3, preset.inputHeight(), preset.inputWidth()};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, staging, shape);
                OrtSession.Result result = shrink
                        ? session.run(Map.of(inputName, tensor), shrinkRun)
                        : session.run(Map.of(inputName, tensor))) {
            OnnxTensor depth = (OnnxTensor) result.get(0);
            long[] dims = depth.getInfo().getShape();
            int h = (int) dims[dims.length - 2];
            int w = (int) dims[dims.length - 1];
            int mapSize = h * w;
            if (output.length < total * mapSize) {
                output = new float[total * mapSize];
            }
            depth.getFloatBuffer().get(output, slot * mapSize, count * mapSize);
            return new DepthMaps(output, total, h, w);
        }
    }

    @Override
    public void close() {
        try {
            shrinkRun.close();
            session.close();
        } catch (OrtException e) {
            // closing at shutdown: nothing left to do with the error
        }
    }
}
