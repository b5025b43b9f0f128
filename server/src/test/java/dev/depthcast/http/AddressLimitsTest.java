package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-address session count and rate, on a fake clock. */
class AddressLimitsTest {

    final AtomicLong clock = new AtomicLong();
    final Set<String> open = new HashSet<>();

    @Test
    void concurrentSessionsPerAddressAreCappedAndFreedWhenTheyClose() {
        AddressLimits limits = new AddressLimits(2, 100, open::contains, clock::get);
        admit(limits, "10.0.0.1", "a");
        admit(limits, "10.0.0.1", "b");
        AddressLimits.Refused refused = assertThrows(AddressLimits.Refused.class, () -> limits.admit("10.0.0.1"));
        assertTrue(refused.getMessage().contains("--max-sessions-per-ip"), refused.getMessage());
        assertDoesNotThrow(() -> limits.admit("10.0.0.2").failed(), "another address is not affected");
        open.remove("a"); // closed by DELETE, the reaper, a failed peer: whichever
        admit(limits, "10.0.0.1", "c");
        // A pending creation counts too, so two racing POSTs cannot both slip past the cap.
        open.remove("b");
        AddressLimits.Reservation pending = limits.admit("10.0.0.1");
        assertThrows(AddressLimits.Refused.class, () -> limits.admit("10.0.0.1"));
        pending.failed();
        admit(limits, "10.0.0.1", "d");
    }

    @Test
    void creationRateIsATokenBucketOfTheMinuteRate() {
        AddressLimits limits = new AddressLimits(1000, 3, open::contains, clock::get);
        for (int i = 0; i < 3; i++) {
            admit(limits, "10.0.0.1", "s" + i);
        }
        AddressLimits.Refused refused = assertThrows(AddressLimits.Refused.class, () -> limits.admit("10.0.0.1"));
        assertTrue(refused.getMessage().contains("3 a minute"), refused.getMessage());
        assertEquals(20, refused.retryAfterSeconds(), "one token comes back every 20 s at 3 a minute");
        clock.addAndGet(19_000_000_000L);
        assertThrows(AddressLimits.Refused.class, () -> limits.admit("10.0.0.1"));
        clock.addAndGet(1_000_000_000L);
        admit(limits, "10.0.0.1", "s3");
    }

    @Test
    void idleAddressesArePrunedSoTheTableCannotGrowWithoutBound() {
        AddressLimits limits = new AddressLimits(10, 10, open::contains, clock::get);
        for (int i = 0; i < 10_050; i++) {
            limits.admit("10.1." + (i / 256) + "." + (i % 256)).failed();
        }
        clock.addAndGet(120_000_000_000L); // every bucket refilled
        limits.admit("10.9.9.9").failed();
        assertTrue(limits.trackedAddresses() < 10, "pruned to " + limits.trackedAddresses());
    }

    private void admit(AddressLimits limits, String address, String id) {
        limits.admit(address).opened(id);
        open.add(id);
    }
}
