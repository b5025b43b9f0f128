package dev.depthcast.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AckWindowTest {

    static AckWindow.Sent sent(long seq, long at) {
        return new AckWindow.Sent(seq, 1000, 0, at);
    }

    @Test
    void aClientThatNeverAckedIsPacedByTheSocketOnly() {
        AckWindow w = new AckWindow(2, 1_000);
        for (int i = 0; i < 10; i++) {
            assertTrue(w.hasRoom(i));
            w.sent(sent(i, i));
        }
        assertEquals(2, w.outstanding(), "only the last window's worth is tracked");
    }

    @Test
    void onceAckingTheWindowHoldsAtMostItsSize() {
        AckWindow w = new AckWindow(2, 1_000_000);
        w.sent(sent(1, 0));
        AckWindow.Acked a = w.ack(1, 50);
        assertEquals(50, a.rttNanos());
        w.sent(sent(2, 100));
        assertTrue(w.hasRoom(110));
        w.sent(sent(3, 110));
        assertFalse(w.hasRoom(120), "two unacknowledged: no room");
        assertEquals(2, w.ack(2, 200).sent().seq());
        assertTrue(w.hasRoom(200));
    }

    @Test
    void anAckCoversEveryEarlierResultButTimesOnlyItsOwn() {
        AckWindow w = new AckWindow(3, 1_000_000);
        w.ack(-1, 0);
        w.sent(sent(4, 10));
        w.sent(sent(5, 20));
        w.sent(sent(7, 30));
        AckWindow.Acked a = w.ack(5, 100);
        assertEquals(5, a.sent().seq());
        assertEquals(80, a.rttNanos());
        assertEquals(1, w.outstanding());
        assertNull(w.ack(6, 110), "no result 6 was sent; 6 < 7 leaves 7 outstanding");
        assertEquals(1, w.outstanding());
        assertEquals(7, w.ack(-1, 120).sent().seq(), "an ack without seq takes the oldest");
    }

    @Test
    void aResultUnackedPastTheTimeoutStopsHoldingItsPlace() {
        AckWindow w = new AckWindow(1, 1_000);
        w.ack(-1, 0);
        w.sent(sent(1, 0));
        assertFalse(w.hasRoom(999));
        assertTrue(w.hasRoom(1_001));
        assertEquals(1, w.timeouts());
    }
}
