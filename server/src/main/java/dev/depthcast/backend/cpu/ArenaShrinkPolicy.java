package dev.depthcast.backend.cpu;

/**
 * When ONNX Runtime's CPU arena should give back what a burst grew. The arena keeps every buffer it
 * ever allocated, sized for the largest batch it ran: after a burst of batch 8 at the embedded
 * model's size that is ~200 MB of native memory held for good while one client runs batch 1 (the
 * soak's "after" RSS). A run with arena shrinkage frees the arena's unused regions, but it costs
 * that run the reallocation (~18 ms instead of ~2 ms for batch 1 of the embedded model), so:
 *
 * <p>under load, at most once per {@code window}, and only if no batch in the window that just ended
 * was as large as the largest since the arena last shrank: a steady load, however large its
 * batches, never shrinks; a load that dropped shrinks once, at the end of the first whole window
 * without the larger batches (30–60 s after them with the 30 s window). And when the executor has
 * been idle for a while ({@link #grown()}, {@link #emptied()}): then nothing needs the arena at all.
 *
 * <p>Not thread-safe: the executor is the model's only caller.
 */
final class ArenaShrinkPolicy {

    private final long windowNanos;
    private long windowStart;
    private boolean started;
    /** The largest batch since the arena last shrank: what it is sized for. */
    private int grownFor;
    /** The largest batch in the current window. */
    private int windowMax;

    ArenaShrinkPolicy(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Called before each run of {@code n} images at {@code now}: true if this run should shrink the arena. */
    boolean beforeRun(int n, long now) {
        if (!started) {
            started = true;
            windowStart = now;
        }
        boolean shrink = false;
        if (now - windowStart >= windowNanos) {
            shrink = windowMax < grownFor;
            if (shrink) {
                grownFor = windowMax; // this run regrows the arena to the load it has now, at most
            }
            windowStart = now;
            windowMax = 0;
        }
        windowMax = Math.max(windowMax, n);
        grownFor = Math.max(grownFor, n);
        return shrink;
    }

    /** True if any batch ran since the arena last shrank to nothing. */
    boolean grown() {
        return grownFor > 0;
    }

    /** The arena gave back everything (an idle shrink): the next run starts a fresh window. */
    void emptied() {
        grownFor = 0;
        windowMax = 0;
        started = false;
    }
}
