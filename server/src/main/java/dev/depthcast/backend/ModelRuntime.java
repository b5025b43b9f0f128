package dev.depthcast.backend;

/**
 * A swappable model runtime for the host pipeline: NCHW float in, depth grids out. Pre- and
 * post-processing are not its business (they live in {@code process}, beside it).
 */
public interface ModelRuntime extends AutoCloseable {

    /** Wire name of the backend this runtime makes (e.g. {@code cpu-onnxruntime}). */
    String backendName();

    /** Which engine and precision it runs, for the log, {@code /api/stats} and the page's HUD. */
    default String engine() {
        return "the model as given";
    }

    /**
     * @param input NCHW float, {@code n * 3 * H * W} values at the preset's input size
     * @param n batch size
     */
    DepthMaps infer(float[] input, int n) throws Exception;

    /**
     * No batch has run for a while: give back memory held for past batches (the next batch may be
     * slower for it). Called on the executor's thread, like {@link #infer}.
     */
    default void releaseIdleMemory() throws Exception {}

    @Override
    void close();

    /** {@code n} depth grids of {@code height x width}, back to back in {@code data}. */
    record DepthMaps(float[] data, int n, int height, int width) {
        public int offset(int b) {
            return b * height * width;
        }
    }
}
