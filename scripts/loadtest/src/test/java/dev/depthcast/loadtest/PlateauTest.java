package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's verdicts on made-up series: a plateau passes, a leak or a failure to come back fails. */
class PlateauTest {

    /** Baseline, 30 load samples from {@code rss(i)}, then end samples at {@code endRss}. */
    static List<Plateau.Sample> series(
            java.util.function.IntToDoubleFunction rss,
            java.util.function.IntUnaryOperator threads,
            double endRss,
            int endThreads) {
        List<Plateau.Sample> s = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            s.add(new Plateau.Sample(i * 5, "baseline", 210, 30, 380, 27, 7, 32, 66, 0, 0));
        }
        for (int i = 0; i < 30; i++) {
            // Heap used saw-tooths, sessions churn: noise the verdicts must not mind.
            s.add(new Plateau.Sample(
                    15 + i * 5,
                    "load",
                    rss.applyAsDouble(i),
                    50 + (i % 4) * 80,
                    380,
                    30 + i % 3,
                    9.5,
                    threads.applyAsInt(i),
                    90 + (i % 3) * 30,
                    4 + i % 5,
                    i * 3L));
        }
        for (int i = 0; i < 3; i++) {
            s.add(new Plateau.Sample(200 + i * 5, "end", endRss, 32, 110, 31, 18, endThreads, 73, 0, 90));
        }
        return s;
    }

    static boolean passed(List<Plateau.Check> checks, String name) {
        return checks.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow()
                .pass();
    }

    @Test
    void aPlateauThatComesBackPasses() {
        List<Plateau.Check> c = Plateau.assess(
                series(i -> i < 5 ? 210 + i * 70 : 560 + (i % 2) * 10, i -> 60 + i % 7, 330, 56),
                Plateau.Limits.defaults());
        c.forEach(x -> assertTrue(x.pass(), x.name() + ": " + x.detail()));
    }

    @Test
    void steadyGrowthIsALeak() {
        // +4 MB and one thread per sample: the last third's peaks are well above the middle's.
        List<Plateau.Check> c =
                Plateau.assess(series(i -> 300 + i * 12, i -> 40 + i * 2, 600, 60), Plateau.Limits.defaults());
        assertFalse(passed(c, "plateau: RSS"));
        assertFalse(passed(c, "plateau: threads"));
        assertTrue(passed(c, "plateau: heap after GC"));
    }

    @Test
    void notComingBackAfterTheLoadFails() {
        List<Plateau.Check> c = Plateau.assess(series(i -> 560, i -> 60, 560 + 40, 32 + 41), Plateau.Limits.defaults());
        assertFalse(passed(c, "after: RSS not above its peak under load"), "end RSS above the load's peak + 32 MB");
        assertFalse(passed(c, "after: threads"));
        assertFalse(passed(c, "after: RSS"), "600 MB vs 210 + 192");
    }

    @Test
    void theDriftIsTheSlopePerMinute() {
        // 12 MB a sample, a sample every 5 s: 144 MB a minute.
        var summary = Plateau.summary(series(i -> 300 + i * 12, i -> 40, 600, 60));
        assertEquals(144, summary.getJsonObject("rssMb").getDouble("perMinute"), 0.5);
        assertEquals(0, summary.getJsonObject("directMb").getDouble("perMinute"), 1e-6);
    }

    @Test
    void tooFewSamplesIsNotAPass() {
        List<Plateau.Sample> s = series(i -> 300, i -> 40, 300, 40).subList(0, 6);
        List<Plateau.Check> c = Plateau.assess(s, Plateau.Limits.defaults());
        assertEquals(1, c.size());
        assertFalse(c.get(0).pass());
    }

    @Test
    void readsTheServersPrometheusText() {
        Plateau.Metrics m = Plateau.Metrics.parse("""
                # HELP jvm_memory_used_bytes x
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.097152E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
                jvm_memory_committed_bytes{area="heap",id="G1 Old Gen"} 1.048576E8
                jvm_buffer_memory_used_bytes{id="direct"} 4194304.0
                depthcast_netty_direct_used_bytes -1.0
                depthcast_jvm_heap_after_gc_bytes 2.62144E7
                depthcast_sessions 3.0
                """);
        assertEquals(30, m.heapUsedMb(), 1e-9);
        assertEquals(100, m.heapCommittedMb(), 1e-9);
        assertEquals(25, m.heapAfterGcMb(), 1e-9);
        assertEquals(4, m.directMb(), 1e-9);
        assertEquals(3, m.sessions());
        assertTrue(Double.isNaN(Plateau.Metrics.parse("").heapUsedMb()), "no metrics: NaN, not 0");
    }

    @Test
    void theLeakCheckTakesTheHeapAfterAFullCollectionWhenThereIsOne() {
        // The idle server's latest collection left 80 MB (old-generation garbage); a full one, 40.
        List<Plateau.Sample> s = new ArrayList<>(series(i -> 560, i -> 60, 560, 60));
        s.replaceAll(x ->
                x.phase().equals("end") ? new Plateau.Sample(x.t(), "end", 560, 90, 110, 80, 18, 60, 73, 0, 90) : x);
        assertFalse(passed(Plateau.assess(s, Plateau.Limits.defaults()), "after: heap after GC"));
        List<Plateau.Check> c = Plateau.assess(s, Plateau.Limits.defaults(), 40);
        assertTrue(passed(c, "after: heap after a full GC"));
        assertFalse(passed(Plateau.assess(s, Plateau.Limits.defaults(), 95), "after: heap after a full GC"));
    }
}
