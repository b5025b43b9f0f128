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
 */
public record SchedulingPolicy(int maxBatch, Duration maxWait, Duration activeWindow) {

    public SchedulingPolicy {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1");
        }
    }

    public SchedulingPolicy(int maxBatch, Duration maxWait) {
        this(maxBatch, maxWait, Duration.ofSeconds(1));
    }
}
