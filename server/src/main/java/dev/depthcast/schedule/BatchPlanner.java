package dev.depthcast.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The batching decision, pure and clock-free so it can be tested on a fake clock:
 * given who has a frame ready (and since when) and how many clients are streaming, run a batch
 * now or wait until a deadline.
 *
 * <ul>
 *   <li>Full batch — as many ready frames as streaming clients, or {@code maxBatch} — runs at once.</li>
 *   <li>Otherwise the oldest ready frame waits at most {@code maxWait}, then whatever is ready runs.</li>
 *   <li>More ready than {@code maxBatch}: oldest-ready first, so a fast sender cannot starve a slow one.</li>
 * </ul>
 */
final class BatchPlanner {

    private final int maxBatch;
    private final long maxWaitNanos;

    public BatchPlanner(SchedulingPolicy policy) {
        this.maxBatch = policy.maxBatch();
        this.maxWaitNanos = policy.maxWait().toNanos();
    }

    /** A client with a frame waiting since {@code readySinceNanos}. */
    public record Ready<T>(T client, long readySinceNanos) {
    }

    /** Run {@code batch} now, or (when batch is empty) wait until {@code deadlineNanos}. */
    public record Decision<T>(List<T> batch, long deadlineNanos) {

        public boolean runNow() {
            return !batch.isEmpty();
        }
    }

    /**
     * @param ready clients with a frame waiting (any order); empty means idle
     * @param streaming clients that sent a frame recently (>= ready.size() in practice)
     * @return a batch to run, or a deadline to wait for (Long.MAX_VALUE when nothing is ready)
     */
    public <T> Decision<T> plan(List<Ready<T>> ready, int streaming, long nowNanos) {
        if (ready.isEmpty()) {
            return new Decision<>(List.of(), Long.MAX_VALUE);
        }
        List<Ready<T>> byAge = new ArrayList<>(ready);
        byAge.sort(Comparator.comparingLong(Ready::readySinceNanos));
        int target = Math.min(maxBatch, Math.max(streaming, 1));
        long deadline = byAge.get(0).readySinceNanos() + maxWaitNanos;
        if (byAge.size() < target && nowNanos < deadline) {
            return new Decision<>(List.of(), deadline);
        }
        List<T> batch = new ArrayList<>(Math.min(maxBatch, byAge.size()));
        for (int i = 0; i < byAge.size() && i < maxBatch; i++) {
            batch.add(byAge.get(i).client());
        }
        return new Decision<>(batch, nowNanos);
    }
}
