package dev.depthcast.backend;

import dev.depthcast.process.PointCloud;
import java.util.List;

/**
 * Point clouds in batch order, and the batch's stage times in ms; {@code stabiliseMs} is NaN when
 * no stabiliser ran in the batch.
 */
public record BatchResult(
        List<PointCloud> clouds, double preprocessMs, double inferenceMs, double stabiliseMs, double unprojectMs) {

    /** A batch in which no stabiliser ran. */
    public BatchResult(List<PointCloud> clouds, double preprocessMs, double inferenceMs, double unprojectMs) {
        this(clouds, preprocessMs, inferenceMs, Double.NaN, unprojectMs);
    }

    public boolean stabilised() {
        return !Double.isNaN(stabiliseMs);
    }
}
