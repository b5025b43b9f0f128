package dev.depthcast.testing;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Simulated nanoseconds: time passes only when something advances it (a {@link FakePipeline}'s
 * batch, a test driver's wait). Whoever must see time pass (cameras offering the frames due by
 * then) listens with {@link #onAdvance}. One thread.
 */
public final class FakeClock implements LongSupplier {

    private long now;
    private LongConsumer onAdvance = t -> {};

    @Override
    public long getAsLong() {
        return now;
    }

    public long now() {
        return now;
    }

    /** Moves time forward to {@code nanos} (never back), then tells the listener the time it is. */
    public void advanceTo(long nanos) {
        if (nanos > now) {
            now = nanos;
        }
        onAdvance.accept(now);
    }

    /** Called with the new time after every {@link #advanceTo}. */
    public FakeClock onAdvance(LongConsumer listener) {
        this.onAdvance = listener;
        return this;
    }
}
