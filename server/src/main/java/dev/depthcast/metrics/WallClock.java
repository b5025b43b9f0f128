package dev.depthcast.metrics;

import java.time.Instant;

/** The wall clock in Unix-epoch microseconds, the unit of every timestamp on the wire. */
public final class WallClock {

    private WallClock() {}

    public static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
