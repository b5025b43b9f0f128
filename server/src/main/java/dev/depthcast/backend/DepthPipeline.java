package dev.depthcast.backend;

import dev.depthcast.model.Preset;
import java.util.List;

/**
 * The batch path from frames to point clouds: preprocess → inference → unproject, each stage
 * timed. One implementation per place the work runs: {@code HostPipeline} (Java pre/post around a
 * {@link ModelRuntime} — ONNX Runtime or the simulated cost model) and the CUDA pipeline (JCuda
 * kernels around TensorRT). Every implementation gives the same wire output.
 *
 * <p>Called from the single inference executor thread only.
 */
public interface DepthPipeline extends AutoCloseable {

    /** Wire name of the backend: {@code cpu-onnxruntime}, {@code tensorrt}, {@code simulated}. */
    String backendName();

    /** Which engine and precision it runs, for {@code /api/stats} and the page's HUD. */
    default String engine() {
        return "the model as given";
    }

    Preset preset();

    /** Largest batch this pipeline accepts (buffers and engine profiles are sized for it). */
    int maxBatch();

    /**
     * Runs one batch. Throws if the model fails; the caller reports the failure to the batch's
     * clients and goes on with the next batch.
     */
    BatchResult run(List<BatchItem> items) throws Exception;

    /** A batch that was started and whose clouds are collected later, in start order. */
    interface InFlight {
        BatchResult finish() throws Exception;
    }

    /**
     * Starts a batch. By default it runs to completion here; a pipeline on an asynchronous device
     * returns as soon as the work is queued, so the executor can queue the next batch (its upload
     * overlapping this one's inference) before collecting this one.
     */
    default InFlight start(List<BatchItem> items) throws Exception {
        BatchResult result = run(items);
        return () -> result;
    }

    /** True when {@link #start} returns before the work is done; the executor then keeps one batch in flight. */
    default boolean overlapsBatches() {
        return false;
    }

    /**
     * The executor has had no batch for {@code InferenceExecutor.DEFAULT_IDLE_RELEASE}: give back memory
     * that past batches grew and that nothing needs now. By default there is none (the CUDA
     * pipeline's buffers are sized once, for its max batch).
     */
    default void releaseIdleMemory() throws Exception {}

    @Override
    void close();
}
