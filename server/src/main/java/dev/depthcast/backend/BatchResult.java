package dev.depthcast.backend;

import dev.depthcast.process.PointCloud;
import java.util.List;

/** Point clouds in batch order, and the batch's stage times in ms. */
public record BatchResult(List<PointCloud> clouds, double preprocessMs, double inferenceMs, double unprojectMs) {}
