package dev.depthcast.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The batching decision, clock-free so it can be tested on a fake clock: given who has a frame
 * ready (and since when), how many clients are streaming and what a batch of each size costs
 * ({@link BatchCosts}), run a batch of some size now or wait until a deadline.
 *
 * <p><b>Which size.</b> The size that delivers the most results per second of model time
 * ({@code n / cost(n)}), among those whose cost plus the age of the batch's oldest frame fits the
 * latency budget; of sizes within {@value #TOLERANCE_PERCENT}% of that best rate, the smallest
 * (a smaller batch finishes sooner). If no size fits the budget, the cheapest batch (normally one
 * frame). So batching is used where it pays — a GPU, whose batch of 8 costs little more than one —
 * and not where it doesn't — a ViT on this CPU, whose batch of 2 costs 2.5 single images. Before
 * any cost is known it batches all it may, as Triton's dynamic batcher does.
 *
 * <ul>
 *   <li>When the executor is idle and fewer frames are ready than that size (and than there are
 *       streaming clients), the oldest ready frame waits at most {@code maxWait} for more.</li>
 *   <li>More ready than the size: oldest-ready first, so a fast sender cannot starve a slow one.</li>
 *   <li>A batch one frame larger or smaller than the chosen size is tried at once if that size was
 *       never measured, and else at most once per {@code probeInterval} and per
 *       {@value #PROBE_EVERY_BATCHES} batches (whichever neighbour was measured longer ago), so the
 *       curve stays current around the size in use as the machine's load changes (cf. Clipper's
 *       additive probing). When no size fits the budget, only the smaller neighbour: the cheapest
 *       size runs then, and only a smaller batch could be cheaper still.</li>
 * </ul>
 */
final class BatchPlanner {

    static final int TOLERANCE_PERCENT = 5;
    /** At most one probe in this many batches: on a slow model, 20 s may be only a few batches. */
    static final int PROBE_EVERY_BATCHES = 50;

    private final int maxBatch;
    private final long maxWaitNanos;
    private final double budgetMs;
    private final long probeIntervalNanos;
    private final BatchCosts costs;
    private long lastProbeNanos;
    private long batchesSinceProbe;
    private boolean started;
    /** Whether the last {@link #size} chose by results per second (some size fit the budget). */
    private boolean choseByRate;

    /** A planner that learns nothing: it batches greedily (for tests of the waiting rules). */
    BatchPlanner(SchedulingPolicy policy) {
        this(policy, new BatchCosts(policy.maxBatch()));
    }

    BatchPlanner(SchedulingPolicy policy, BatchCosts costs) {
        if (costs.maxBatch() < policy.maxBatch()) {
            throw new IllegalArgumentException(
                    "costs for batches up to " + costs.maxBatch() + ", policy allows " + policy.maxBatch());
        }
        this.maxBatch = policy.maxBatch();
        this.maxWaitNanos = policy.maxWait().toNanos();
        this.budgetMs = policy.latencyBudget().toNanos() / 1e6;
        this.probeIntervalNanos = policy.probeInterval().toNanos();
        this.costs = costs;
    }

    /**
     * A client with a frame waiting: its slot has held a frame since {@code readySinceNanos} (the
     * turn order), and the frame in it now arrived at {@code frameNanos} (a newer frame replaces
     * an older one, so a client waiting long for its turn may still hold a fresh frame).
     */
    public record Ready<T>(T client, long readySinceNanos, long frameNanos) {

        /** A client whose frame arrived when its slot filled. */
        public Ready(T client, long readySinceNanos) {
            this(client, readySinceNanos, readySinceNanos);
        }
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
        if (!started) {
            started = true;
            lastProbeNanos = nowNanos; // the first probe is due one interval after the first plan
        }
        if (ready.isEmpty()) {
            return new Decision<>(List.of(), Long.MAX_VALUE);
        }
        List<Ready<T>> byAge = new ArrayList<>(ready);
        byAge.sort(Comparator.comparingLong(Ready::readySinceNanos));
        // ageMs[n]: how old the oldest frame of a batch of the first n is already.
        double[] ageMs = new double[maxBatch + 1];
        for (int n = 1; n <= maxBatch; n++) {
            long frame = byAge.get(Math.min(n, byAge.size()) - 1).frameNanos();
            ageMs[n] = Math.max(ageMs[n - 1], (nowNanos - frame) / 1e6);
        }
        long oldest = byAge.get(0).readySinceNanos();
        int target = size(Math.min(maxBatch, Math.max(streaming, 1)), ageMs);
        long deadline = oldest + maxWaitNanos;
        if (byAge.size() < target && nowNanos < deadline) {
            return new Decision<>(List.of(), deadline);
        }
        int limit = Math.min(maxBatch, byAge.size());
        int n = probe(size(limit, ageMs), limit, nowNanos);
        List<T> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(byAge.get(i).client());
        }
        return new Decision<>(batch, nowNanos);
    }

    /**
     * The batch size to run, of 1..limit, when the oldest frame of a batch of n is {@code ageMs[n]}
     * old already (frames not yet ready count as fresh).
     */
    int size(int limit, double[] ageMs) {
        choseByRate = false;
        if (!costs.known()) {
            return limit;
        }
        // The curve as of the last batch, computed once per batch rather than on every plan; a
        // batch measured at 0 ms (a stand-in backend) counts as a microsecond, so n / cost stays finite.
        double[] cost = costs.snapshot().costMs().clone();
        for (int i = 0; i < cost.length; i++) {
            cost[i] = Math.max(cost[i], 1e-3);
        }
        double best = 0;
        for (int n = 1; n <= limit; n++) {
            if (ageMs[n] + cost[n - 1] <= budgetMs) {
                best = Math.max(best, n / cost[n - 1]);
            }
        }
        if (best == 0) {
            // Nothing fits the budget: the batch that finishes soonest — of sizes within 5% of the
            // cheapest, the smallest, so a noisy measurement of one frame does not tip it to two.
            double cheapest = Double.MAX_VALUE;
            for (int n = 1; n <= limit; n++) {
                cheapest = Math.min(cheapest, cost[n - 1]);
            }
            for (int n = 1; n <= limit; n++) {
                if (cost[n - 1] * 100 <= cheapest * (100 + TOLERANCE_PERCENT)) {
                    return n;
                }
            }
        }
        choseByRate = true;
        for (int n = 1; n <= limit; n++) {
            if (ageMs[n] + cost[n - 1] <= budgetMs && n / cost[n - 1] * 100 >= best * (100 - TOLERANCE_PERCENT)) {
                return n;
            }
        }
        return limit; // unreachable: the best size itself qualifies
    }

    /**
     * {@code n}, or a neighbour of it: at once when the neighbour was never measured (one batch
     * settles whether growing or shrinking pays), else once per probe interval the neighbour
     * measured longer ago, if that was over an interval ago.
     */
    private int probe(int n, int limit, long nowNanos) {
        batchesSinceProbe++;
        if (probeIntervalNanos <= 0 || !costs.known()) {
            return n;
        }
        int pick = 0;
        // When no size fits the budget the cheapest runs: only a smaller batch could be cheaper still.
        for (int candidate : choseByRate ? new int[] {n + 1, n - 1} : new int[] {n - 1}) {
            if (candidate < 1 || candidate > limit) {
                continue;
            }
            if (pick == 0 || measuredBefore(candidate, pick)) {
                pick = candidate;
            }
        }
        if (pick == 0) {
            return n;
        }
        boolean due = !costs.measured(pick)
                || nowNanos - lastProbeNanos >= probeIntervalNanos
                        && batchesSinceProbe > PROBE_EVERY_BATCHES
                        && nowNanos - costs.lastMeasuredNanos(pick) >= probeIntervalNanos;
        if (!due) {
            return n;
        }
        lastProbeNanos = nowNanos;
        batchesSinceProbe = 0;
        return pick;
    }

    /** Whether size a's cost is staler than b's (never measured is stalest). */
    private boolean measuredBefore(int a, int b) {
        if (!costs.measured(a)) {
            return costs.measured(b);
        }
        return costs.measured(b) && costs.lastMeasuredNanos(a) < costs.lastMeasuredNanos(b);
    }
}
