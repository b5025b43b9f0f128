package dev.depthcast.backend;

import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthMapping;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.Preprocessor;
import dev.depthcast.process.Unprojector;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Java preprocessing and unprojection around a {@link ModelRuntime} on the host. The frames of a
 * batch are pre- and post-processed in parallel (one Preprocessor and Unprojector per batch slot,
 * as they reuse buffers): with a GPU-like model the host work, not the model, bounds a batch.
 */
public final class HostPipeline implements DepthPipeline {

    private final Preset preset;
    private final Preprocessor[] preprocessors;
    private final Unprojector[] unprojectors;
    private final ModelRuntime runtime;
    private final int maxBatch;
    private final float[] input;

    public HostPipeline(Preset preset, ModelRuntime runtime, int maxBatch) {
        this.preset = preset;
        this.runtime = runtime;
        this.maxBatch = maxBatch;
        this.preprocessors = new Preprocessor[maxBatch];
        this.unprojectors = new Unprojector[maxBatch];
        for (int b = 0; b < maxBatch; b++) {
            preprocessors[b] = new Preprocessor(preset);
            unprojectors[b] = new Unprojector();
        }
        this.input = new float[preprocessors[0].tensorLength(maxBatch)];
    }

    @Override
    public String backendName() {
        return runtime.backendName();
    }

    @Override
    public String engine() {
        return runtime.engine();
    }

    @Override
    public Preset preset() {
        return preset;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public BatchResult run(List<BatchItem> items) throws Exception {
        int n = items.size();
        if (n == 0 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " (max " + maxBatch + ")");
        }
        long t0 = System.nanoTime();
        slots(n).forEach(b -> preprocessors[b].write(items.get(b).frame(), input, b));
        long t1 = System.nanoTime();
        ModelRuntime.DepthMaps maps = runtime.infer(input, n);
        long t2 = System.nanoTime();
        // Each session's stabiliser, slots in parallel: a session has one frame in a batch, so each
        // stabiliser is used by one thread at a time, and the stream's join publishes its state to the next batch.
        DepthMapping[] mappings = new DepthMapping[n];
        boolean stabilised =
                preset.output() != DepthOutput.METRIC && items.stream().anyMatch(it -> it.stabiliser() != null);
        slots(n).forEach(b -> mappings[b] = mapping(items.get(b), maps, b));
        long t3 = System.nanoTime();
        PointCloud[] clouds = new PointCloud[n];
        slots(n).forEach(b -> clouds[b] = unprojectors[b].unproject(
                maps.data(),
                maps.offset(b),
                maps.width(),
                maps.height(),
                items.get(b).frame(),
                items.get(b).params(),
                mappings[b] != null
                        ? mappings[b]
                        : Unprojector.DepthRange.of(
                                maps.data(),
                                maps.offset(b),
                                maps.width() * maps.height(),
                                items.get(b).params())));
        long t4 = System.nanoTime();
        return new BatchResult(
                Arrays.asList(clouds),
                ms(t1 - t0),
                ms(t2 - t1),
                stabilised ? ms(t3 - t2) : Double.NaN,
                stabilised ? ms(t4 - t3) : ms(t4 - t2));
    }

    /** Slot b's mapping: metric, its session's stabiliser, or null (its own extent, found in the unprojection). */
    private DepthMapping mapping(BatchItem item, ModelRuntime.DepthMaps maps, int b) {
        if (preset.output() == DepthOutput.METRIC) {
            return DepthMapping.METRIC;
        }
        if (item.stabiliser() == null) {
            return null;
        }
        return item.stabiliser()
                .update(
                        maps.data(),
                        maps.offset(b),
                        maps.width(),
                        maps.height(),
                        item.params().near(),
                        item.params().far());
    }

    /** Batch slots, in parallel when there is more than one (common pool + the calling thread). */
    private static IntStream slots(int n) {
        IntStream s = IntStream.range(0, n);
        return n > 1 ? s.parallel() : s;
    }

    @Override
    public void releaseIdleMemory() throws Exception {
        runtime.releaseIdleMemory();
    }

    @Override
    public void close() {
        runtime.close();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
