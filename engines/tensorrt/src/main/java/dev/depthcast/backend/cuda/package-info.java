/**
 * The CUDA side of the GPU pipeline: JCuda driver calls ({@code CudaDriver}, the only class that
 * loads JCuda), the kernel image, buffer plans, slot tables and launch geometry for the kernels in
 * {@code kernels/}. Threads: the inference executor's only; the device works on its own streams.
 */
package dev.depthcast.backend.cuda;
