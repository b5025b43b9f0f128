package dev.depthcast.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What a soak run's samples must show (docs/security.md, Soak), as plain functions of the samples
 * so that the rules are tested without a server:
 * <ol>
 *   <li><b>Plateau under load.</b> The load phase's samples are cut in thirds; the first is
 *       warm-up (JIT, pools, encoders) and ignored. For RSS, heap after GC and direct memory, the
 *       largest value of the last third may exceed the largest of the middle third by at most
 *       {@code growthPct} % plus an absolute slack (a few MB: small values are noise); threads and
 *       descriptors by at most a fixed count. A leak grows from the middle third to the last;
 *       a plateau does not. Maxima, not means: a slow leak raises the peaks too, and one sample
 *       caught mid-burst moves a max less than the churn moves a mean.</li>
 *   <li><b>Back near the baseline after the abuse.</b> Once the load and the hostile mix have
 *       stopped, every session has ended and (by default) a full GC has run: no session open;
 *       threads and descriptors within a few of the idle baseline taken before any client came;
 *       heap after GC and direct memory within a few MB of it; RSS within {@code rssReturnMb} of it
 *       and no higher than its peak under load. RSS is not held to the baseline itself: the JVM
 *       keeps some heap committed, glibc keeps freed native memory in its arenas, and libwebrtc's
 *       threads stay; what must not happen is RSS that keeps what each burst took.</li>
 * </ol>
 */
final class Plateau {

    private Plateau() {}

    /** One sample. NaN or -1 where a figure could not be read. */
    record Sample(
            double t,
            String phase,
            double rssMb,
            double heapUsedMb,
            double heapCommittedMb,
            double heapAfterGcMb,
            double directMb,
            int threads,
            int fds,
            int sessions,
            long hostileSent) {

        String row() {
            return String.format(
                    Locale.ROOT,
                    "%7.0f  %-8s %8.1f %8.1f %8.1f %9.1f %8.1f %7d %5d %8d %8d",
                    t,
                    phase,
                    rssMb,
                    heapUsedMb,
                    heapCommittedMb,
                    heapAfterGcMb,
                    directMb,
                    threads,
                    fds,
                    sessions,
                    hostileSent);
        }

        JsonObject json() {
            return new JsonObject()
                    .put("t", round(t))
                    .put("phase", phase)
                    .put("rssMb", round(rssMb))
                    .put("heapUsedMb", round(heapUsedMb))
                    .put("heapCommittedMb", round(heapCommittedMb))
                    .put("heapAfterGcMb", round(heapAfterGcMb))
                    .put("directMb", round(directMb))
                    .put("threads", threads)
                    .put("fds", fds)
                    .put("sessions", sessions)
                    .put("hostileSent", hostileSent);
        }

        String csv() {
            return String.format(
                    Locale.ROOT,
                    "%.1f,%s,%.1f,%.1f,%.1f,%.1f,%.2f,%d,%d,%d,%d",
                    t,
                    phase,
                    rssMb,
                    heapUsedMb,
                    heapCommittedMb,
                    heapAfterGcMb,
                    directMb,
                    threads,
                    fds,
                    sessions,
                    hostileSent);
        }
    }

    static String header() {
        return String.format(
                Locale.ROOT,
                "%7s  %-8s %8s %8s %8s %9s %8s %7s %5s %8s %8s",
                "t s",
                "phase",
                "rss MB",
                "heap MB",
                "commit",
                "heap-gc",
                "direct",
                "threads",
                "fds",
                "sessions",
                "hostile");
    }

    static String csv(List<Sample> samples) {
        StringBuilder b =
                new StringBuilder("t_s,phase,rss_mb,heap_used_mb,heap_committed_mb,heap_after_gc_mb,direct_mb,"
                        + "threads,fds,sessions,hostile_sent\n");
        for (Sample s : samples) {
            b.append(s.csv()).append('\n');
        }
        return b.toString();
    }

