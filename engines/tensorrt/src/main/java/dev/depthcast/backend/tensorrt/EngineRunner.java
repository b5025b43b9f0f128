package dev.depthcast.backend.tensorrt;

import dev.depthcast.model.Preset;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.HalfIndexer;

/**
 * Runs a serialized engine on preprocessed NCHW batches and returns its raw depth (no kernels, no
 * unprojection): what the INT8 accuracy gate compares against the reference. Never executed,
 * because no machine this project ran on had TensorRT: compiled; the comparison it feeds
 * ({@code DepthAgreement}) is tested.
 */
public final class EngineRunner implements AutoCloseable {

    private final TrtEngine trt;
    private final EngineBindings bindings;
    private final Preset preset;
    private final int gridPixels;
    private final Pointer input = new Pointer();
    private final Pointer output = new Pointer();
    private final CUstream_st stream = new CUstream_st();
    private final int maxBatch;

    public EngineRunner(byte[] engine, String name, Preset preset, int maxBatch) {
        this.trt = new TrtEngine(engine, name);
        this.bindings = EngineBindings.check(preset, name, trt.tensors(), maxBatch);
        this.preset = preset;
        this.maxBatch = maxBatch;
        long[] out = trt.setBatch(
                bindings.inputName(), maxBatch, preset.inputHeight(), preset.inputWidth(), bindings.outputName());
        this.gridPixels = (int) (out[out.length - 1] * out[out.length - 2]);
        check(
                cudart.cudaMalloc(input, (long) maxBatch * 3 * preset.inputPixels() * (bindings.inputHalf() ? 2 : 4)),
                "cudaMalloc");
        check(cudart.cudaMalloc(output, (long) maxBatch * gridPixels * (bindings.outputHalf() ? 2 : 4)), "cudaMalloc");
        check(cudart.cudaStreamCreate(stream), "cudaStreamCreate");
        trt.bind(bindings.inputName(), input.address());
        trt.bind(bindings.outputName(), output.address());
    }

    /** Depth grids of {@code n} frames, back to back, as floats. */
    public float[] depth(float[] nchw, int n) {
        if (n < 1 || n > maxBatch || nchw.length != n * 3 * preset.inputPixels()) {
            throw new IllegalArgumentException("batch of " + n + " with " + nchw.length + " values");
        }
        if (bindings.inputHalf()) {
            try (ShortPointer h = new ShortPointer(nchw.length)) {
                HalfIndexer idx = HalfIndexer.create(h);
                for (int i = 0; i < nchw.length; i++) {
                    idx.put(i, nchw[i]);
                }
                check(cudart.cudaMemcpy(input, h, 2L * nchw.length, cudart.cudaMemcpyHostToDevice), "cudaMemcpy");
            }
        } else {
            try (FloatPointer f = new FloatPointer(nchw)) {
                check(cudart.cudaMemcpy(input, f, 4L * nchw.length, cudart.cudaMemcpyHostToDevice), "cudaMemcpy");
            }
        }
        trt.setBatch(bindings.inputName(), n, preset.inputHeight(), preset.inputWidth(), bindings.outputName());
        trt.enqueue(stream.address());
        check(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        float[] depth = new float[n * gridPixels];
        if (bindings.outputHalf()) {
            try (ShortPointer h = new ShortPointer(depth.length)) {
                check(cudart.cudaMemcpy(h, output, 2L * depth.length, cudart.cudaMemcpyDeviceToHost), "cudaMemcpy");
                HalfIndexer idx = HalfIndexer.create(h);
                for (int i = 0; i < depth.length; i++) {
                    depth[i] = idx.get(i);
                }
            }
        } else {
            try (FloatPointer f = new FloatPointer(depth.length)) {
                check(cudart.cudaMemcpy(f, output, 4L * depth.length, cudart.cudaMemcpyDeviceToHost), "cudaMemcpy");
                f.get(depth);
            }
        }
        return depth;
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed (" + rc + ")");
        }
    }

    @Override
    public void close() {
        cudart.cudaStreamDestroy(stream);
        cudart.cudaFree(input);
        cudart.cudaFree(output);
        trt.close();
    }
}
