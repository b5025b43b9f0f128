package dev.depthcast.schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure batching decision, on explicit instants (ns). */
class BatchPlannerTest {

    static final long MS = 1_000_000L;

    static BatchPlanner planner(int maxBatch, long maxWaitMs) {
        return new BatchPlanner(new SchedulingPolicy(maxBatch, Duration.ofMillis(maxWaitMs)));
    }

    static List<BatchPlanner.Ready<String>> ready(long... readySince) {
        List<BatchPlanner.Ready<String>> out = new ArrayList<>();
        for (int i = 0; i < readySince.length; i++) {
            out.add(new BatchPlanner.Ready<>("c" + i, readySince[i]));
        }
        return out;
    }

    @Test
    void nothingReadyMeansWaitForever() {
        BatchPlanner.Decision<String> d = planner(8, 4).plan(List.of(), 3, 100 * MS);
        assertFalse(d.runNow());
        assertEquals(Long.MAX_VALUE, d.deadlineNanos());
    }

    @Test
    void aFullBatchRunsAtOnce() {
        // Every streaming client has a frame: no reason to wait.
        BatchPlanner.Decision<String> d = planner(8, 50).plan(ready(10 * MS, 11 * MS, 12 * MS), 3, 12 * MS);
        assertTrue(d.runNow());
        assertEquals(3, d.batch().size());
    }

    @Test
    void maxWaitIsHonouredToTheNanosecond() {
        BatchPlanner p = planner(8, 4);
        // One of four streaming clients is ready at t=10 ms: wait for the others until 14 ms, no longer.
        BatchPlanner.Decision<String> early = p.plan(ready(10 * MS), 4, 10 * MS);
        assertFalse(early.runNow());
        assertEquals(14 * MS, early.deadlineNanos());
        assertFalse(p.plan(ready(10 * MS), 4, 14 * MS - 1).runNow());
        BatchPlanner.Decision<String> due = p.plan(ready(10 * MS), 4, 14 * MS);
        assertTrue(due.runNow(), "at the deadline whatever is ready runs");
        assertEquals(List.of("c0"), due.batch());
        // The deadline belongs to the OLDEST ready frame, not the newest.
        assertEquals(14 * MS, p.plan(ready(12 * MS, 10 * MS), 4, 12 * MS).deadlineNanos());
    }

    @Test
    void zeroMaxWaitNeverWaits() {
        assertTrue(planner(8, 0).plan(ready(10 * MS), 8, 10 * MS).runNow());
    }

    @Test
    void anIdleClientDoesNotDelayTheOthers() {
        // Only one client streams (the other sessions sent nothing lately): its frame runs at once.
        assertTrue(planner(8, 50).plan(ready(10 * MS), 1, 10 * MS).runNow());
        // "streaming" of 0 (a frame from a client that just went quiet) still counts as one.
        assertTrue(planner(8, 50).plan(ready(10 * MS), 0, 10 * MS).runNow());
    }

    @Test
    void batchCapTakesTheOldestReadyFirst() {
        // Ten ready, cap four: the four that have waited longest, whatever order they are listed in.
        List<BatchPlanner.Ready<String>> r = ready(90, 10, 80, 20, 70, 30, 60, 40, 50, 100);
        BatchPlanner.Decision<String> d = planner(4, 4).plan(r, 10, 100);
        assertTrue(d.runNow());
        assertEquals(List.of("c1", "c3", "c5", "c7"), d.batch());
    }

    @Test
    void capOfOneIsOldestFirstToo() {
        BatchPlanner.Decision<String> d = planner(1, 4).plan(ready(30, 20, 10), 3, 30);
        assertEquals(List.of("c2"), d.batch());
    }

    @Test
    void moreReadyThanStreamingStillRunsAndRespectsTheCap() {
        // A stale streaming count (fewer than ready) must not hold a batch back or exceed the cap.
        BatchPlanner.Decision<String> d = planner(2, 50).plan(ready(1, 2, 3), 1, 3);
        assertTrue(d.runNow());
        assertEquals(2, d.batch().size());
    }
}
