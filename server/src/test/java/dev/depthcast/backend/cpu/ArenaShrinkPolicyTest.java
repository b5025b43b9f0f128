package dev.depthcast.backend.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaShrinkPolicyTest {

    static final long S = 1_000_000_000L;

    /** Runs batches of {@code n} every 100 ms from {@code from} s to {@code to} s; counts the shrinks. */
    static int load(ArenaShrinkPolicy p, int n, double from, double to) {
        int shrinks = 0;
        for (long t = (long) (from * S); t < (long) (to * S); t += S / 10) {
            shrinks += p.beforeRun(n, t) ? 1 : 0;
        }
        return shrinks;
    }

    @Test
    void aSteadyLoadNeverShrinksHoweverLargeItsBatches() {
        ArenaShrinkPolicy p = new ArenaShrinkPolicy(30 * S);
        assertEquals(0, load(p, 8, 0, 300));
        ArenaShrinkPolicy q = new ArenaShrinkPolicy(30 * S);
        int shrinks = 0;
        for (long t = 0; t < 300 * S; t += S / 10) {
            shrinks += q.beforeRun((int) (t / (S / 10)) % 2 + 1, t) ? 1 : 0; // 1, 2, 1, 2…
        }
        assertEquals(0, shrinks, "batches that alternate within every window");
    }

    @Test
    void aLoadThatDroppedShrinksOnceAWindowAfterTheDrop() {
        ArenaShrinkPolicy p = new ArenaShrinkPolicy(30 * S);
        assertEquals(0, load(p, 1, 0, 40));
        assertEquals(0, load(p, 8, 40, 45), "the burst grows the arena");
        assertEquals(0, load(p, 1, 45, 90), "the window holding the burst, and the next one, run as they are");
        assertEquals(1, load(p, 1, 90, 91), "the end of the first whole window without the burst shrinks");
        assertEquals(0, load(p, 1, 91, 300), "and never again at the same load");
        assertEquals(0, load(p, 4, 300, 400), "a larger load grows it again, without a shrink");
        assertEquals(1, load(p, 2, 400, 500), "a smaller one than that shrinks once");
    }

    @Test
    void idleEmptiesTheArenaOnlyIfAnythingRanSince() {
        ArenaShrinkPolicy p = new ArenaShrinkPolicy(30 * S);
        assertFalse(p.grown(), "nothing ran");
        load(p, 8, 0, 5);
        assertTrue(p.grown());
        p.emptied();
        assertFalse(p.grown(), "nothing to give back twice");
        assertEquals(0, load(p, 2, 600, 700), "after an idle shrink the next load starts afresh: no shrink at its size");
    }
}
