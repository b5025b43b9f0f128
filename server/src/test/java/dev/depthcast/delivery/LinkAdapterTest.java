package dev.depthcast.delivery;

import static dev.depthcast.delivery.LinkAdapter.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptation rule of docs/protocol.md on a fake clock: a 30 fps client and a link that carries what it is told. */
class LinkAdapterTest {

    static final long FRAME = SECOND / 30;

    /** A link that delivers {@code capacity} bytes a second after {@code baseRtt}; results of {@code bytesAt(level)}. */
    static final class Link {
        final LinkAdapter adapter = new LinkAdapter(StrideLadder.from(3), 0);
        long now;
        double capacity;
        long baseRtt = 2_000_000;
        /** How long the client takes, per byte, before it acks (a busy page); it does not hold the link. */
        double ackNanosPerByte;

        long busyUntil;

        Link(double capacity) {
            this.capacity = capacity;
        }

        static int bytesAt(int stride) {
            // ~30 KB at stride 3, scaling with the points (1/stride²).
            return 270_000 / (stride * stride);
        }

        /** Runs {@code seconds} of 30 fps results; each is sent if the link is free, else superseded. */
        void run(double seconds) {
            long end = now + (long) (seconds * SECOND);
            while (now < end) {
                now += FRAME;
                adapter.produced(now);
                int level = adapter.level();
                int bytes = bytesAt(adapter.stride());
                if (busyUntil > now) {
                    adapter.superseded(now);
                } else {
                    long transfer = (long) (bytes / capacity * SECOND);
                    busyUntil = now + transfer;
                    long rtt = transfer + baseRtt + (long) (bytes * ackNanosPerByte);
                    adapter.delivered(now + rtt, rtt, bytes, level);
                }
                adapter.evaluate(now);
            }
        }
    }

    @Test
    void aFastLinkStaysAtTheDensestLevel() {
        Link link = new Link(100e6 / 8);
        link.run(20);
        assertEquals(0, link.adapter.level());
        assertEquals(0, link.adapter.steps());
    }

    @Test
    void aSlowLinkStepsDownUntilResultsKeepUpWithTheCamera() {
        // 4 Mbit/s: stride 3 (30 KB) needs 7.2 Mbit/s at 30 fps, stride 5 (10.8 KB) 2.6 Mbit/s.
        Link link = new Link(4e6 / 8);
        link.run(1.2);
        assertTrue(link.adapter.level() >= 1, "stepped down within ~1 s");
        link.run(20);
        int level = link.adapter.level();
        assertTrue(level >= 2, "level " + level);
        int stride = link.adapter.stride();
        assertTrue(Link.bytesAt(stride) * 30 <= 4e6 / 8, "the level it settles on fits the link");
    }

    @Test
    void bandwidthComingBackStepsBackUpAndAFailedStepUpBacksOff() {
        Link link = new Link(2e6 / 8);
        link.run(10);
        int low = link.adapter.level();
        assertTrue(low >= 3, "2 Mbit/s: coarse, got " + low);
        link.capacity = 100e6 / 8;
        link.run(LinkAdapter.UP_HOLD_MAX / (double) SECOND);
        assertTrue(link.adapter.level() < low, "stepping back up within the longest hold");
        link.run(4 * LinkAdapter.UP_HOLD_MAX / (double) SECOND);
        assertEquals(0, link.adapter.level(), "back to the densest level");

        // A link just too slow for the densest level: the step up fails and the hold doubles.
        Link edge = new Link(6e6 / 8);
        edge.run(30);
        assertTrue(edge.adapter.upHoldNanos() > LinkAdapter.UP_HOLD_MIN, "failed step-ups back off");
        long steps = edge.adapter.steps();
        edge.run(30);
        assertTrue(
                edge.adapter.steps() - steps <= 4,
                "few oscillations once backed off: " + (edge.adapter.steps() - steps));
    }

    @Test
    void resultsArrivingLateStepDownBeforeAnyIsSuperseded() {
        Link link = new Link(100e6 / 8);
        link.run(5);
        assertEquals(0, link.adapter.level());
        // The page slows down (its machine got busy): 30 KB now take 100 ms to be acknowledged,
        // though the link is free and nothing is superseded.
        link.ackNanosPerByte = 100e6 / 30_000;
        link.run(1.5);
        assertTrue(link.adapter.level() >= 1, "stepped down within ~1 s of the slowdown");
        link.run(10);
        int stride = link.adapter.stride();
        assertTrue(
                Link.bytesAt(stride) * link.ackNanosPerByte <= FRAME + 3_000_000,
                "settles where results are acknowledged within about a frame interval, at stride " + stride);
    }

    @Test
    void aLongPathAloneIsNoReasonToStepDown() {
        // 150 ms round trip (another continent), plenty of bandwidth: the RTT is high but constant.
        Link link = new Link(100e6 / 8);
        link.baseRtt = 150_000_000;
        link.run(20);
        assertEquals(0, link.adapter.level());
        assertEquals(0, link.adapter.steps());
    }
}