    /** The figures the sampler reads from the server's Prometheus text (docs/security.md). */
    record Metrics(double heapUsedMb, double heapCommittedMb, double heapAfterGcMb, double directMb, int sessions) {

        static Metrics parse(String prometheus) {
            double heapUsed = 0;
            double heapCommitted = 0;
            double afterGc = Double.NaN;
            double jdkDirect = Double.NaN;
            double nettyDirect = -1;
            int sessions = -1;
            boolean any = false;
            for (String line : prometheus.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                double v;
                try {
                    v = Double.parseDouble(line.substring(space + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                String name = line.substring(0, space);
                if (name.startsWith("jvm_memory_used_bytes{") && name.contains("area=\"heap\"")) {
                    heapUsed += v;
                    any = true;
                } else if (name.startsWith("jvm_memory_committed_bytes{") && name.contains("area=\"heap\"")) {
                    heapCommitted += v;
                } else if (name.equals("depthcast_jvm_heap_after_gc_bytes")) {
                    afterGc = v < 0 ? Double.NaN : v;
                } else if (name.startsWith("jvm_buffer_memory_used_bytes{") && name.contains("id=\"direct\"")) {
                    jdkDirect = v;
                } else if (name.equals("depthcast_netty_direct_used_bytes")) {
                    nettyDirect = v;
                } else if (name.equals("depthcast_sessions")) {
                    sessions = (int) v;
                }
            }
            if (!any) {
                return new Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1);
            }
            // Netty's own count, where it keeps one, is direct memory the JDK's pool does not see.
            double direct = jdkDirect + Math.max(0, nettyDirect);
            double mb = 1024 * 1024;
            return new Metrics(heapUsed / mb, heapCommitted / mb, afterGc / mb, direct / mb, sessions);
        }
    }

    /** The thresholds; {@link #defaults()} are docs/security.md's. */
    record Limits(
            double growthPct,
            double rssSlackMb,
            double heapSlackMb,
            double directSlackMb,
            int threadSlack,
            int fdSlack,
            double rssReturnMb,
            double heapReturnMb,
            double directReturnMb,
            int threadReturn,
            int fdReturn) {

        static Limits defaults() {
            return new Limits(10, 32, 24, 8, 10, 40, 192, 32, 16, 40, 24);
        }

        Limits withGrowthPct(double pct) {
            return new Limits(
                    pct,
                    rssSlackMb,
                    heapSlackMb,
                    directSlackMb,
                    threadSlack,
                    fdSlack,
                    rssReturnMb,
                    heapReturnMb,
                    directReturnMb,
                    threadReturn,
                    fdReturn);
        }

        Limits withRssReturnMb(double mb) {
            return new Limits(
                    growthPct,
                    rssSlackMb,
                    heapSlackMb,
                    directSlackMb,
                    threadSlack,
                    fdSlack,
                    mb,
                    heapReturnMb,
                    directReturnMb,
                    threadReturn,
                    fdReturn);
        }

        JsonObject json() {
            return new JsonObject()
                    .put("growthPct", growthPct)
                    .put("rssSlackMb", rssSlackMb)
                    .put("heapSlackMb", heapSlackMb)
                    .put("directSlackMb", directSlackMb)
                    .put("threadSlack", threadSlack)
                    .put("fdSlack", fdSlack)
                    .put("rssReturnMb", rssReturnMb)
                    .put("heapReturnMb", heapReturnMb)
                    .put("directReturnMb", directReturnMb)
                    .put("threadReturn", threadReturn)
                    .put("fdReturn", fdReturn);
        }
    }

    record Check(String name, boolean pass, String detail) {
        JsonObject json() {
            return new JsonObject().put("name", name).put("pass", pass).put("detail", detail);
        }
    }

    static List<Check> assess(List<Sample> samples, Limits l) {
        return assess(samples, l, Double.NaN);
    }

    /**
     * @param liveHeapMb the heap after a full collection taken once the end samples are in (NaN: not
     *     taken). A leak is what a full collection cannot free; the latest collection of an idle
     *     server may have been a young one, after which old-generation garbage still counts.
     */
    static List<Check> assess(List<Sample> samples, Limits l, double liveHeapMb) {
        List<Check> out = new ArrayList<>();
        List<Sample> base = phase(samples, "baseline");
        List<Sample> load = phase(samples, "load");
        List<Sample> end = phase(samples, "end");
        if (base.isEmpty() || load.size() < 6 || end.isEmpty()) {
            out.add(new Check(
                    "enough samples",
                    false,
                    base.size() + " baseline, " + load.size() + " load (need 6), " + end.size() + " end samples"));
            return out;
        }
        int third = load.size() / 3;
        List<Sample> middle = load.subList(third, 2 * third);
        List<Sample> last = load.subList(2 * third, load.size());
        out.add(grows("plateau: RSS", middle, last, Sample::rssMb, l.growthPct(), l.rssSlackMb(), "MB"));
        out.add(grows(
                "plateau: heap after GC", middle, last, Sample::heapAfterGcMb, l.growthPct(), l.heapSlackMb(), "MB"));
        out.add(grows(
                "plateau: direct memory", middle, last, Sample::directMb, l.growthPct(), l.directSlackMb(), "MB"));
        out.add(grows("plateau: threads", middle, last, Sample::threads, 0, l.threadSlack(), ""));
        out.add(grows("plateau: descriptors", middle, last, Sample::fds, 0, l.fdSlack(), ""));

        Sample e = end.get(end.size() - 1);
        out.add(new Check("after: no session left", e.sessions() == 0, e.sessions() + " open"));
        out.add(back("after: threads", base, e, Sample::threads, l.threadReturn(), ""));
        out.add(back("after: descriptors", base, e, Sample::fds, l.fdReturn(), ""));
        out.add(
                Double.isNaN(liveHeapMb)
                        ? back("after: heap after GC", base, e, Sample::heapAfterGcMb, l.heapReturnMb(), " MB")
                        : back(
                                "after: heap after a full GC",
                                median(base, Sample::heapAfterGcMb),
                                liveHeapMb,
                                l.heapReturnMb(),
                                " MB"));
        out.add(back("after: direct memory", base, e, Sample::directMb, l.directReturnMb(), " MB"));
        out.add(back("after: RSS", base, e, Sample::rssMb, l.rssReturnMb(), " MB"));
        double loadPeak = max(load, Sample::rssMb);
        out.add(new Check(
                "after: RSS not above its peak under load",
                e.rssMb() <= loadPeak + l.rssSlackMb(),
                String.format(
                        Locale.ROOT,
                        "end %.1f MB, peak under load %.1f MB (+%.0f MB slack)",
                        e.rssMb(),
                        loadPeak,
                        l.rssSlackMb())));
        return out;
    }

    private static Check grows(
            String name,
            List<Sample> middle,
            List<Sample> last,
            ToDoubleFunction<Sample> f,
            double pct,
            double slack,
            String unit) {
        double m = max(middle, f);
        double z = max(last, f);
        double allowed = m * (1 + pct / 100) + slack;
        boolean ok = !Double.isNaN(m) && !Double.isNaN(z) && z <= allowed;
        return new Check(
                name,
                ok,
                String.format(
                        Locale.ROOT,
                        "max of the last third %.1f%s vs middle third %.1f%s " + "(allowed %.1f: +%.0f%% +%.0f)",
                        z,
                        unit,
                        m,
                        unit,
                        allowed,
                        pct,
                        slack));
    }

    private static Check back(
            String name, List<Sample> base, Sample end, ToDoubleFunction<Sample> f, double slack, String unit) {
        return back(name, median(base, f), f.applyAsDouble(end), slack, unit);
    }

    private static Check back(String name, double b, double e, double slack, String unit) {
        boolean ok = !Double.isNaN(b) && !Double.isNaN(e) && e <= b + slack;
        return new Check(
                name,
                ok,
                String.format(
                        Locale.ROOT, "end %.1f%s, idle baseline %.1f%s (allowed +%.0f)", e, unit, b, unit, slack));
    }

    /** Baseline (median of the idle samples), peak (any phase), end (last sample) per figure. */
    static JsonObject summary(List<Sample> samples) {
        JsonObject o = new JsonObject();
        List<Sample> base = phase(samples, "baseline");
        List<Sample> end = phase(samples, "end");
        String[] names = {"rssMb", "heapUsedMb", "heapAfterGcMb", "directMb", "threads", "fds", "sessions"};
        List<ToDoubleFunction<Sample>> fs = List.of(
                Sample::rssMb,
                Sample::heapUsedMb,
                Sample::heapAfterGcMb,
                Sample::directMb,
                Sample::threads,
                Sample::fds,
                Sample::sessions);
        List<Sample> load = phase(samples, "load");
        List<Sample> settled = load.subList(load.size() / 3, load.size());
        for (int i = 0; i < names.length; i++) {
            ToDoubleFunction<Sample> f = fs.get(i);
            o.put(
                    names[i],
                    new JsonObject()
                            .put("baseline", round(median(base, f)))
                            .put("peak", round(max(samples, f)))
                            .put("end", end.isEmpty() ? null : round(f.applyAsDouble(end.get(end.size() - 1))))
                            .put("perMinute", round(slopePerMinute(settled, f))));
        }
        return o;
    }

    /**
     * Least-squares slope per minute over the samples given (the load after its warm-up third):
     * reported beside the verdicts, not one of them — a slow drift (a few MB a minute) stays inside
     * the plateau slack in a 2-minute run, and only a long run shows whether it levels off.
     */
    static double slopePerMinute(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double n = 0;
        double st = 0;
        double sv = 0;
        double stt = 0;
        double stv = 0;
        for (Sample s : samples) {
            double v = f.applyAsDouble(s);
            if (Double.isNaN(v) || v < 0) {
                continue;
            }
            double t = s.t() / 60;
            n++;
            st += t;
            sv += v;
            stt += t * t;
            stv += t * v;
        }
        double d = n * stt - st * st;
        return n < 3 || d == 0 ? Double.NaN : (n * stv - st * sv) / d;
    }

    static String summaryTable(List<Sample> samples) {
        JsonObject s = summary(samples);
        StringBuilder b = new StringBuilder(
                String.format(Locale.ROOT, "%-16s %10s %10s %10s %12s%n", "", "baseline", "peak", "end", "drift/min"));
        for (String k : s.fieldNames()) {
            JsonObject v = s.getJsonObject(k);
            b.append(String.format(
                    Locale.ROOT,
                    "%-16s %10s %10s %10s %12s%n",
                    k,
                    v.getValue("baseline"),
                    v.getValue("peak"),
                    v.getValue("end"),
                    v.getValue("perMinute")));
        }
        b.append("drift/min: least-squares slope under load after the warm-up third (reported, not judged)\n");
        return b.toString();
    }

    private static List<Sample> phase(List<Sample> samples, String phase) {
        return samples.stream().filter(s -> s.phase().equals(phase)).toList();
    }

    private static double max(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double m = Double.NaN;
        for (Sample s : samples) {
            double v = f.applyAsDouble(s);
            if (!Double.isNaN(v) && v >= 0 && (Double.isNaN(m) || v > m)) {
                m = v;
            }
        }
        return m;
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> f) {
        List<Double> v = new ArrayList<>();
        for (Sample s : samples) {
            double x = f.applyAsDouble(s);
            if (!Double.isNaN(x) && x >= 0) {
                v.add(x);
            }
        }
        return Stats.median(Stats.sorted(v));
    }

    private static double round(double v) {
        return Double.isNaN(v) ? Double.NaN : Math.round(v * 10) / 10.0;
    }
}
