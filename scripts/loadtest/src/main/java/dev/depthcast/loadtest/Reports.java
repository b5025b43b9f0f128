package dev.depthcast.loadtest;

import dev.depthcast.loadtest.ClientProbe.Sample;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The report of a run: built as JSON, printed as a table, drawn as a self-contained HTML page. */
final class Reports {

    private Reports() {}

    static JsonObject build(
            LoadRun.Settings s,
            JsonObject serverInfo,
            JsonObject serverAfter,
            List<ClientProbe> probes,
            long startNanos,
            long windowStart,
            long windowEnd,
            List<JsonObject> serverTimeline) {
        double windowS = (windowEnd - windowStart) / 1e9;
        JsonArray clients = new JsonArray();
        List<Sample> pooled = new ArrayList<>();
        double[] fps = new double[probes.size()];
        long totalResults = 0;
        long totalMatched = 0;
        double pushFpsSum = 0;
        long windowDrops = 0;
        long mailboxTotal = 0;
        long supersededTotal = 0;
        long videoLostTotal = 0;
        JsonArray serverSessions = LoadRun.sessionsOf(serverAfter);
        for (int i = 0; i < probes.size(); i++) {
            ClientProbe p = probes.get(i);
            List<Sample> w = p.samples().stream()
                    .filter(x -> x.decodedNanos() >= windowStart && x.decodedNanos() < windowEnd)
                    .toList();
            long pushes = p.pushes().stream()
                    .filter(t -> t >= windowStart && t < windowEnd)
                    .count();
            List<Sample> matched = w.stream().filter(Sample::matched).toList();
            pooled.addAll(w);
            fps[i] = w.size() / windowS;
            totalResults += w.size();
            totalMatched += matched.size();
            pushFpsSum += pushes / windowS;
            long drops =
                    w.size() >= 2 ? w.get(w.size() - 1).dropped() - w.get(0).dropped() : 0;
            long gaps = w.size() >= 2 ? (w.get(w.size() - 1).seq() - w.get(0).seq() + 1) - w.size() : 0;
            windowDrops += drops;
            JsonObject c = new JsonObject()
                    .put("client", p.id)
                    .put(
                            "session",
                            p.sessionId == null ? null : p.sessionId.substring(0, Math.min(6, p.sessionId.length())))
                    .put("pushFps", Stats.round1(pushes / windowS))
                    .put("results", w.size())
                    .put("resultFps", Stats.round1(fps[i]))
                    .put("matched", matched.size())
                    .put("latencyMs", percentiles(matched, Sample::latencyMs))
                    .put("staleFrames", percentiles(matched, x -> x.staleFrames()))
                    .put("bytesPerFrame", Stats.round1(mean(w, x -> x.bytes())))
                    .put("pointsPerFrame", Stats.round1(mean(w, x -> x.points())))
                    .put("batchMean", Stats.round3(mean(w, x -> x.batch())))
                    .put("breakdownMsP50", breakdown(matched, w))
                    .put("queueMsP99", Stats.round1(Stats.percentile(sorted(w, Sample::queueMs), 99)))
                    .put("droppedInWindow", drops)
                    .put("seqGapsInWindow", gaps);
            // Session totals by reason, from the server's own counters (whole session, not just the window).
            JsonObject srv = findSession(serverSessions, p.sessionId);
            if (srv != null) {
                long framesIn = srv.getLong("framesIn", 0L);
                long mailbox = srv.getLong("droppedInMailbox", 0L);
                long superseded = srv.getLong("resultsSuperseded", 0L);
                long lost = Math.max(0, p.framesPushed() - framesIn);
                mailboxTotal += mailbox;
                supersededTotal += superseded;
                videoLostTotal += lost;
                c.put(
                        "sessionTotals",
                        new JsonObject()
                                .put("framesPushed", p.framesPushed())
                                .put("framesIn", framesIn)
                                .put("videoLost", lost)
                                .put("mailboxReplaced", mailbox)
                                .put("resultsSuperseded", superseded));
            }
            if (p.failure != null) {
                c.put("failure", p.failure);
            }
            clients.add(c);
        }
        double[] fpsSorted = Stats.sorted(fps.clone());
        double medianFps = Stats.median(fpsSorted);
        List<Sample> pooledMatched = pooled.stream().filter(Sample::matched).toList();
        JsonObject overall = new JsonObject()
                .put("windowS", Stats.round3(windowS))
                .put("resultFps", Stats.round1(totalResults / windowS))
                .put("pushFps", Stats.round1(pushFpsSum))
                .put(
                        "resultFpsPerClient",
                        new JsonObject()
                                .put("min", Stats.round1(fpsSorted[0]))
                                .put("median", Stats.round1(medianFps))
                                .put("max", Stats.round1(fpsSorted[fpsSorted.length - 1])))
                .put(
                        "fairness",
                        new JsonObject()
                                .put(
                                        "minOverMedian",
                                        Stats.round3(medianFps == 0 ? Double.NaN : fpsSorted[0] / medianFps))
                                .put("jain", Stats.round3(Stats.jain(fps)))
                                .put(
                                        "spreadPct",
                                        Stats.round1(
                                                medianFps == 0
                                                        ? Double.NaN
                                                        : 100
                                                                * (fpsSorted[fpsSorted.length - 1] - fpsSorted[0])
                                                                / medianFps)))
                .put("latencyMs", percentiles(pooledMatched, Sample::latencyMs))
                .put("staleFrames", percentiles(pooledMatched, x -> x.staleFrames()))
                .put("queueMsP99", Stats.round1(Stats.percentile(sorted(pooled, Sample::queueMs), 99)))
                .put("breakdownMsP50", breakdown(pooledMatched, pooled))
                .put("bytesPerFrame", Stats.round1(mean(pooled, x -> x.bytes())))
                .put("batchMean", Stats.round3(mean(pooled, x -> x.batch())))
                .put("matchedPct", Stats.round1(totalResults == 0 ? Double.NaN : 100.0 * totalMatched / totalResults))
                .put("droppedInWindow", windowDrops)
                .put(
                        "sessionDrops",
                        new JsonObject()
                                .put("videoLost", videoLostTotal)
                                .put("mailboxReplaced", mailboxTotal)
                                .put("resultsSuperseded", supersededTotal));
        JsonObject report = new JsonObject()
                .put("tool", "depthcast-loadtest")
                .put("settings", s.json())
                .put("server", serverInfo)
                .put("overall", overall)
                .put("clients", clients)
                .put("serverMetricsAfter", serverAfter.getJsonObject("metrics", new JsonObject()))
                .put("timeline", timeline(probes, startNanos, windowStart, windowEnd, serverTimeline));
        return report;
    }

