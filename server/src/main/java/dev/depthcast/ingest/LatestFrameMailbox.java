package dev.depthcast.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One slot per client: the newest frame replaces an unprocessed older one, which is counted as
 * dropped. Never a queue — the seed system's "slow motion" came from queueing stale frames.
 *
 * <p>Lock-free: {@link #offer} runs on a WebRTC decoder thread and must return at once;
 * {@link #take} runs on the inference executor.
 */
public final class LatestFrameMailbox {

    private final AtomicReference<I420Frame> slot = new AtomicReference<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private final Runnable onFrame;

    /** @param onFrame called after every offer (wakes the executor); must not block */
    public LatestFrameMailbox(Runnable onFrame) {
        this.onFrame = onFrame;
    }

    public void offer(I420Frame frame) {
        offered.incrementAndGet();
        if (slot.getAndSet(frame) != null) {
            dropped.incrementAndGet();
        }
        onFrame.run();
    }

    /** The newest frame, or null; empties the slot. */
    public I420Frame take() {
        return slot.getAndSet(null);
    }

    /** The waiting frame without taking it, or null. */
    public I420Frame peek() {
        return slot.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long offered() {
        return offered.get();
    }
}
