/**
 * The GPU pipeline: probe the machine once ({@code GpuProbe}), decide GPU or CPU and say why
 * ({@code BackendDecision}), open a TensorRT engine and run batches with upload of batch k+1
 * overlapping inference of batch k ({@code TensorRtPipeline}). Threads: the inference executor's
 * only; loads no native class unless the probe finds a driver.
 */
package dev.depthcast.backend.tensorrt;
