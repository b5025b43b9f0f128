package dev.depthcast.backend.tensorrt;

import dev.depthcast.model.ModelSignature;
import dev.depthcast.model.Preset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks an engine's I/O tensors against the preset and the server's max batch, with messages a
 * user can act on; the result says how the pipeline binds them. Pure Java: the metadata comes
 * from {@link TrtEngine} on a GPU host and from fakes in tests.
 *
 * @param inputHalf FP16 input binding (else FP32): which preprocess kernel writes it
 * @param outputHalf FP16 depth output (else FP32): which unproject kernels read it
 * @param gridHeight depth grid height when the output shape fixes it, else -1 (known after the input shape is set)
 */
public record EngineBindings(
        String inputName,
        String outputName,
        boolean inputHalf,
        boolean outputHalf,
        int minBatch,
        int maxBatch,
        int gridHeight,
        int gridWidth) {

    public static EngineBindings check(Preset preset, String engineName, List<TensorSpec> tensors, int wantedMaxBatch) {
        List<TensorSpec> inputs = tensors.stream().filter(TensorSpec::input).toList();
        List<TensorSpec> outputs = tensors.stream().filter(t -> !t.input()).toList();
        if (inputs.size() != 1 || outputs.isEmpty()) {
            throw fail(engineName, "needs one input and a depth output, has " + tensors);
        }
        if (outputs.size() > 1) {
            // enqueueV3 fails when any I/O tensor has no address, and only the depth is bound.
            throw fail(
                    engineName,
                    "it has " + outputs.size() + " outputs ("
                            + String.join(
                                    ", ", outputs.stream().map(TensorSpec::name).toList())
                            + "); the pipeline binds exactly one, the depth: export the model with the depth output only");
        }
        TensorSpec in = inputs.get(0);
        TensorSpec out = outputs.get(0);
        for (TensorSpec t : List.of(in, out)) {
            if (!TensorSpec.HALF.equals(t.dataType()) && !TensorSpec.FLOAT.equals(t.dataType())) {
                throw fail(
                        engineName,
                        "binding '" + t.name() + "' is " + t.dataType()
                                + "; the kernels read and write FP16 or FP32 I/O (scripts/build-engine.sh builds FP16 I/O, "
                                + "also for INT8 engines)");
            }
            if (!TensorSpec.LINEAR.equals(t.format())) {
                // A vectorised layout (kHWC8, kCHW32, ...) would silently get NCHW data from the kernels.
                throw fail(
                        engineName,
                        "binding '" + t.name() + "' has layout " + t.format()
                                + "; the kernels read and write linear NCHW (kLINEAR): rebuild it with scripts/build-engine.sh "
                                + "(trtexec --inputIOFormats=fp16:chw --outputIOFormats=fp16:chw)");
            }
        }
        // Same shape rules as for an ONNX model (N x 3 x H x W in, N x [1 x] H x W out, H x W = preset).
        ModelSignature.check(preset, engineName, in.shape(), out.shape());

        int minBatch = 1;
        int maxBatch = 1;
        if (in.shape()[0] < 0) {
            if (in.min() == null || in.max() == null || in.min().length != 4 || in.max().length != 4) {
                throw fail(engineName, "dynamic input '" + in.name() + "' without an optimization profile");
            }
            minBatch = (int) in.min()[0];
            maxBatch = (int) in.max()[0];
            for (int d = 2; d < 4; d++) {
                long want = d == 2 ? preset.inputHeight() : preset.inputWidth();
                if (in.shape()[d] < 0 && (in.min()[d] > want || in.max()[d] < want)) {
                    throw fail(
                            engineName,
                            String.format(
                                    Locale.ROOT,
                                    "its profile allows input %s..%s, not %dx%d (HxW) of preset '%s': rebuild it with "
                                            + "scripts/build-engine.sh --preset %s",
                                    Arrays.toString(in.min()),
                                    Arrays.toString(in.max()),
                                    preset.inputHeight(),
                                    preset.inputWidth(),
                                    preset.name(),
                                    preset.name()));
                }
            }
        }
        if (minBatch > 1) {
            throw fail(
                    engineName,
                    "its profile starts at batch " + minBatch + "; a batch may hold a single "
                            + "frame: rebuild with min batch 1");
        }
        if (maxBatch < wantedMaxBatch) {
            throw fail(
                    engineName,
                    "it takes batches up to " + maxBatch + ", the server is set to --max-batch "
                            + wantedMaxBatch + ": rebuild it with scripts/build-engine.sh --max-batch " + wantedMaxBatch
                            + " or lower --max-batch");
        }
        long[] os = out.shape();
        int gh = (int) os[os.length - 2];
        int gw = (int) os[os.length - 1];
        if (gh < 0 || gw < 0) {
            gh = -1;
            gw = -1;
        }
        return new EngineBindings(in.name(), out.name(), in.half(), out.half(), minBatch, maxBatch, gh, gw);
    }

    private static IllegalArgumentException fail(String engine, String why) {
        return new IllegalArgumentException("TensorRT engine " + engine + " does not fit: " + why);
    }
}
