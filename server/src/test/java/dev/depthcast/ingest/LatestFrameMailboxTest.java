package dev.depthcast.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.depthcast.process.Frames;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LatestFrameMailboxTest {

    static I420Frame frame(long ingestNanos) {
        I420Frame f = Frames.uniform(4, 4, 100, 128, 128);
        return new I420Frame(4, 4, f.y(), f.u(), f.v(), ingestNanos, 0, ingestNanos, 0, 0);
    }

    @Test
    void newestWinsAndDropsAreCounted() {
        AtomicInteger wakes = new AtomicInteger();
        AtomicInteger drops = new AtomicInteger();
        LatestFrameMailbox box = new LatestFrameMailbox(wakes::incrementAndGet, drops::incrementAndGet, frame -> {});
        I420Frame a = frame(10);
        I420Frame b = frame(20);
        I420Frame c = frame(30);
        box.offer(a);
        box.offer(b);
        box.offer(c);
        assertEquals(3, wakes.get());
        assertEquals(2, drops.get());
        assertEquals(3, box.offered());
        assertSame(c, box.take());
        assertNull(box.take(), "taking empties the slot");
    }

    @Test
    void replacedFramesKeepTheirPlaceInLine() {
        LatestFrameMailbox box = new LatestFrameMailbox(() -> {});
        box.offer(frame(10));
        box.offer(frame(20));
        assertEquals(10, box.readySinceNanos(), "ready since the first unprocessed frame");
        assertEquals(20, box.lastOfferNanos());
        box.take();
        box.offer(frame(30));
        assertEquals(30, box.readySinceNanos());
    }
}
