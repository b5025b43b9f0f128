package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DoubleBufferingTest {

    @Test
    void batchesAlternateSetsAndAtMostTwoAreInFlight() {
        DoubleBuffering d = new DoubleBuffering();
        DoubleBuffering.Ticket k0 = d.begin();
        DoubleBuffering.Ticket k1 = d.begin();
        assertEquals(0, k0.set());
        assertEquals(1, k1.set());
        assertEquals(2, d.inFlight());
        assertThrows(IllegalStateException.class, d::begin, "a third batch would reuse set 0 while k0 is in flight");
        d.finish(k0);
        DoubleBuffering.Ticket k2 = d.begin();
        assertEquals(0, k2.set());
        assertEquals(1, d.oldest());
        assertThrows(IllegalStateException.class, () -> d.finish(k2), "k1 first");
        d.finish(k1);
        d.finish(k2);
        assertEquals(0, d.inFlight());
        assertEquals(-1, d.oldest());
    }

    @Test
    void runModeUsesTheSetsInTurn() {
        DoubleBuffering d = new DoubleBuffering();
        for (int k = 0; k < 10; k++) {
            DoubleBuffering.Ticket t = d.begin();
            assertEquals(k % 2, t.set());
            d.finish(t);
        }
    }

    @Test
    void abandoningReleasesOnlyTheNewest() {
        DoubleBuffering d = new DoubleBuffering();
        DoubleBuffering.Ticket k0 = d.begin();
        DoubleBuffering.Ticket k1 = d.begin();
        assertThrows(IllegalStateException.class, () -> d.abandon(k0));
        d.abandon(k1);
        assertEquals(1, d.inFlight());
        assertEquals(1, d.begin().set(), "the abandoned sequence number is reused");
    }
}
