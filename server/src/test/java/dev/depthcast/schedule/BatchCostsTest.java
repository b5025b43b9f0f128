package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learned cost curve: averaging, and what it assumes where nothing was measured. */
class BatchCostsTest {

    @Test
    void nothingMeasuredIsUnknown() {
        BatchCosts c = new BatchCosts(4);
        assertFalse(c.known());
        assertTrue(Double.isNaN(c.estimateMs(3)));
        assertEquals("1: ?~, 2: ?~, 3: ?~, 4: ?~ ms (~ estimated)", c.snapshot().toString());
    }

    @Test
    void aSizesCostIsAMovingAverageOfItsMeasurements() {
        BatchCosts c = new BatchCosts(4);
        c.record(2, 100, 1);
        assertEquals(100, c.estimateMs(2), 1e-9, "the first measurement replaces the unknown");
        c.record(2, 200, 2);
        assertEquals(100 + BatchCosts.SMOOTHING * 100, c.estimateMs(2), 1e-9);
        assertEquals(2, c.lastMeasuredNanos(2));
        // Nonsense is ignored: a size out of range, a negative or non-finite time.
        c.record(5, 1, 3);
        c.record(2, -1, 3);
        c.record(2, Double.NaN, 3);
        c.record(2, Double.POSITIVE_INFINITY, 3);
        assertEquals(125, c.estimateMs(2), 1e-9);
        assertEquals(2, c.lastMeasuredNanos(2));
    }

    @Test
    void oneMeasuredSizeImpliesNoBatchingGain() {
        // Batching must prove itself: from one size alone, n frames cost n times one frame's share.
        BatchCosts c = new BatchCosts(8);
        c.record(4, 80, 0);
        assertEquals(20, c.estimateMs(1), 1e-9);
        assertEquals(160, c.estimateMs(8), 1e-9);
        assertEquals(c.resultsPerSecond(1), c.resultsPerSecond(8), 1e-9);
    }

    @Test
    void betweenMeasuredSizesLinearAndBeyondTheLastSlopeContinued() {
        BatchCosts c = new BatchCosts(8);
        c.record(1, 22, 0);
        c.record(4, 28, 0);
        assertEquals(24, c.estimateMs(2), 1e-9);
        assertEquals(26, c.estimateMs(3), 1e-9);
        assertEquals(36, c.estimateMs(8), 1e-9, "GPU-like 20 + 2n continued");
        // A superlinear pair extrapolates superlinearly: batching never looks better than it measured.
        BatchCosts cpu = new BatchCosts(8);
        cpu.record(1, 400, 0);
        cpu.record(2, 1020, 0);
        assertEquals(1020 + 620 * 2, cpu.estimateMs(4), 1e-9);
        assertTrue(cpu.resultsPerSecond(8) < cpu.resultsPerSecond(2));
        // A cost that fell with size (noise) is not continued downwards.
        BatchCosts noisy = new BatchCosts(4);
        noisy.record(1, 30, 0);
        noisy.record(2, 25, 0);
        assertEquals(25, noisy.estimateMs(4), 1e-9);
    }

    @Test
    void theSnapshotMarksWhatWasMeasured() {
        BatchCosts c = new BatchCosts(3);
        c.record(1, 10, 0);
        c.record(3, 14, 0);
        BatchCosts.Snapshot s = c.snapshot();
        assertEquals(12, s.costMs()[1], 1e-9);
        assertTrue(s.measured()[0] && !s.measured()[1] && s.measured()[2]);
        assertEquals("1: 10.0, 2: 12.0~, 3: 14.0 ms (~ estimated)", s.toString());
    }
}
