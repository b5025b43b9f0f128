/**
 * ONNX Runtime as a {@code ModelRuntime}: loads the model, checks its signature against the preset,
 * runs a batch (dynamic batch in one call, else image by image). Threads: the inference
 * executor's (it checks), plus ONNX Runtime's own intra-op threads.
 */
package dev.depthcast.backend.cpu;
