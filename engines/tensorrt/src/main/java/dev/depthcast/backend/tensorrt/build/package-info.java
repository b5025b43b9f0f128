/**
 * ONNX to TensorRT engines ({@code scripts/build-engine.sh}, and the server's first-start build):
 * {@code BuildCommand} takes the arguments, {@code BuildRequest} checks one build before TensorRT is
 * touched, {@code TrtEngineBuilder} builds, {@code EngineCache} names the engine by everything it
 * depends on; for INT8, {@code Int8Calibrator} hands TensorRT the recorded frames that
 * {@code backend.build} reads and runs through the serving preprocessor, and that package's
 * accuracy gate, the one every backend uses, decides whether the INT8 engine may replace its
 * reference. Threads: the caller's (the build command's main thread, or the server's while it
 * decides its backend at start); TensorRT calls the calibrator back during the build.
 */
package dev.depthcast.backend.tensorrt.build;
