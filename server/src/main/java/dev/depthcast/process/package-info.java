/**
 * The pipeline math on the host (docs/pipeline-math.md): I420 → model tensor ({@code Preprocessor}),
 * model output → metres ({@code DepthMapping}: each frame's own range, a session's
 * {@code DepthStabiliser}, or a metric model's metres), depth grid → coloured points
 * ({@code Unprojector}). Reuses buffers: one instance per thread; a stabiliser belongs to one
 * session and is used on its executor's thread.
 */
package dev.depthcast.process;
