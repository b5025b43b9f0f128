package dev.depthcast.delivery;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Picks one client's sampling level from what its link delivers (docs/protocol.md, "Link
 * adaptation"): the densest level of its {@link StrideLadder} at which results reach the client as
 * fast as they are made, and soon. Coarser when, over the last second, 15 % or more of the client's
 * results were superseded before they could be sent (the client had no room: its window was full),
 * or when the median transfer time (ack RTT minus the lowest of the last 10 s) exceeded the frame
 * interval (the results still arrive, but late: a link or a page that has slowed down); denser
 * when, after a hold, at most 5 % were superseded over 2 s and the measured transfer time scaled to the
 * denser level fits in 60 % of the frame interval. A step up that is followed by a step down
 * within 10 s doubles the hold (3 s up to 48 s); 30 s without a step down resets it.
 *
 * <p>Times are {@link System#nanoTime()} values passed in (tests drive a fake clock). Thread-safe:
 * results are made on the fan-out thread, acks arrive on the socket's event loop, the executor
 * reads {@link #stride()}.
 */
final class LinkAdapter {

    static final long SECOND = 1_000_000_000L;
    static final long DOWN_WINDOW = SECOND;
    static final long DOWN_HOLD = SECOND;
    static final double DOWN_SUPERSEDED = 0.15;
    /**
     * Down when the median transfer time over the last second exceeds this many frame intervals: by
     * then each result waits for the one before it, and latency grows before anything is superseded.
     */
    static final double DOWN_TRANSFER = 1.0;

    static final int MIN_RESULTS = 5;
    static final long UP_WINDOW = 2 * SECOND;
    /** Up only while (almost) nothing is superseded: a stray one (a hiccup of the machine or the network) is allowed. */
    static final double UP_SUPERSEDED = 0.05;

    static final long UP_HOLD_MIN = 3 * SECOND;
    static final long UP_HOLD_MAX = 48 * SECOND;
    static final long FAILED_UP = 10 * SECOND;
    static final long STABLE = 30 * SECOND;
    static final double UP_BUDGET = 0.6;
    static final long MIN_RTT_WINDOW = 10 * SECOND;

    private final StrideLadder ladder;
    private final ArrayDeque<Long> produced = new ArrayDeque<>();
    private final ArrayDeque<Long> superseded = new ArrayDeque<>();
    /** {time, rtt, bytes, level} of each acknowledged result, the last 10 s. */
    private final ArrayDeque<long[]> acks = new ArrayDeque<>();

    private final double[] meanBytes;
    /** The RTTs {@link #transferNanos} sorts, kept between calls: it runs for nearly every result. */
    private long[] rttScratch = new long[0];

    private volatile int level;
    private long lastChange;
    private long lastUp;
    private long lastDown;
    private long upHold = UP_HOLD_MIN;
    private long steps;

    LinkAdapter(StrideLadder ladder, long now) {
        this.ladder = ladder;
        this.meanBytes = new double[ladder.levels()];
        Arrays.fill(meanBytes, Double.NaN);
        this.lastChange = now;
        this.lastUp = now - 2 * FAILED_UP;
        this.lastDown = now;
    }

    /** The current level: 0 is the densest. */
    int level() {
        return level;
    }

    /** The stride the client's next frame is sampled at. */
    int stride() {
        return ladder.stride(level);
    }

    StrideLadder ladder() {
        return ladder;
    }

    synchronized long steps() {
        return steps;
    }

    synchronized long upHoldNanos() {
        return upHold;
    }

    /** A result was made for this client. */
    synchronized void produced(long now) {
        produced.addLast(now);
    }

    /** A result was replaced by a newer one before it could be sent. */
    synchronized void superseded(long now) {
        superseded.addLast(now);
    }

    /** The client acknowledged a result of {@code bytes} at {@code resultLevel}, {@code rttNanos} after it was sent. */
    synchronized void delivered(long now, long rttNanos, int bytes, int resultLevel) {
        acks.addLast(new long[] {now, rttNanos, bytes, resultLevel});
        if (resultLevel >= 0 && resultLevel < meanBytes.length) {
            double m = meanBytes[resultLevel];
            meanBytes[resultLevel] = Double.isNaN(m) ? bytes : m + (bytes - m) * 0.1;
        }
    }

    /** Applies the rule at {@code now}; returns the (possibly new) level. */
    synchronized int evaluate(long now) {
        prune(produced, now - UP_WINDOW);
        prune(superseded, now - UP_WINDOW);
        while (!acks.isEmpty() && acks.peekFirst()[0] < now - MIN_RTT_WINDOW) {
            acks.removeFirst();
        }
        if (now - lastDown >= STABLE) {
            upHold = UP_HOLD_MIN;
        }
        int made = count(produced, now - DOWN_WINDOW);
        int lost = count(superseded, now - DOWN_WINDOW);
        if (level < ladder.levels() - 1
                && now - lastChange >= DOWN_HOLD
                && made >= MIN_RESULTS
                && (lost >= DOWN_SUPERSEDED * made
                        || transferNanos(now - DOWN_WINDOW) > DOWN_TRANSFER * DOWN_WINDOW / made)) {
            if (now - lastUp < FAILED_UP) {
                upHold = Math.min(upHold * 2, UP_HOLD_MAX);
            }
            change(level + 1, now);
            lastDown = now;
        } else if (level > 0
                && now - lastChange >= upHold
                && superseded.size() <= UP_SUPERSEDED * produced.size()
                && fitsDenser(now)) {
            change(level - 1, now);
            lastUp = now;
        }
        return level;
    }

    /**
     * The median transfer time of this level's results acknowledged since {@code since}: their ack
     * RTT minus the lowest of the last 10 s (the path's own round trip, roughly). 0 with fewer than
     * {@link #MIN_RESULTS} acks: too few to judge.
     */
    private double transferNanos(long since) {
        if (rttScratch.length < acks.size()) {
            rttScratch = new long[Math.max(acks.size(), 2 * rttScratch.length)];
        }
        long minRtt = Long.MAX_VALUE;
        int n = 0;
        for (long[] a : acks) {
            minRtt = Math.min(minRtt, a[1]);
            if (a[0] >= since && a[3] == level) {
                rttScratch[n++] = a[1];
            }
        }
        if (n < MIN_RESULTS) {
            return 0;
        }
        Arrays.sort(rttScratch, 0, n);
        return rttScratch[n / 2] - minRtt;
    }

    /** Transfer time at the current level, scaled to the denser one, within budget of the frame interval. */
    private boolean fitsDenser(long now) {
        int made = produced.size();
        if (made < MIN_RESULTS) {
            return false;
        }
        double bytes = 0;
        int n = 0;
        for (long[] a : acks) {
            if (a[0] >= now - UP_WINDOW && a[3] == level) {
                n++;
                bytes += a[2];
            }
        }
        if (n < MIN_RESULTS) {
            return false;
        }
        double transfer = transferNanos(now - UP_WINDOW);
        double bytesHere = bytes / n;
        double scale = (double) ladder.stride(level) / ladder.stride(level - 1);
        double bytesDenser = Double.isNaN(meanBytes[level - 1]) ? bytesHere * scale * scale : meanBytes[level - 1];
        double interval = (double) UP_WINDOW / made;
        return transfer * (bytesDenser / Math.max(1, bytesHere)) <= UP_BUDGET * interval;
    }

    private void change(int to, long now) {
        level = to;
        lastChange = now;
        steps++;
        // What was measured at the old level says nothing about the new one.
        superseded.clear();
        produced.clear();
    }

    private static void prune(ArrayDeque<Long> times, long before) {
        while (!times.isEmpty() && times.peekFirst() < before) {
            times.removeFirst();
        }
    }

    private static int count(ArrayDeque<Long> times, long since) {
        int n = 0;
        for (Iterator<Long> it = times.descendingIterator(); it.hasNext(); ) {
            if (it.next() < since) {
                break;
            }
            n++;
        }
        return n;
    }
}
