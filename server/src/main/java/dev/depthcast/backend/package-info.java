/**
 * The batch path from frames to point clouds — preprocess → inference → unproject — behind
 * {@code DepthPipeline}, and {@code Backends}, which opens the pipeline {@code --backend} asks for
 * (a {@code BackendProvider} found at run time gets a {@code PipelineSpec}: model, preset, max
 * batch, engine, device).
 * {@code HostPipeline} runs the Java math of {@code process} around a {@code ModelRuntime}
 * (ONNX Runtime in {@code cpu}, the cost model in {@code simulated}); {@code tensorrt} and
 * {@code cuda} are the GPU pipeline. Threads: called from the inference executor's thread only
 * ({@code HostPipeline} fans a batch's frames out over the common pool).
 */
package dev.depthcast.backend;