    /**
     * Adds what each client's encoder did over the window: the resolution it sent at the end,
     * whether libwebrtc limited quality (cpu / bandwidth) and how often it changed resolution,
     * frames encoded per second and encode time per frame.
     */
    static void addSenderStats(
            JsonObject report,
            List<java.util.Map<String, Object>> start,
            List<java.util.Map<String, Object>> end,
            double windowS) {
        JsonArray clients = report.getJsonArray("clients");
        java.util.Map<String, Integer> sizes = new java.util.TreeMap<>();
        java.util.Map<String, Integer> limits = new java.util.TreeMap<>();
        for (int i = 0; i < clients.size() && i < end.size(); i++) {
            java.util.Map<String, Object> e = end.get(i);
            if (e.isEmpty()) {
                continue;
            }
            java.util.Map<String, Object> b = i < start.size() ? start.get(i) : java.util.Map.of();
            JsonObject sender = new JsonObject();
            Object w = e.get("frameWidth");
            Object h = e.get("frameHeight");
            String size = w == null || h == null
                    ? "?"
                    : number(w).intValue() + "x" + number(h).intValue();
            sender.put("size", size);
            String reason = String.valueOf(e.getOrDefault("qualityLimitationReason", "?"));
            sender.put("qualityLimitationReason", reason);
            sender.put("resolutionChanges", number(e.get("qualityLimitationResolutionChanges")));
            double frames = delta(b, e, "framesEncoded");
            sender.put("encodedFps", Stats.round1(frames / windowS));
            sender.put(
                    "encodeMsPerFrame",
                    Stats.round1(frames > 0 ? delta(b, e, "totalEncodeTime") * 1000 / frames : Double.NaN));
            clients.getJsonObject(i).put("sender", sender);
            sizes.merge(size, 1, Integer::sum);
            limits.merge(reason, 1, Integer::sum);
        }
        report.getJsonObject("overall")
                .put(
                        "sender",
                        new JsonObject()
                                .put("sizesAtEnd", new JsonObject(new java.util.LinkedHashMap<>(sizes)))
                                .put("qualityLimitation", new JsonObject(new java.util.LinkedHashMap<>(limits))));
    }

