package dev.depthcast.backend.tensorrt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A fake TensorRT engine: given tensor metadata, records shapes, bindings and enqueues. */
class FakeEngine implements InferenceEngine {

    final List<TensorSpec> tensors;
    final RecordingGpu gpu;
    final Map<String, Long> bound = new HashMap<>();
    final List<Integer> batches = new ArrayList<>();
    boolean closed;

    FakeEngine(RecordingGpu gpu, List<TensorSpec> tensors) {
        this.gpu = gpu;
        this.tensors = tensors;
    }

    /** Depth Anything V2's export at a size: pixel_values [-1,3,H,W] -> predicted_depth [-1,H,W], profile 1/opt/max. */
    static List<TensorSpec> da2(String type, int h, int w, int maxBatch) {
        return List.of(
                new TensorSpec(
                        "pixel_values",
                        true,
                        type,
                        TensorSpec.LINEAR,
                        new long[] {-1, 3, h, w},
                        new long[] {1, 3, h, w},
                        new long[] {Math.max(1, maxBatch / 2), 3, h, w},
                        new long[] {maxBatch, 3, h, w}),
                new TensorSpec(
                        "predicted_depth", false, type, TensorSpec.LINEAR, new long[] {-1, h, w}, null, null, null));
    }

    @Override
    public List<TensorSpec> tensors() {
        return tensors;
    }

    @Override
    public long[] setBatch(String input, int n, int height, int width, String output) {
        batches.add(n);
        gpu.ops.add(new RecordingGpu.Op("SHAPE", null, Integer.toString(n), new Object[0]));
        long[] s = tensors.get(1).shape().clone();
        s[0] = n;
        return s;
    }

    @Override
    public void bind(String tensor, long deviceAddress) {
        bound.put(tensor, deviceAddress);
    }

    @Override
    public void enqueue(long streamHandle) {
        gpu.engineOp("enqueueV3 batch " + batches.get(batches.size() - 1), streamHandle);
    }

    @Override
    public String version() {
        return "10.15.1";
    }

    @Override
    public void close() {
        closed = true;
    }
}
