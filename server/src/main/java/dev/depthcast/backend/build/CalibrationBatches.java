package dev.depthcast.backend.build;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.Preprocessor;
import java.util.List;

/**
 * Calibration frames as the engine's input batches: each frame through the serving
 * {@link Preprocessor} (same resize, normalisation and channel order), {@code batchSize} frames a
 * batch, NCHW float. TensorRT's calibrator takes full batches only, so a last partial batch is
 * left out ({@link #leftOut()} says how many frames).
 */
public final class CalibrationBatches {

    private final List<I420Frame> frames;
    private final Preprocessor preprocessor;
    private final int batchSize;
    private int next;

    public CalibrationBatches(List<I420Frame> frames, Preprocessor preprocessor, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        if (frames.size() < batchSize) {
            throw new IllegalArgumentException(frames.size() + " calibration frames, fewer than one batch of "
                    + batchSize + ": give more frames or a smaller --calib-batch");
        }
        this.frames = List.copyOf(frames);
        this.preprocessor = preprocessor;
        this.batchSize = batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Values in one batch: batchSize x 3 x H x W. */
    public int batchLength() {
        return preprocessor.tensorLength(batchSize);
    }

    public int batches() {
        return frames.size() / batchSize;
    }

    public int leftOut() {
        return frames.size() % batchSize;
    }

    /** Fills {@code into} with the next batch; false when all batches were given (TensorRT's end signal). */
    public boolean next(float[] into) {
        if (next >= batches()) {
            return false;
        }
        for (int b = 0; b < batchSize; b++) {
            preprocessor.write(frames.get(next * batchSize + b), into, b);
        }
        next++;
        return true;
    }
}