    private static Number number(Object v) {
        if (v instanceof Number n) {
            return n;
        }
        try {
            return v == null ? null : Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double delta(java.util.Map<String, Object> from, java.util.Map<String, Object> to, String key) {
        Number a = number(from.get(key));
        Number b = number(to.get(key));
        return b == null ? Double.NaN : b.doubleValue() - (a == null ? 0 : a.doubleValue());
    }

    private static JsonObject findSession(JsonArray sessions, String id) {
        if (id == null) {
            return null;
        }
        for (int i = 0; i < sessions.size(); i++) {
            JsonObject o = sessions.getJsonObject(i);
            String shortId = o.getString("id", "").replace("…", "");
            if (!shortId.isEmpty() && id.startsWith(shortId)) {
                return o;
            }
        }
        return null;
    }

    private static JsonObject breakdown(List<Sample> matched, List<Sample> all) {
        return new JsonObject()
                .put("uplink", Stats.round1(Stats.median(sorted(matched, Sample::uplinkMs))))
                .put("server", Stats.round1(Stats.median(sorted(all, Sample::serverMs))))
                .put("queue", Stats.round1(Stats.median(sorted(all, Sample::queueMs))))
                .put("inference", Stats.round1(Stats.median(sorted(all, Sample::inferenceMs))))
                .put("downlink", Stats.round1(Stats.median(sorted(all, Sample::downlinkMs))))
                .put("webrtcTsMinusCapture", Stats.round1(Stats.median(sorted(matched, Sample::tsOffsetMs))));
    }

    private static JsonObject percentiles(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double[] v = sorted(samples, f);
        return new JsonObject()
                .put("p50", Stats.round1(Stats.percentile(v, 50)))
                .put("p95", Stats.round1(Stats.percentile(v, 95)))
                .put("p99", Stats.round1(Stats.percentile(v, 99)))
                .put("max", Stats.round1(v.length == 0 ? Double.NaN : v[v.length - 1]))
                .put("n", v.length);
    }

    private static double[] sorted(List<Sample> samples, ToDoubleFunction<Sample> f) {
        return Stats.sorted(samples.stream().mapToDouble(f).toArray());
    }

    private static double mean(List<Sample> samples, ToDoubleFunction<Sample> f) {
        return samples.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static JsonObject timeline(
            List<ClientProbe> probes, long startNanos, long windowStart, long windowEnd, List<JsonObject> server) {
        JsonArray clients = new JsonArray();
        for (ClientProbe p : probes) {
            List<Sample> all = p.samples();
            List<Sample> matched = all.stream().filter(Sample::matched).toList();
            int step = Math.max(1, matched.size() / 3000);
            JsonArray latency = new JsonArray();
            for (int i = 0; i < matched.size(); i += step) {
                Sample x = matched.get(i);
                latency.add(new JsonArray()
                        .add(Stats.round3((x.decodedNanos() - startNanos) / 1e9))
                        .add(Stats.round1(x.latencyMs())));
            }
            JsonArray fps = new JsonArray();
            if (!all.isEmpty()) {
                int last = (int) ((all.get(all.size() - 1).decodedNanos() - startNanos) / 1_000_000_000L);
                int[] bins = new int[last + 1];
                for (Sample x : all) {
                    bins[(int) ((x.decodedNanos() - startNanos) / 1_000_000_000L)]++;
                }
                int first = (int) ((all.get(0).decodedNanos() - startNanos) / 1_000_000_000L);
                for (int b = first; b <= last; b++) {
                    fps.add(new JsonArray().add(b + 0.5).add(bins[b]));
                }
            }
            clients.add(
                    new JsonObject().put("client", p.id).put("latency", latency).put("fps", fps));
        }
        // Per second, all clients pooled: where the time went (medians), to explain a bad patch.
        java.util.TreeMap<Integer, List<Sample>> bySecond = new java.util.TreeMap<>();
        for (ClientProbe p : probes) {
            for (Sample x : p.samples()) {
                bySecond.computeIfAbsent(
                                (int) ((x.decodedNanos() - startNanos) / 1_000_000_000L), k -> new ArrayList<>())
                        .add(x);
            }
        }
        JsonArray seconds = new JsonArray();
        for (var e : bySecond.entrySet()) {
            List<Sample> v = e.getValue();
            List<Sample> m = v.stream().filter(Sample::matched).toList();
            seconds.add(new JsonArray()
                    .add(e.getKey())
                    .add(v.size())
                    .add(Stats.round1(Stats.median(sorted(m, Sample::latencyMs))))
                    .add(Stats.round1(Stats.median(sorted(m, Sample::uplinkMs))))
                    .add(Stats.round1(Stats.median(sorted(v, Sample::queueMs))))
                    .add(Stats.round1(Stats.median(sorted(v, Sample::serverMs))))
                    .add(Stats.round1(Stats.median(sorted(v, Sample::inferenceMs))))
                    .add(Stats.round1(Stats.median(sorted(v, Sample::downlinkMs)))));
        }
        return new JsonObject()
                .put("windowStartS", Stats.round3((windowStart - startNanos) / 1e9))
                .put(
                        "perSecondColumns",
                        new JsonArray()
                                .add("second")
                                .add("results")
                                .add("latencyP50")
                                .add("uplinkP50")
                                .add("queueP50")
                                .add("serverP50")
                                .add("inferenceP50")
                                .add("downlinkP50"))
                .put("perSecond", seconds)
                .put("windowEndS", Stats.round3((windowEnd - startNanos) / 1e9))
                .put("clients", clients)
                .put("server", new JsonArray(new ArrayList<>(server)));
    }

    // ---------------------------------------------------------------- console

    static String table(JsonObject r) {
        StringBuilder b = new StringBuilder();
        JsonObject set = r.getJsonObject("settings");
        JsonObject srv = r.getJsonObject("server");
        JsonObject o = r.getJsonObject("overall");
        b.append(String.format(
                Locale.ROOT,
                "%n%d client(s) × %s @ %s fps, %.1f s measured — server %s, %s, max batch %s, max wait %s ms%n",
                set.getInteger("clients"),
                set.getString("size"),
                num(set.getValue("fps")),
                o.getDouble("windowS"),
                srv.getString("backend"),
                srv.getString("model"),
                srv.getValue("maxBatch"),
                srv.getValue("maxWaitMs")));
        String head = String.format(
                Locale.ROOT,
                "%-7s %-7s %7s %7s %7s %7s %7s %7s %9s %8s %6s %10s%n",
                "client",
                "session",
                "push/s",
                "res/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "stale",
                "kB/frame",
                "batch",
                "match",
                "drops v/m/s");
        b.append(head);
        JsonArray clients = r.getJsonArray("clients");
        for (int i = 0; i < clients.size(); i++) {
            JsonObject c = clients.getJsonObject(i);
            JsonObject lat = c.getJsonObject("latencyMs");
            JsonObject st = c.getJsonObject("staleFrames");
            JsonObject tot = c.getJsonObject("sessionTotals");
            String drops = tot == null
                    ? "?"
                    : tot.getLong("videoLost") + "/" + tot.getLong("mailboxReplaced") + "/"
                            + tot.getLong("resultsSuperseded");
            int results = c.getInteger("results");
            b.append(String.format(
                    Locale.ROOT,
                    "%-7s %-7s %7s %7s %7s %7s %7s %7s %9s %8s %5s%% %10s%s%n",
                    "#" + c.getInteger("client"),
                    c.getString("session", "-"),
                    num(c.getValue("pushFps")),
                    num(c.getValue("resultFps")),
                    num(lat.getValue("p50")),
                    num(lat.getValue("p95")),
                    num(lat.getValue("p99")),
                    num(st.getValue("p50")) + "/" + num(st.getValue("p99")),
                    kb(c.getValue("bytesPerFrame")),
                    num(c.getValue("batchMean")),
                    results == 0 ? "-" : String.valueOf(Math.round(100.0 * c.getInteger("matched") / results)),
                    drops,
                    c.containsKey("failure") ? "  ! " + c.getString("failure") : ""));
        }
        JsonObject lat = o.getJsonObject("latencyMs");
        JsonObject st = o.getJsonObject("staleFrames");
        JsonObject d = o.getJsonObject("sessionDrops");
        b.append(String.format(
                Locale.ROOT,
                "%-7s %-7s %7s %7s %7s %7s %7s %7s %9s %8s %5s%% %10s%n",
                "all",
                "",
                num(o.getValue("pushFps")),
                num(o.getValue("resultFps")),
                num(lat.getValue("p50")),
                num(lat.getValue("p95")),
                num(lat.getValue("p99")),
                num(st.getValue("p50")) + "/" + num(st.getValue("p99")),
                kb(o.getValue("bytesPerFrame")),
                num(o.getValue("batchMean")),
                num(o.getValue("matchedPct")),
                d.getLong("videoLost") + "/" + d.getLong("mailboxReplaced") + "/" + d.getLong("resultsSuperseded")));
        JsonObject per = o.getJsonObject("resultFpsPerClient");
        JsonObject f = o.getJsonObject("fairness");
        b.append(String.format(
                Locale.ROOT,
                "fairness: result fps per client min %s / median %s / max %s " + "(min/median %s, Jain %s)%n",
                num(per.getValue("min")),
                num(per.getValue("median")),
                num(per.getValue("max")),
                num(f.getValue("minOverMedian")),
                num(f.getValue("jain"))));
        JsonObject bd = o.getJsonObject("breakdownMsP50");
        b.append(String.format(
                Locale.ROOT,
                "latency p50 parts (ms): capture→ingest %s | ingest→sent %s (queue %s, "
                        + "inference %s) | sent→decoded %s; server queue p99 %s ms%n",
                num(bd.getValue("uplink")),
                num(bd.getValue("server")),
                num(bd.getValue("queue")),
                num(bd.getValue("inference")),
                num(bd.getValue("downlink")),
                num(o.getValue("queueMsP99"))));
        JsonObject snd = o.getJsonObject("sender");
        if (snd != null) {
            b.append("encoders at the end: sent ")
                    .append(snd.getJsonObject("sizesAtEnd").encode())
                    .append(", quality limited by ")
                    .append(snd.getJsonObject("qualityLimitation").encode())
                    .append(" (libwebrtc adapts resolution down when the sender's CPU or bandwidth cannot keep up)\n");
        }
        JsonObject cpu = o.getJsonObject("cpu");
        if (cpu != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "cpu during the window: machine %s%% of %s cores, this load tester " + "%s%% of one core%n",
                    num(cpu.getValue("machinePct")),
                    cpu.getValue("cores"),
                    num(cpu.getValue("loadtestProcessPctOfOneCore"))));
        }
        JsonObject churn = r.getJsonObject("churn");
        if (churn != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "churn: %d vanished without DELETE, %d reconnected, %d reconnect "
                            + "attempts failed %s; per-client figures are each client's latest session%n",
                    churn.getInteger("vanished"),
                    churn.getInteger("reconnected"),
                    churn.getInteger("reconnectFailures"),
                    churn.getJsonObject("refusals").encode()));
        }
        b.append("stale = frames pushed after the result's source frame when it was decoded (p50/p99); "
                + "drops = session totals video-lost/mailbox-replaced/results-superseded\n");
        return b.toString();
    }

    private static String num(Object v) {
        if (v == null) {
            return "–";
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e9) {
                return String.valueOf((long) d);
            }
            return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.0f" : "%.1f", d);
        }
        return v.toString();
    }

    private static String kb(Object bytes) {
        return bytes instanceof Number n ? String.format(Locale.ROOT, "%.0f", n.doubleValue() / 1000) : "–";
    }

    // ---------------------------------------------------------------- HTML

    private static final String[] COLOURS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };

    static String html(JsonObject r) {
        JsonObject t = r.getJsonObject("timeline");
        JsonArray clients = t.getJsonArray("clients");
        double ws = t.getDouble("windowStartS");
        double we = t.getDouble("windowEndS");
        double tMax = we + 1;
        double latMax = 1;
        double fpsMax = 1;
        for (int i = 0; i < clients.size(); i++) {
            JsonObject c = clients.getJsonObject(i);
            for (Object p : c.getJsonArray("latency")) {
                JsonArray a = (JsonArray) p;
                latMax = Math.max(latMax, a.getDouble(1));
                tMax = Math.max(tMax, a.getDouble(0));
            }
            for (Object p : c.getJsonArray("fps")) {
                fpsMax = Math.max(fpsMax, ((JsonArray) p).getDouble(1));
            }
        }
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>depthcast load test</title><style>")
                .append(
                        "body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{background:#f6f6f6;padding:12px;")
                .append(
                        "overflow:auto;font-size:12px}h2{font-size:16px;margin-top:28px}.legend span{margin-right:14px}")
                .append("</style></head><body><h1>depthcast load test</h1><p>")
                .append(esc(r.getString("startedAt", "")))
                .append("</p><pre>")
                .append(esc(table(r)))
                .append("</pre>");
        h.append("<div class=\"legend\">");
        for (int i = 0; i < clients.size(); i++) {
            h.append("<span style=\"color:")
                    .append(COLOURS[i % COLOURS.length])
                    .append("\">&#9632; client #")
                    .append(clients.getJsonObject(i).getInteger("client"))
                    .append("</span>");
        }
        h.append("</div><h2>End-to-end latency per result (capture → result decoded), ms</h2>");
        h.append(chart(clients, "latency", tMax, niceMax(latMax), ws, we, true));
        h.append("<h2>Results per second per client</h2>");
        h.append(chart(clients, "fps", tMax, niceMax(fpsMax), ws, we, false));
        h.append(
                "<p>Shaded: the measured window (after ramp and warm-up). Matching: each frame carries its index in a "
                        + "colour code in its top strip; the result's points there are read back (see scripts/loadtest/README.md).</p>");
        h.append("<h2>Report (JSON)</h2><pre>")
                .append(esc(withoutTimeline(r).encodePrettily()))
                .append("</pre>");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static JsonObject withoutTimeline(JsonObject r) {
        JsonObject c = r.copy();
        c.remove("timeline");
        return c;
    }

    private static double niceMax(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String chart(
            JsonArray clients, String key, double tMax, double yMax, double ws, double we, boolean dots) {
        int width = 900;
        int height = 280;
        int left = 50;
        int bottom = 30;
        int top = 10;
        int plotW = width - left - 10;
        int plotH = height - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" style=\"font:11px sans-serif\">",
                width,
                height,
                width,
                height));
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#eef4ff\"/>",
                left + ws / tMax * plotW,
                top,
                (we - ws) / tMax * plotW,
                plotH));
        for (int i = 0; i <= 5; i++) {
            double y = top + plotH - i * plotH / 5.0;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    left,
                    left + plotW,
                    y,
                    y,
                    left - 4,
                    y + 4,
                    num(yMax * i / 5)));
        }
        double tStep = niceMax(tMax / 10);
        for (double x = 0; x <= tMax; x += tStep) {
            double px = left + x / tMax * plotW;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>",
                    px,
                    px,
                    top,
                    top + plotH,
                    px,
                    height - 10,
                    num(x)));
        }
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " + "stroke=\"#999\"/>",
                left,
                top,
                plotW,
                plotH));
        for (int i = 0; i < clients.size(); i++) {
            String colour = COLOURS[i % COLOURS.length];
            JsonArray pts = clients.getJsonObject(i).getJsonArray(key);
            StringBuilder path = new StringBuilder();
            for (Object p : pts) {
                JsonArray a = (JsonArray) p;
                double px = left + a.getDouble(0) / tMax * plotW;
                double py = top + plotH - Math.min(1, a.getDouble(1) / yMax) * plotH;
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
            }
            if (path.length() > 0) {
                s.append("<path d=\"")
                        .append(path)
                        .append("\" fill=\"none\" stroke=\"")
                        .append(colour)
                        .append("\" stroke-width=\"")
                        .append(dots ? "0.8" : "1.5")
                        .append("\" stroke-opacity=\"0.8\"/>");
            }
        }
        s.append("</svg>");
        return s.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
