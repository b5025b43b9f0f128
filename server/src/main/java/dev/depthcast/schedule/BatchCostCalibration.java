package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.UnprojectParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the backend's cost curve before serving: batches of 1, 2, 3 … synthetic frames, each
 * size's cost the fastest of its runs (the machine's other work only ever adds time; cheap sizes
 * run several times). It always measures 1 and 2, then stops at max batch, when the time budget
 * is spent, or as soon as a batch's extra frame costs at least the batch's average per frame —
 * past that point a larger batch cannot deliver more results per second (a ViT on a CPU: a batch
 * of 2 costs 2.5 single images, so it stops after 2: a warm-up, one and two frames, ~2 s).
 * What it did not measure, {@link BatchCosts} estimates, and the executor's own batches and
 * probes correct.
 */
public final class BatchCostCalibration {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCostCalibration.class);

    /** Start-up time the calibration may take (it finishes the size it is measuring). */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);

    static final int MAX_RUNS = 5;
    /**
     * A size is run until this much time was spent on it: cheap batches get several runs (less
     * noise), a ViT on a CPU one (a second would only add seconds to start-up).
     */
    static final double SETTLE_MS = 60;

    private BatchCostCalibration() {}

    /** Measures on the real clock and logs the curve and the batch size it implies. */
    public static BatchCosts measure(DepthPipeline pipeline, SchedulingPolicy policy, Duration budget) {
        long t0 = System.nanoTime();
        BatchCosts costs = measure(pipeline, policy.maxBatch(), budget, System::nanoTime);
        LOG.info(
                "batch costs on {} measured in {} ms: {}; {}",
                pipeline.backendName(),
                (System.nanoTime() - t0) / 1_000_000,
                costs.snapshot(),
                describe(costs, policy));
        return costs;
    }

    /**
     * @param clock System.nanoTime() or a test's fake clock (only the budget reads it: a batch's
     *              cost is the sum of its stage times, as the executor records it)
     */
    static BatchCosts measure(DepthPipeline pipeline, int maxBatch, Duration budget, LongSupplier clock) {
        BatchCosts costs = new BatchCosts(maxBatch);
        long start = clock.getAsLong();
        long budgetNanos = budget.toNanos();
        List<BatchItem> items = syntheticBatch(maxBatch);
        try {
            pipeline.run(items.subList(0, 1)); // warm-up: first-call allocation and JIT, not the model's cost
            for (int n = 1; n <= maxBatch; n++) {
                // Sizes 1 and 2 are always measured: without both, whether batching pays is a guess.
                if (n > 2 && clock.getAsLong() - start >= budgetNanos) {
                    break;
                }
                double best = Double.MAX_VALUE;
                double spent = 0;
                for (int run = 0; run < MAX_RUNS; run++) {
                    double ms = cost(pipeline.run(items.subList(0, n)));
                    best = Math.min(best, ms);
                    spent += ms;
                    if (spent >= SETTLE_MS || clock.getAsLong() - start >= budgetNanos) {
                        break;
                    }
                }
                costs.record(n, best, clock.getAsLong());
                if (n >= 2 && costs.estimateMs(n) - costs.estimateMs(n - 1) >= costs.estimateMs(n) / n) {
                    break; // the marginal frame costs at least the average: larger batches cannot pay
                }
            }
        } catch (Exception e) {
            LOG.warn(
                    "measuring batch costs stopped on a failed batch ({}); the executor learns them while serving",
                    e.toString());
        }
        return costs;
    }

    /** The line a user reads at start-up: the size the planner prefers, and why. */
    static String describe(BatchCosts costs, SchedulingPolicy policy) {
        if (!costs.known()) {
            return "nothing measured: batching all that is ready until costs are learned";
        }
        int preferred = new BatchPlanner(policy, costs).size(policy.maxBatch(), new double[policy.maxBatch() + 1]);
        double one = costs.estimateMs(1);
        String gain = policy.maxBatch() < 2
                ? ""
                : String.format(Locale.ROOT, " (a batch of 2 costs %.2fx one)", costs.estimateMs(2) / one);
        return String.format(
                Locale.ROOT,
                "preferred batch %d within the %d ms latency budget%s",
                preferred,
                policy.latencyBudget().toMillis(),
                gain);
    }

    private static double cost(BatchResult r) {
        return r.preprocessMs() + r.inferenceMs() + r.unprojectMs();
    }

    /** A camera-sized frame with some texture, the same in every slot (the model's cost does not depend on it). */
    static List<BatchItem> syntheticBatch(int n) {
        int w = 640;
        int h = 480;
        byte[] y = new byte[w * h];
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                y[r * w + x] = (byte) (40 + (x * 3 + r * 2) % 180);
            }
        }
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        java.util.Arrays.fill(u, (byte) 128);
        java.util.Arrays.fill(v, (byte) 128);
        List<BatchItem> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(new BatchItem(
                    new I420Frame(w, h, y, u, v, 0, 0, System.nanoTime(), 0, 0), UnprojectParams.DEFAULT));
        }
        return items;
    }
}
