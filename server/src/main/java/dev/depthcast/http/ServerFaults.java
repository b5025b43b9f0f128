package dev.depthcast.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real server faults (the 5xx that are our bug, not the client's): each gets an incident number
 * for the response, and the log gets one line with a stack trace per fault — at most one per
 * interval, so a client that found a way to make us fail cannot fill the disk. The faults not
 * logged are counted and the count is printed with the next one that is.
 */
public final class ServerFaults {

    private static final Logger LOG = LoggerFactory.getLogger(ServerFaults.class);

    private final long intervalNanos;
    private final AtomicLong incidents = new AtomicLong();
    private final AtomicLong lastLoggedNanos = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong unlogged = new AtomicLong();

    public ServerFaults(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Records a fault; returns its incident number (safe to show a client: it says nothing of the cause). */
    public long record(String what, Throwable cause) {
        long incident = incidents.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLoggedNanos.get();
        if (now - last >= intervalNanos && lastLoggedNanos.compareAndSet(last, now)) {
            long skipped = unlogged.getAndSet(0);
            LOG.error(
                    "internal error #{}: {}{}",
                    incident,
                    what,
                    skipped > 0 ? " (" + skipped + " more since the last one logged)" : "",
                    cause);
        } else {
            unlogged.incrementAndGet();
        }
        return incident;
    }

    public long count() {
        return incidents.get();
    }

    /** The body text for a fault: no exception text, class name or address, only the incident number. */
    public static String publicMessage(long incident) {
        return "internal server error #" + incident + " (logged on the server)";
    }
}
