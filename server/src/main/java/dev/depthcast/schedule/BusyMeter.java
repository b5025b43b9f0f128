package dev.depthcast.schedule;

/**
 * What fraction of the recent past a device spent running batches: busy intervals go into a ring
 * of {@value #BUCKETS} buckets of {@value #BUCKET_MS} ms, and {@link #fraction} divides the busy time
 * in the last {@link #WINDOW_NANOS} by that window. Overlapping intervals (a GPU pipeline keeps one
 * batch in flight while the next is queued) count once. Clock-free: callers pass {@code System.nanoTime()}
 * or a fake clock. Written by the executor thread, read at admission: synchronized, a few adds a call.
 */
public final class BusyMeter {

    static final int BUCKETS = 8;
    /** One more slot than the window has buckets: a window not aligned to buckets touches 9. */
    private static final int SLOTS = BUCKETS + 1;

    static final int BUCKET_MS = 250;
    static final long BUCKET_NANOS = BUCKET_MS * 1_000_000L;
    /** The window {@link #fraction} looks back over: 2 s, ~60 frames of a 30 fps camera. */
    public static final long WINDOW_NANOS = BUCKETS * BUCKET_NANOS;

    private final long[] bucketIndex = new long[SLOTS];
    private final long[] busyNanos = new long[SLOTS];
    private long lastEnd = Long.MIN_VALUE;

    public BusyMeter() {
        java.util.Arrays.fill(bucketIndex, Long.MIN_VALUE);
    }

    /** The device was busy from {@code startNanos} to {@code endNanos}; the part already counted is skipped. */
    public synchronized void busy(long startNanos, long endNanos) {
        long from = Math.max(startNanos, lastEnd);
        if (endNanos <= from) {
            return;
        }
        lastEnd = endNanos;
        long t = from;
        while (t < endNanos) {
            long index = Math.floorDiv(t, BUCKET_NANOS);
            long bucketEnd = (index + 1) * BUCKET_NANOS;
            long until = Math.min(endNanos, bucketEnd);
            int slot = (int) Math.floorMod(index, SLOTS);
            if (bucketIndex[slot] != index) {
                bucketIndex[slot] = index;
                busyNanos[slot] = 0;
            }
            busyNanos[slot] += until - t;
            t = until;
        }
    }

    /** Busy fraction, 0..1, over the window ending at {@code nowNanos}. */
    public synchronized double fraction(long nowNanos) {
        long current = Math.floorDiv(nowNanos, BUCKET_NANOS);
        long windowStart = nowNanos - WINDOW_NANOS;
        long oldest = Math.floorDiv(windowStart, BUCKET_NANOS);
        long sum = 0;
        for (int s = 0; s < SLOTS; s++) {
            long index = bucketIndex[s];
            if (index == Long.MIN_VALUE || index > current || index < oldest) {
                continue;
            }
            long bucketStart = index * BUCKET_NANOS;
            if (bucketStart < windowStart) {
                // The oldest bucket lies partly outside the window: count its share, assuming
                // busy time spread evenly across it.
                double inside = (double) (bucketStart + BUCKET_NANOS - windowStart) / BUCKET_NANOS;
                sum += (long) (busyNanos[s] * inside);
            } else {
                sum += busyNanos[s];
            }
        }
        return Math.min(1.0, (double) sum / WINDOW_NANOS);
    }
}
