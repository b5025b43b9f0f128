package dev.depthcast.delivery;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Latest-wins hand-over to a writer that can take one value at a time: at most one value in
 * flight, and while one is (or the writer is full) only the newest unsent value is kept — a
 * slow writer gets fresh values at a lower rate, never a growing queue.
 *
 * <p>{@link #offer} may be called from any thread; the rest from the writer's one thread (a socket's
 * event loop), which is what makes the in-flight flag safe without a lock.
 */
final class LatestWins<T> {

    private final AtomicReference<T> newest = new AtomicReference<>();
    private boolean inFlight;

    /** Keeps {@code value} as the newest; true when it replaced one that was never sent (superseded). */
    boolean offer(T value) {
        return newest.getAndSet(value) != null;
    }

    /**
     * The value to write now, marked in flight; null when one is still in flight, the writer
     * cannot take more, or nothing waits.
     */
    T next(boolean writerHasRoom) {
        if (inFlight || !writerHasRoom) {
            return null;
        }
        T value = newest.getAndSet(null);
        inFlight = value != null;
        return value;
    }

    /**
     * The value in flight is done with — written, failed, or its writer replaced by a new one —
     * so the next may go; the newest unsent value stays.
     */
    void release() {
        inFlight = false;
    }

    boolean inFlight() {
        return inFlight;
    }

    /** True when a value waits to be written. */
    boolean waiting() {
        return newest.get() != null;
    }
}
