package dev.depthcast.backend.tensorrt.build;

import dev.depthcast.backend.build.CalibrationBatches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.bytedeco.tensorrt.nvinfer.IInt8EntropyCalibrator2;

/**
 * TensorRT's entropy calibrator (its methods are virtual in the bytedeco preset, so TensorRT calls
 * back into Java): hands {@link CalibrationBatches} to the GPU one batch at a time, converted to
 * the network input's type (FP16: the engine's input binding), and reads and writes the
 * calibration cache so a rebuild skips calibration. Never executed, because no machine this
 * project ran on had TensorRT: compiled only; the batching it delegates to is tested.
 */
public final class Int8Calibrator extends IInt8EntropyCalibrator2 {

    private final CalibrationBatches batches;
    private final Path cacheFile;
    private final float[] host;
    private final ShortPointer half;
    private final Pointer device = new Pointer();
    private BytePointer cache;

    /**
     * @param batches the frames to calibrate on, or null when only the cache is to be read (then
     *     TensorRT must find a cache, or it gets no batch and fails the build)
     */
    public Int8Calibrator(CalibrationBatches batches, Path cacheFile) {
        this.batches = batches;
        this.cacheFile = cacheFile;
        this.host = new float[batches == null ? 1 : batches.batchLength()];
        this.half = new ShortPointer(host.length);
        int rc = cudart.cudaMalloc(device, 2L * host.length);
        if (rc != 0) {
            throw new IllegalStateException("cudaMalloc for calibration batches failed (" + rc + ")");
        }
    }

    @Override
    public int getBatchSize() {
        return batches == null ? 1 : batches.batchSize();
    }

    @Override
    public boolean getBatch(PointerPointer bindings, PointerPointer names, int nbBindings) {
        if (batches == null || !batches.next(host)) {
            return false;
        }
        HalfIndexer idx = HalfIndexer.create(half);
        for (int i = 0; i < host.length; i++) {
            idx.put(i, host[i]);
        }
        int rc = cudart.cudaMemcpy(device, half, 2L * host.length, cudart.cudaMemcpyHostToDevice);
        if (rc != 0) {
            throw new IllegalStateException("cudaMemcpy of a calibration batch failed (" + rc + ")");
        }
        bindings.put(0, device);
        return true;
    }

    @Override
    public Pointer readCalibrationCache(LongPointer length) {
        if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
            length.put(0);
            return null;
        }
        try {
            byte[] b = Files.readAllBytes(cacheFile);
            cache = new BytePointer(b);
            length.put(b.length);
            return cache;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeCalibrationCache(Pointer ptr, long length) {
        if (cacheFile == null) {
            return;
        }
        byte[] b = new byte[Math.toIntExact(length)];
        new BytePointer(ptr).capacity(length).get(b);
        try {
            Files.write(cacheFile, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        cudart.cudaFree(device);
        half.close();
        super.close();
    }
}
