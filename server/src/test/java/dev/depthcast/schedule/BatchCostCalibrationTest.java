package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.testing.FakeClock;
import dev.depthcast.testing.FakePipeline;
import dev.depthcast.testing.FakePipeline.Answer;
import java.time.Duration;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The start-up measurement, on a pipeline whose batch costs are scripted and a clock that advances by them. */
class BatchCostCalibrationTest {

    /**
     * Reports {@code cost(n)} ms for a batch of n and advances the fake clock by it. The first run
     * of a size is slower by a few ms (ONNX Runtime plans memory for a new shape): for cheap sizes,
     * run more than once, the fastest is kept.
     */
    static FakePipeline costed(IntToDoubleFunction costMs) {
        return new FakePipeline(n -> (long) (costMs.applyAsDouble(n) * 1e6))
                .on(new FakeClock())
                .firstRunOfEachSizeSlowerBy(5);
    }

    static BatchCosts measure(FakePipeline p, Duration budget) {
        return BatchCostCalibration.measure(p, 8, budget, p.clock());
    }

    @Test
    void aGpuLikeCurveIsMeasuredAtEverySize() {
        FakePipeline p = costed(n -> 20 + 2 * n);
        BatchCosts c = measure(p, Duration.ofSeconds(5));
        assertTrue(p.runs().stream().filter(r -> r == 8).count() >= 2, "cheap sizes run more than once: " + p.runs());
        for (int n = 1; n <= 8; n++) {
            assertTrue(c.measured(n), "size " + n);
            assertEquals(20 + 2 * n, c.estimateMs(n), 1e-9, "the fastest run of size " + n);
        }
        assertEquals(1, p.runs().get(0), "a warm-up batch of one first");
        assertTrue(BatchCostCalibration.describe(c, new SchedulingPolicy(8, Duration.ofMillis(4)))
                .startsWith("preferred batch 8 within the 150 ms latency budget"));
    }

    @Test
    void aSuperlinearCurveStopsAfterTwoSizes() {
        // The ViT on this CPU: the second frame costs more than the first, so no larger batch can pay.
        FakePipeline p = costed(n -> 400 * Math.pow(n, 1.35));
        BatchCosts c = measure(p, Duration.ofSeconds(30));
        assertTrue(c.measured(1) && c.measured(2));
        assertFalse(c.measured(3));
        assertEquals(400, c.estimateMs(1), 1e-6);
        String line = BatchCostCalibration.describe(c, new SchedulingPolicy(8, Duration.ofMillis(4)));
        assertTrue(line.startsWith("preferred batch 1 "), line);
        assertTrue(line.contains("a batch of 2 costs 2.56x one"), line);
        // Warm-up + one run of each size (each over 60 ms): ~1.8 s of model time at start-up, not minutes.
        assertEquals(List.of(1, 1, 2), p.runs());
    }

    @Test
    void theBudgetEndsMeasuringAndTheRestIsEstimated() {
        FakePipeline p = costed(n -> 100);
        BatchCosts c = measure(p, Duration.ofMillis(350));
        assertTrue(c.measured(1) && c.measured(2) && c.measured(3));
        assertFalse(c.measured(4));
        assertEquals(c.estimateMs(3), c.estimateMs(8), 1e-9, "a flat curve extrapolates flat");
        assertEquals(List.of(1, 1, 2, 3), p.runs(), "warm-up, then one run of each size until the budget");
    }

    @Test
    void onAVerySlowMachineOneAndTwoAreStillMeasured() {
        // A budget spent on the warm-up alone (a ViT on a loaded CPU): whether batching pays is still known.
        FakePipeline p = costed(n -> 5000 * Math.pow(n, 1.35));
        BatchCosts c = measure(p, Duration.ofSeconds(5));
        assertTrue(c.measured(1) && c.measured(2));
        assertFalse(c.measured(3));
    }

    @Test
    void aFailingBatchEndsTheMeasurementNotTheServer() {
        FakePipeline p = costed(n -> 20 + 2 * n);
        p.answers(Answer.OK, Answer.OK, Answer.OK, Answer.OK, Answer.FAIL);
        BatchCosts c = measure(p, Duration.ofSeconds(5));
        assertTrue(c.measured(1));
        assertFalse(c.measured(3));
    }
}
