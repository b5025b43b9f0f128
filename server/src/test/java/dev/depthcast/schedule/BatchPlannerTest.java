package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    static BatchPlanner learned(int maxBatch, double... costMs) {
        BatchCosts costs = new BatchCosts(maxBatch);
        for (int n = 1; n <= costMs.length; n++) {
            costs.record(n, costMs[n - 1], 0);
        }
        return new BatchPlanner(new SchedulingPolicy(maxBatch, Duration.ofMillis(4)), costs);
    }

    @Test
    void aCostlySecondFrameMeansBatchesOfOne() {
        // Four ready, four streaming, a CPU ViT's curve: one frame, the oldest, not all four.
        BatchPlanner.Decision<String> d = learned(8, 400, 1020).plan(ready(40, 10, 30, 20), 4, 50);
        assertEquals(List.of("c1"), d.batch());
        // And with one frame ready of four streaming, it does not wait for the others.
        assertTrue(learned(8, 400, 1020).plan(ready(10 * MS), 4, 10 * MS).runNow());
    }

    @Test
    void aCheapSecondFrameMeansWaitingForAFullBatch() {
        BatchPlanner p = learned(8, 22, 24, 26, 28);
        BatchPlanner.Decision<String> d = p.plan(ready(10 * MS, 11 * MS), 4, 11 * MS);
        assertFalse(d.runNow(), "two of four ready on a GPU-like curve: wait for the rest");
        assertEquals(14 * MS, d.deadlineNanos());
        assertEquals(
                4,
                p.plan(ready(10 * MS, 11 * MS, 12 * MS, 13 * MS), 4, 13 * MS)
                        .batch()
                        .size());
    }

    @Test
    void theLatencyBudgetCountsTheAgeOfTheFramesNotTheirClientsTurn() {
        // 60 + 20n ms: a batch of 4 costs 140 ms, of 5 160 ms; the budget is 150 ms.
        double[] curve = {80, 100, 120, 140, 160, 180, 200, 220};
        long now = 1000 * MS;
        // Eight clients waited 500 ms for their turn, but their frames are fresh (5 ms): 4 fit.
        List<BatchPlanner.Ready<String>> fresh = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fresh.add(new BatchPlanner.Ready<>("c" + i, now - 500 * MS + i, now - 5 * MS));
        }
        assertEquals(4, learned(8, curve).plan(fresh, 8, now).batch().size());
        // The oldest frame 50 ms old: only a batch of 2 (100 ms) still fits.
        fresh.set(0, new BatchPlanner.Ready<>("c0", now - 500 * MS, now - 50 * MS));
        assertEquals(2, learned(8, curve).plan(fresh, 8, now).batch().size());
        // Nothing fits any more: the cheapest batch, one frame.
        fresh.set(0, new BatchPlanner.Ready<>("c0", now - 500 * MS, now - 200 * MS));
        assertEquals(List.of("c0"), learned(8, curve).plan(fresh, 8, now).batch());
    }

    /** Four clients whose frames arrived just before {@code now}. */
    static List<BatchPlanner.Ready<String>> fresh(long now) {
        return ready(now - 4, now - 3, now - 2, now - 1);
    }

    @Test
    void anUnmeasuredNeighbourIsTriedOnceAndAMeasuredOneOnlyEveryProbeInterval() {
        BatchCosts costs = new BatchCosts(8);
        costs.record(1, 40, 0);
        SchedulingPolicy policy = new SchedulingPolicy(8, Duration.ofMillis(4));
        BatchPlanner p = new BatchPlanner(policy, costs);
        // From one measured size, batching looks no better: 1 — but 2 was never measured, so try it.
        assertEquals(2, p.plan(fresh(10), 4, 10).batch().size());
        costs.record(2, 102, 10);
        assertEquals(1, p.plan(fresh(20), 4, 20).batch().size());
        long interval = SchedulingPolicy.DEFAULT_PROBE_INTERVAL.toNanos();
        for (int i = 0; i < BatchPlanner.PROBE_EVERY_BATCHES; i++) {
            assertEquals(1, p.plan(fresh(30 + i), 4, 30 + i).batch().size(), "not yet due");
        }
        assertEquals(1, p.plan(fresh(interval - 1), 4, interval - 1).batch().size(), "not yet due");
        assertEquals(2, p.plan(fresh(interval + 20), 4, interval + 20).batch().size(), "due: 2 is re-measured");
        assertEquals(
                1,
                p.plan(fresh(2 * interval + 30), 4, 2 * interval + 30).batch().size(),
                "one probe per " + BatchPlanner.PROBE_EVERY_BATCHES + " batches, however long they take");
        // With probing off, never.
        BatchPlanner off = new BatchPlanner(policy.withProbeInterval(Duration.ZERO), costs);
        assertEquals(1, off.plan(fresh(10 * interval), 4, 10 * interval).batch().size());
        // When no size fits the budget (a ViT on a CPU: 400 ms a frame), the cheapest runs and nothing is probed.
        BatchCosts slow = new BatchCosts(8);
        slow.record(1, 400, 0);
        BatchPlanner cpu = new BatchPlanner(policy, slow);
        assertEquals(1, cpu.plan(fresh(10), 4, 10).batch().size());
        assertEquals(
                1, cpu.plan(fresh(100 * interval), 4, 100 * interval).batch().size());
        // A noisy measurement of one frame (a load spike) does not tip the cheapest to two …
        BatchCosts noisy = new BatchCosts(8);
        noisy.record(1, 4467, 0);
        noisy.record(2, 4437, 0);
        BatchPlanner loaded = new BatchPlanner(policy, noisy);
        assertEquals(1, loaded.plan(fresh(10), 4, 10).batch().size());
        // … and a size that looks cheaper than one frame is checked against a re-measured smaller one.
        BatchCosts skewed = new BatchCosts(8);
        skewed.record(1, 9000, 0);
        skewed.record(2, 4400, 0);
        BatchPlanner probing = new BatchPlanner(policy, skewed);
        assertEquals(2, probing.plan(fresh(10), 4, 10).batch().size());
        for (int i = 0; i < BatchPlanner.PROBE_EVERY_BATCHES; i++) {
            probing.plan(fresh(20 + i), 4, 20 + i);
        }
        assertEquals(
                1,
                probing.plan(fresh(interval + 100), 4, interval + 100).batch().size(),
                "the smaller neighbour");
    }
}
