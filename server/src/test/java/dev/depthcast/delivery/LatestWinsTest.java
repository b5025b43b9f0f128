package dev.depthcast.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sink's latest-wins state machine, step by step, on one thread: no socket, no sleeps. */
class LatestWinsTest {

    @Test
    void oneInFlightAndOnlyTheNewestWaits() {
        LatestWins<String> w = new LatestWins<>();
        assertFalse(w.offer("a"), "nothing replaced");
        assertEquals("a", w.next(true));
        assertTrue(w.inFlight());
        assertFalse(w.offer("b"), "a is in flight, not waiting: b supersedes nothing");
        assertTrue(w.offer("c"), "c supersedes b, never sent");
        assertNull(w.next(true), "one in flight at most");
        w.release();
        assertEquals("c", w.next(true), "the newest, not a queue");
        w.release();
        assertNull(w.next(true), "nothing waits");
        assertFalse(w.inFlight());
    }

    @Test
    void aFullWriterTakesNothingAndTheValueKeepsWaiting() {
        LatestWins<String> w = new LatestWins<>();
        w.offer("a");
        assertNull(w.next(false));
        assertFalse(w.inFlight());
        assertTrue(w.waiting());
        assertEquals("a", w.next(true));
        assertFalse(w.waiting());
    }

    @Test
    void aReplacedWriterStartsWithNothingInFlightAndTheNewestStillWaiting() {
        LatestWins<String> w = new LatestWins<>();
        w.offer("a");
        assertEquals("a", w.next(true));
        w.offer("b");
        w.release(); // the socket that had "a" in flight was replaced
        assertEquals("b", w.next(true));
    }
}
