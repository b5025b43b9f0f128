/**
 * ONNX to ONNX Runtime engines for the CPU backend ({@code scripts/build-engine.sh --backend cpu}):
 * {@code CpuBuildCommand} takes the arguments; the calibration frames go through the serving
 * preprocessor into a {@code .npy} ({@code NpyWriter}) that ONNX Runtime's own quantization tool
 * reads in its private Python environment ({@code Int8Quantizer}); {@code OfflineOptimizer} writes
 * the engine with the server's ONNX Runtime; the accuracy gate of {@code backend.build} decides
 * whether an INT8 engine is installed. Threads: the command's own.
 */
package dev.depthcast.backend.cpu.build;
