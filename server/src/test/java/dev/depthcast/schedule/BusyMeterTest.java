package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The busy fraction on a fake clock. */
class BusyMeterTest {

    static final long MS = 1_000_000L;

    @Test
    void halfTheTimeBusyIsOneHalf() {
        BusyMeter m = new BusyMeter();
        // 10 ms of work every 20 ms for 4 s.
        for (long t = 0; t < 4000 * MS; t += 20 * MS) {
            m.busy(t, t + 10 * MS);
        }
        assertEquals(0.5, m.fraction(4000 * MS), 0.01);
    }

    @Test
    void overlappingBatchesCountOnce() {
        BusyMeter m = new BusyMeter();
        // A GPU pipeline: batch k+1 starts (is queued) before k is collected; the device is busy
        // without a gap from 0 to 2 s, not twice that.
        for (long t = 0; t < 2000 * MS; t += 20 * MS) {
            m.busy(t, t + 40 * MS);
        }
        assertEquals(1.0, m.fraction(2020 * MS), 0.02);
        BusyMeter once = new BusyMeter();
        once.busy(0, 100 * MS);
        once.busy(50 * MS, 100 * MS); // entirely inside the first: nothing new
        assertEquals(100.0 / 2000, once.fraction(1000 * MS), 1e-9);
    }

    @Test
    void oldWorkLeavesTheWindow() {
        BusyMeter m = new BusyMeter();
        m.busy(0, 1000 * MS);
        assertEquals(0.5, m.fraction(1000 * MS), 1e-9);
        assertEquals(0.5, m.fraction(2000 * MS), 1e-9);
        assertEquals(0.25, m.fraction(2500 * MS), 0.01);
        assertEquals(0.0, m.fraction(3000 * MS), 1e-9);
        assertEquals(0.0, m.fraction(60_000 * MS), 1e-9);
        m.busy(60_000 * MS, 60_500 * MS);
        assertEquals(0.25, m.fraction(60_500 * MS), 1e-9);
    }

    @Test
    void idleIsZero() {
        assertEquals(0.0, new BusyMeter().fraction(System.nanoTime()));
    }
}
