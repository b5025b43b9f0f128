package dev.depthcast.metrics;

import dev.depthcast.metrics.PipelineMetrics.Drop;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One client's drops by reason: every count also goes to the server-wide counter in
 * {@link PipelineMetrics}, so {@code /metrics}, {@code /api/stats} and the wire's {@code dropped}
 * read the same numbers. Counted from any thread (decoder, executor, fan-out, event loop).
 */
public final class ClientDrops {

    private final PipelineMetrics metrics;
    private final AtomicLongArray counts = new AtomicLongArray(Drop.values().length);

    public ClientDrops(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void add(Drop reason) {
        counts.incrementAndGet(reason.ordinal());
        metrics.dropped(reason, 1);
    }

    public long count(Drop reason) {
        return counts.get(reason.ordinal());
    }

    /** What the wire's {@code dropped} says: frames replaced in the mailbox + results superseded. */
    public long replacedOrSuperseded() {
        return count(Drop.MAILBOX_REPLACED) + count(Drop.RESULT_SUPERSEDED);
    }
}
