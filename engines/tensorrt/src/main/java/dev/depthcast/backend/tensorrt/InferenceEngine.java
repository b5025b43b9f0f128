package dev.depthcast.backend.tensorrt;

import java.util.List;

/**
 * What the CUDA pipeline needs from TensorRT: implemented by {@link TrtEngine} (JavaCPP) on a GPU
 * host and by a fake in the tests.
 */
interface InferenceEngine extends AutoCloseable {

    /** I/O tensors with optimization profile 0 (for {@link EngineBindings}). */
    List<TensorSpec> tensors();

    /** Sets the input shape n x 3 x height x width; returns the output shape it implies. */
    long[] setBatch(String input, int n, int height, int width, String output);

    /** Binds a tensor to a raw device address (allocated by JCuda in the same primary context). */
    void bind(String tensor, long deviceAddress);

    /** Enqueues inference on a raw CUstream handle. */
    void enqueue(long streamHandle);

    /** TensorRT version, e.g. 10.15.1. */
    String version();

    @Override
    void close();
}
