package dev.depthcast.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One slot per client: the newest frame replaces an unprocessed older one, which is reported as
 * dropped. Never a queue: a queue hands the model stale frames whenever it runs slower than the
 * camera, and the picture falls ever further behind (slow motion).
 *
 * <p>Lock-free: {@link #offer} runs on the client's WebRTC decoder thread and must return at once;
 * {@link #take} and {@link #peek} run on the inference executor.
 */
public final class LatestFrameMailbox {

    private final AtomicReference<I420Frame> slot = new AtomicReference<>();
    private final AtomicLong offered = new AtomicLong();
    private volatile long readySince;
    private volatile long lastOfferNanos;
    private final Runnable onFrame;
    private final Runnable onDrop;
    private final Consumer<I420Frame> tap;

    /**
     * @param onFrame called after every offer (wakes the executor); must not block
     * @param onDrop called when an offer replaces an unprocessed frame (the client's drop count); must not block
     * @param tap sees every offered frame first (the calibration recorder); must not block
     */
    public LatestFrameMailbox(Runnable onFrame, Runnable onDrop, Consumer<I420Frame> tap) {
        this.onFrame = onFrame;
        this.onDrop = onDrop;
        this.tap = tap;
    }

    /** A mailbox whose drops are not counted and whose frames are not tapped. */
    public LatestFrameMailbox(Runnable onFrame) {
        this(onFrame, () -> {}, frame -> {});
    }

    public void offer(I420Frame frame) {
        tap.accept(frame);
        offered.incrementAndGet();
        lastOfferNanos = frame.ingestNanos();
        while (true) {
            I420Frame waiting = slot.get();
            if (waiting == null) {
                // Ready-since goes first: whoever sees this frame in the slot sees its time too.
                readySince = frame.ingestNanos();
                if (slot.compareAndSet(null, frame)) {
                    break;
                }
            } else if (slot.compareAndSet(waiting, frame)) {
                onDrop.run();
                break;
            }
            // The executor took the waiting frame (or another offer won) in between: look again.
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

    /**
     * When the slot last went from empty to full: a replaced frame keeps its place in line, so a
     * client that sends fast does not lose its turn (oldest-ready-first fairness).
     */
    public long readySinceNanos() {
        return readySince;
    }

    /** Ingest time of the newest frame offered, 0 if none yet. */
    public long lastOfferNanos() {
        return lastOfferNanos;
    }

    public long offered() {
        return offered.get();
    }
}
