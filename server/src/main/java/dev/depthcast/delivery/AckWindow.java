package dev.depthcast.delivery;

import java.util.ArrayDeque;

/**
 * The results a client has been sent and has not acknowledged yet (docs/protocol.md, "Acks"):
 * at most {@code size} of them, so a result counts as delivered when the client says it has it,
 * not when the kernel took the bytes. A client that has never acked is not held to the window
 * (a client that does not ack, as a schema-1 client need not, is paced by its socket alone); one
 * ack and it is. A result unacknowledged
 * for {@code timeoutNanos} stops holding its place (counted), so a client that stops acking
 * slows to a trickle instead of stalling for good.
 *
 * <p>Used from one thread only: the socket's event loop.
 */
final class AckWindow {

    /** A result on its way: its frame number, size, level and when it was written. */
    record Sent(long seq, int bytes, int level, long sentNanos) {}

    /** A result the client acknowledged, and how long that took. */
    record Acked(Sent sent, long rttNanos) {}

    private final int size;
    private final long timeoutNanos;
    private final ArrayDeque<Sent> unacked = new ArrayDeque<>();
    private boolean acking;
    private long timeouts;

    AckWindow(int size, long timeoutNanos) {
        if (size < 1) {
            throw new IllegalArgumentException("ack window must be >= 1, got " + size);
        }
        this.size = size;
        this.timeoutNanos = timeoutNanos;
    }

    /** A result was written to the socket. */
    void sent(Sent s) {
        unacked.addLast(s);
        // A client that does not ack is not tracked beyond the window (its acks, if they start, count from there).
        while (!acking && unacked.size() > size) {
            unacked.removeFirst();
        }
    }

    /** True when another result may be written now; expires results unacknowledged for too long. */
    boolean hasRoom(long now) {
        if (!acking) {
            return true;
        }
        while (!unacked.isEmpty() && now - unacked.peekFirst().sentNanos() > timeoutNanos) {
            unacked.removeFirst();
            timeouts++;
        }
        return unacked.size() < size;
    }

    /**
     * The client acknowledged result {@code seq} (and so every earlier one), or with {@code seq < 0}
     * the oldest one. Returns the one it named (null if none was outstanding); earlier ones are
     * let go without an RTT of their own.
     */
    Acked ack(long seq, long now) {
        acking = true;
        if (seq < 0) {
            Sent s = unacked.pollFirst();
            return s == null ? null : new Acked(s, now - s.sentNanos());
        }
        Acked named = null;
        while (!unacked.isEmpty() && unacked.peekFirst().seq() <= seq) {
            Sent s = unacked.removeFirst();
            if (s.seq() == seq) {
                named = new Acked(s, now - s.sentNanos());
            }
        }
        return named;
    }

    int outstanding() {
        return unacked.size();
    }

    boolean acking() {
        return acking;
    }

    long timeouts() {
        return timeouts;
    }

    int size() {
        return size;
    }
}
