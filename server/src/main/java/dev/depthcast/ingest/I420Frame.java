package dev.depthcast.ingest;

import dev.depthcast.metrics.FrameTimes;
import java.util.Objects;

/**
 * One decoded video frame, copied out of the decoder's buffer into tightly packed I420 planes
 * (Y stride = width, chroma stride = (width+1)/2), so it can outlive the WebRTC callback.
 *
 * @param timestampUs the frame's WebRTC timestamp, µs (as the receiver delivered it)
 * @param times its stage times, stamped along its walk (ingest set at the copy)
 */
public record I420Frame(
        int width, int height, byte[] y, byte[] u, byte[] v, long seq, long timestampUs, FrameTimes times) {

    public I420Frame {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("frame too small: " + width + "x" + height);
        }
        Objects.requireNonNull(y);
        Objects.requireNonNull(u);
        Objects.requireNonNull(v);
        Objects.requireNonNull(times);
        if (y.length < lumaSize(width, height)
                || u.length < chromaSize(width, height)
                || v.length < chromaSize(width, height)) {
            throw new IllegalArgumentException("plane sizes do not match " + width + "x" + height);
        }
    }

    /** A frame copied in at {@code ingestNanos} (see {@link FrameTimes#FrameTimes(long, long, double)}). */
    public I420Frame(
            int width,
            int height,
            byte[] y,
            byte[] u,
            byte[] v,
            long seq,
            long timestampUs,
            long ingestNanos,
            long ingestEpochUs,
            double ingestMs) {
        this(width, height, y, u, v, seq, timestampUs, new FrameTimes(ingestNanos, ingestEpochUs, ingestMs));
    }

    /** {@link System#nanoTime()} when the copy finished: when the frame started waiting. */
    public long ingestNanos() {
        return times.ingestNanos();
    }

    public static int chromaWidth(int width) {
        return (width + 1) / 2;
    }

    public static int chromaHeight(int height) {
        return (height + 1) / 2;
    }

    public static int lumaSize(int width, int height) {
        return width * height;
    }

    public static int chromaSize(int width, int height) {
        return chromaWidth(width) * chromaHeight(height);
    }

    public int chromaWidth() {
        return chromaWidth(width);
    }
}
