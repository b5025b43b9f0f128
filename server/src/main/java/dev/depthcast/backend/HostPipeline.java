package dev.depthcast.backend;

import dev.depthcast.model.Preset;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.Preprocessor;
import dev.depthcast.process.Unprojector;

import java.util.ArrayList;
import java.util.List;

/** Java preprocessing and unprojection around a {@link ModelRuntime} on the host. */
public final class HostPipeline implements DepthPipeline {

    private final Preprocessor preprocessor;
    private final Unprojector unprojector = new Unprojector();
    private final ModelRuntime runtime;
    private final int maxBatch;
    private float[] input = new float[0];

    public HostPipeline(Preset preset, ModelRuntime runtime, int maxBatch) {
        this.preprocessor = new Preprocessor(preset);
        this.runtime = runtime;
        this.maxBatch = maxBatch;
    }

    @Override
    public String backendName() {
        return runtime.backendName();
    }

    @Override
    public Preset preset() {
        return preprocessor.preset();
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
        int length = preprocessor.tensorLength(n);
        if (input.length < length) {
            input = new float[preprocessor.tensorLength(maxBatch)];
        }
        for (int b = 0; b < n; b++) {
            preprocessor.write(items.get(b).frame(), input, b);
        }
        long t1 = System.nanoTime();
        ModelRuntime.DepthMaps maps = runtime.infer(input, n);
        long t2 = System.nanoTime();
        List<PointCloud> clouds = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            BatchItem item = items.get(b);
            clouds.add(unprojector.unproject(maps.data(), maps.offset(b), maps.width(), maps.height(),
                    item.frame(), item.params()));
        }
        long t3 = System.nanoTime();
        return new BatchResult(clouds, ms(t1 - t0), ms(t2 - t1), ms(t3 - t2));
    }

    @Override
    public void close() {
        runtime.close();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
