package dev.depthcast.http;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Per-address session limits: how many sessions one remote address may hold at once, and how
 * many it may create a minute (a token bucket: the full rate is also the burst). Without them
 * one browser tab — or any page a visitor opens — could hold every {@code --max-clients} slot.
 *
 * <p>Sessions end in several places (DELETE, a failed peer, the reaper), so this class does not
 * track their ends: it keeps the ids it admitted and asks {@code isOpen} which are still there.
 */
public final class AddressLimits {

    /** Entries kept before idle ones are pruned (an address with no session and a full bucket). */
    private static final int PRUNE_AT = 10_000;

    private final int maxSessions;
    private final int perMinute;
    private final Predicate<String> isOpen;
    private final LongSupplier nanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        final Set<String> sessions = new HashSet<>();
        int pending;
        double tokens;
        long refilledNanos;
    }

    /** An admitted creation: report how it ended. */
    public interface Reservation {
        void opened(String sessionId);

        void failed();
    }

    public AddressLimits(int maxSessions, int perMinute, Predicate<String> isOpen) {
        this(maxSessions, perMinute, isOpen, System::nanoTime);
    }

    AddressLimits(int maxSessions, int perMinute, Predicate<String> isOpen, LongSupplier nanos) {
        this.maxSessions = maxSessions;
        this.perMinute = perMinute;
        this.isOpen = isOpen;
        this.nanos = nanos;
    }

    /** The refusal of a session creation: the reason and when to retry. */
    public static final class Refused extends RuntimeException {
        private final long retryAfterSeconds;

        Refused(String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Admits a session creation from this address or throws {@link Refused}. */
    public Reservation admit(String address) {
        if (entries.size() > PRUNE_AT) {
            prune();
        }
        Entry e = entries.computeIfAbsent(address, a -> {
            Entry fresh = new Entry();
            fresh.tokens = perMinute;
            fresh.refilledNanos = nanos.getAsLong();
            return fresh;
        });
        synchronized (e) {
            e.sessions.removeIf(id -> !isOpen.test(id));
            if (e.sessions.size() + e.pending >= maxSessions) {
                throw new Refused(
                        "your address already has " + maxSessions + " sessions open, the most one address "
                                + "may (--max-sessions-per-ip); close one first",
                        5);
            }
            long now = nanos.getAsLong();
            e.tokens = Math.min(perMinute, e.tokens + (now - e.refilledNanos) * perMinute / 60e9);
            e.refilledNanos = now;
            if (e.tokens < 1) {
                long wait = (long) Math.ceil((1 - e.tokens) * 60 / perMinute);
                throw new Refused(
                        "too many new sessions from your address: at most " + perMinute
                                + " a minute (--sessions-per-minute); retry in " + wait + " s",
                        wait);
            }
            e.tokens -= 1;
            e.pending++;
        }
        return new Reservation() {
            @Override
            public void opened(String sessionId) {
                synchronized (e) {
                    e.pending--;
                    e.sessions.add(sessionId);
                }
            }

            @Override
            public void failed() {
                synchronized (e) {
                    e.pending--;
                }
            }
        };
    }

    int trackedAddresses() {
        return entries.size();
    }

    private void prune() {
        long now = nanos.getAsLong();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            synchronized (e) {
                e.sessions.removeIf(id -> !isOpen.test(id));
                double tokens = Math.min(perMinute, e.tokens + (now - e.refilledNanos) * perMinute / 60e9);
                if (e.sessions.isEmpty() && e.pending == 0 && tokens >= perMinute) {
                    it.remove();
                }
            }
        }
    }
}
