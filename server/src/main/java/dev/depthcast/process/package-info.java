/**
 * The pipeline math on the host (docs/pipeline-math.md): I420 → model tensor ({@code Preprocessor}),
 * depth grid → coloured points ({@code Unprojector}). Reuses buffers: one instance per thread.
 */
package dev.depthcast.process;
