package dev.depthcast.schedule;

import java.time.Duration;

/**
 * How the executor forms batches.
 *
 * @param maxBatch most frames in one inference
 * @param maxWait longest a ready frame waits for more clients' frames to join its batch
 *                (cf. Triton's {@code max_queue_delay}); only matters while the executor is idle —
 *                under load, batches fill while the previous one runs
 * @param activeWindow a client counts as streaming if it sent a frame within this window; the
 *                     executor waits for at most that many frames, so an idle client never
 *                     delays the others
 * @param latencyBudget a frame's time from ready to its cloud that batching may not exceed: a batch
 *                      size whose learned cost (plus the oldest frame's wait) is over it is not
 *                      chosen while a size within it exists ({@code --latency-budget-ms})
 * @param probeInterval how often the planner may try a batch one larger or smaller than the one it
 *                      prefers, to keep its cost curve current there; zero never
 */
public record SchedulingPolicy(
        int maxBatch, Duration maxWait, Duration activeWindow, Duration latencyBudget, Duration probeInterval) {

    /** {@code --latency-budget-ms} default; see README "Choices". A number: the command line's annotation reads it. */
    public static final long DEFAULT_LATENCY_BUDGET_MS = 150;

    public static final Duration DEFAULT_LATENCY_BUDGET = Duration.ofMillis(DEFAULT_LATENCY_BUDGET_MS);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(20);
    public static final Duration DEFAULT_ACTIVE_WINDOW = Duration.ofSeconds(1);

    public SchedulingPolicy {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1");
        }
        if (latencyBudget.isNegative() || latencyBudget.isZero()) {
            throw new IllegalArgumentException("latencyBudget must be > 0");
        }
    }

    public SchedulingPolicy(int maxBatch, Duration maxWait) {
        this(maxBatch, maxWait, DEFAULT_ACTIVE_WINDOW, DEFAULT_LATENCY_BUDGET, DEFAULT_PROBE_INTERVAL);
    }

    public SchedulingPolicy withLatencyBudget(Duration value) {
        return new SchedulingPolicy(maxBatch, maxWait, activeWindow, value, probeInterval);
    }

    public SchedulingPolicy withProbeInterval(Duration value) {
        return new SchedulingPolicy(maxBatch, maxWait, activeWindow, latencyBudget, value);
    }
}
