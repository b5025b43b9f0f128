/**
 * What building an engine means on every backend, before any backend's builder runs: the
 * calibration frames (recorded clips and images, through the serving preprocessor) and the frames
 * held out from them, the model's identity (SHA-256, Q/DQ nodes), and the accuracy gate that
 * compares a quantized engine's depth with the unquantized model's before it is installed. The
 * TensorRT builder ({@code engines/tensorrt}) and the ONNX Runtime one ({@code backend.cpu.build})
 * both use these, so an INT8 engine passes the same test on either.
 */
package dev.depthcast.backend.build;
