package dev.depthcast.loadtest;

import dev.depthcast.client.DepthcastClient;
import dev.depthcast.client.RefusedException;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One load run: N {@link DepthcastClient}s (one shared {@link WebRtcEngine}) started over the ramp,
 * a warm-up, a measured window of {@code duration}, then a drain; returns the report as JSON
 * (see {@link Reports} for the table and the plot). Usable from tests as well as the command line.
 */
public final class LoadRun {

    /**
     * @param warmup time after every client got its first result before measuring starts
     *               (encoder ramp-up, JIT, the model's first batches)
     */
    /**
     * @param token  the server's bearer token (--auth-token/--auth-file), or null
     * @param churn  0: each client keeps its session; else each client, after the warm-up, vanishes
     *               about this often (closes its peer connection and socket without a DELETE, as a
     *               crashed tab would) and reconnects at once with a new session. Per-client figures
     *               then describe each client's latest session.
     */
    public record Settings(
            URI url,
            int clients,
            double fps,
            int width,
            int height,
            Duration duration,
            Duration ramp,
            Duration warmup,
            int bitrateKbps,
            boolean trickle,
            String token,
            Duration churn) {

        /** No token, no churn. */
        public Settings(
                URI url,
                int clients,
                double fps,
                int width,
                int height,
                Duration duration,
                Duration ramp,
                Duration warmup,
                int bitrateKbps,
                boolean trickle) {
            this(url, clients, fps, width, height, duration, ramp, warmup, bitrateKbps, trickle, null, Duration.ZERO);
        }

        public Settings withToken(String t) {
            return new Settings(
                    url, clients, fps, width, height, duration, ramp, warmup, bitrateKbps, trickle, t, churn);
        }

        public Settings withChurn(Duration c) {
            return new Settings(
                    url, clients, fps, width, height, duration, ramp, warmup, bitrateKbps, trickle, token, c);
        }

        public Settings {
            if (churn == null || churn.isNegative()) {
                throw new IllegalArgumentException("--churn must be >= 0");
            }
            if (!churn.isZero() && churn.toMillis() < 2000) {
                throw new IllegalArgumentException("--churn must be 0 or at least 2s (a session takes ~1 s to set up)");
            }
            if (clients < 1) {
                throw new IllegalArgumentException("--clients must be >= 1");
            }
            if (!(fps > 0 && fps <= 120)) {
                throw new IllegalArgumentException("--fps must be in (0, 120]");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be > 0");
            }
            if (!FrameTag.fits(width, height)) {
                throw new IllegalArgumentException("frames of " + width + "x" + height + " are too small to carry"
                        + " a frame tag (need at least " + FrameTag.MIN_WIDTH + "x" + FrameTag.MIN_HEIGHT + ")");
            }
        }

        JsonObject json() {
            return new JsonObject()
                    .put("url", url.toString())
                    .put("clients", clients)
                    .put("fps", fps)
                    .put("size", width + "x" + height)
                    .put("durationS", duration.toMillis() / 1000.0)
                    .put("rampS", ramp.toMillis() / 1000.0)
                    .put("warmupS", warmup.toMillis() / 1000.0)
                    .put("bitrateKbps", bitrateKbps)
                    .put("trickle", trickle)
                    .put("token", token != null)
                    .put("churnS", churn.toMillis() / 1000.0);
        }
    }

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final long FIRST_RESULT_TIMEOUT_NANOS = 20_000_000_000L;
    private static final long DRAIN_QUIET_NANOS = 500_000_000L;
    private static final long DRAIN_MAX_NANOS = 3_000_000_000L;

    private final Settings s;
    private final PrintStream log;
    private final boolean progress;
    /** Where each session's results stream is recorded (--record), or null. */
    private final Path recordDir;

    private final String recordStamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    private final java.util.Map<Integer, Integer> sessionsOfClient = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ResultsRecording> recordings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    // Replaced per index when a churning client reconnects (its churn thread), read by the main loop.
    private final List<ClientProbe> probes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger vanished = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger reconnected =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger reconnectFailures =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Map<String, Integer> reconnectRefusals = new java.util.concurrent.ConcurrentSkipListMap<>();
    private volatile boolean churnStop;
    private final AtomicReference<LoadTestException> abort = new AtomicReference<>();
    private final List<JsonObject> serverTimeline = new ArrayList<>();
    private long startNanos;

    private LoadRun(Settings settings, PrintStream log, boolean progress, Path recordDir) {
        this.s = settings;
        this.log = log;
        this.progress = progress;
        this.recordDir = recordDir;
    }

    /**
     * Runs the load and returns the report. Throws with a clear message (and an exit code) when
     * the server is unreachable, refuses a session, or a client cannot connect.
     */
    public static JsonObject run(Settings settings, PrintStream log, boolean progress)
            throws LoadTestException, InterruptedException {
        return run(settings, log, progress, null);
    }

    /**
     * As {@link #run(Settings, PrintStream, boolean)}, and with {@code recordDir} not null each
     * session's results stream is written there as a {@code .dcrec} recording (docs/recording.md):
     * {@code depthcast-DATE-TIME-clientN.dcrec}, {@code …-clientN-K.dcrec} for a churning client's
     * K-th session.
     */
    public static JsonObject run(Settings settings, PrintStream log, boolean progress, Path recordDir)
            throws LoadTestException, InterruptedException {
        return new LoadRun(settings, log, progress, recordDir).run();
    }

    /** A probe for client {@code index}'s next session, recording its results stream under --record. */
    private ClientProbe probe(int index, ClientProbe.Clocks clocks) {
        if (recordDir == null) {
            return new ClientProbe(index, clocks, null);
        }
        int session = sessionsOfClient.merge(index, 1, Integer::sum);
        String name = "depthcast-" + recordStamp + "-client" + index + (session > 1 ? "-" + session : "")
                + ResultsRecording.EXTENSION;
        try {
            ResultsRecording recording = new ResultsRecording(recordDir.resolve(name), s.url(), Clock.systemUTC());
            recordings.add(recording);
            return new ClientProbe(index, clocks, recording);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("--record: cannot write in " + recordDir, e);
        }
    }

    /** Closes the recordings (after their clients) and returns the files written. */
    private JsonArray closeRecordings() {
        JsonArray written = new JsonArray();
        for (ResultsRecording r : recordings) {
            try {
                r.close();
                if (r.frames() > 0) {
                    written.add(r.file().toString());
                }
            } catch (IOException e) {
                log.println("loadtest: " + e.getMessage());
            }
        }
        if (recordDir != null) {
            log.printf(
                    "loadtest: %d results stream(s) recorded in %s (.dcrec, docs/recording.md)%n",
                    written.size(), recordDir);
        }
        return written;
    }

    private JsonObject run() throws LoadTestException, InterruptedException {
        JsonObject before = preflight();
        JsonObject info = before.copy();
        info.remove("metrics");
        info.remove("sessions");
        int maxClients = before.getInteger("maxClients", Integer.MAX_VALUE);
        if (s.clients() > maxClients) {
            log.printf(
                    "loadtest: warning: the server admits %d sessions (--max-clients %d); %d clients asked%n",
                    maxClients, maxClients, s.clients());
        }
        log.printf(
                Locale.ROOT,
                "loadtest: %d client(s) × %dx%d @ %.1f fps → %s (backend %s, max batch %s)%n",
                s.clients(),
                s.width(),
                s.height(),
                s.fps(),
                s.url(),
                before.getString("backend"),
                before.getValue("maxBatch"));
        ClientProbe.Clocks clocks = new ClientProbe.Clocks();
        String startedAt = Instant.now().toString();
        startNanos = System.nanoTime();
        WebRtcEngine engine = new WebRtcEngine();
        List<Thread> connectors = new ArrayList<>();
        long windowStart;
        long windowEnd;
        CpuMeter cpu;
        double processCpu;
        double machineCpu;
        JsonObject after;
        JsonArray recorded = new JsonArray();
        try {
            long rampStep = s.clients() > 1 ? s.ramp().toNanos() / s.clients() : 0;
            for (int i = 0; i < s.clients(); i++) {
                ClientProbe probe = probe(i, clocks);
                probes.add(probe);
                long startAt = startNanos + i * rampStep;
                Thread t = new Thread(() -> connect(engine, probe, startAt), "loadtest-connect-" + i);
                t.setDaemon(true);
                connectors.add(t);
                t.start();
            }
            int tick = 0;
            while (connectors.stream().anyMatch(Thread::isAlive)) {
                for (Thread t : connectors) {
                    t.join(100);
                }
                failIfAborted();
                if (++tick % 10 == 0) {
                    progressLine("ramp");
                }
            }
            failIfAborted();
            // Warm-up counts from the moment EVERY client has its first result: start-up (JIT, a
            // model's first run at a new batch size, encoders ramping) takes seconds under load.
            long firstResultDeadline = System.nanoTime() + FIRST_RESULT_TIMEOUT_NANOS;
            while (probes.stream().anyMatch(p -> p.sampleCount() == 0) && System.nanoTime() < firstResultDeadline) {
                Thread.sleep(100);
                if (++tick % 10 == 0) {
                    progressLine("starting");
                }
            }
            if (probes.stream().anyMatch(p -> p.sampleCount() == 0)) {
                log.println("loadtest: warning: some clients have no result after "
                        + FIRST_RESULT_TIMEOUT_NANOS / 1_000_000_000L + " s; measuring anyway");
            }
            windowStart = System.nanoTime() + s.warmup().toNanos();
            windowEnd = windowStart + s.duration().toNanos();
            List<Thread> churners = new ArrayList<>();
            if (!s.churn().isZero()) {
                for (int i = 0; i < s.clients(); i++) {
                    int index = i;
                    long endAt = windowEnd;
                    Thread t =
                            new Thread(() -> churn(engine, clocks, index, windowStart, endAt), "loadtest-churn-" + i);
                    t.setDaemon(true);
                    churners.add(t);
                    t.start();
                }
            }
            this.churners = churners;
            cpu = null;
            long nextTick = System.nanoTime() + 1_000_000_000L;
            long nextPoll = System.nanoTime();
            while (System.nanoTime() < windowEnd) {
                long now = System.nanoTime();
                if (cpu == null && now >= windowStart) {
                    cpu = new CpuMeter();
                    senderAtStart = senderStats();
                }
                if (now >= nextPoll) {
                    pollServer();
                    nextPoll += 2_000_000_000L;
                }
                if (now >= nextTick) {
                    progressLine(now < windowStart ? "warm-up" : "measuring");
                    nextTick += 1_000_000_000L;
                }
                for (ClientProbe p : probes) {
                    DepthcastClient c = p.client;
                    if (p.failure == null
                            && c != null
                            && (c.state() == RTCPeerConnectionState.FAILED
                                    || c.state() == RTCPeerConnectionState.CLOSED)) {
                        p.failure = "peer connection " + c.state().name().toLowerCase(Locale.ROOT) + " at "
                                + String.format(Locale.ROOT, "%.1f s", (now - startNanos) / 1e9);
                        log.printf("loadtest: client %d: %s%n", p.id, p.failure);
                    }
                }
                Thread.sleep(Math.max(
                        1, Math.min(200, (Math.min(nextTick, windowEnd) - System.nanoTime()) / 1_000_000)));
            }
            processCpu = cpu == null ? Double.NaN : cpu.processPercentOfOneCore();
            machineCpu = cpu == null ? Double.NaN : cpu.machinePercent();
            senderAtEnd = senderStats();
            if (progress) {
                log.println();
            }
            stopChurn();
            for (ClientProbe p : probes) {
                if (p.client != null) {
                    p.client.stopStreaming();
                }
            }
            drain();
            after = getStats();
        } finally {
            abort.compareAndSet(null, new LoadTestException(1, "stopped"));
            stopChurn();
            for (Thread t : connectors) {
                t.join(15_000);
            }
            for (ClientProbe p : probes) {
                if (p.client != null) {
                    p.client.close();
                }
            }
            engine.close();
            recorded = closeRecordings(); // also after a failed run: what was received is kept
        }
        JsonObject report = Reports.build(s, info, after, probes, startNanos, windowStart, windowEnd, serverTimeline);
        Reports.addSenderStats(report, senderAtStart, senderAtEnd, (windowEnd - windowStart) / 1e9);
        report.put("startedAt", startedAt);
        if (recordDir != null) {
            report.put("recordings", recorded);
        }
        if (!s.churn().isZero()) {
            report.put(
                    "churn",
                    new JsonObject()
                            .put("vanished", vanished.get())
                            .put("reconnected", reconnected.get())
                            .put("reconnectFailures", reconnectFailures.get())
                            .put("refusals", new JsonObject(new java.util.LinkedHashMap<>(reconnectRefusals)))
                            .put("sessionsOpened", s.clients() + reconnected.get())
                            .put("note", "per-client figures describe each client's latest session"));
        }
        report.getJsonObject("overall")
                .put(
                        "cpu",
                        new JsonObject()
                                .put("loadtestProcessPctOfOneCore", Stats.round1(processCpu))
                                .put("machinePct", Stats.round1(machineCpu))
                                .put("cores", Runtime.getRuntime().availableProcessors()));
        return report;
    }

    private List<java.util.Map<String, Object>> senderAtStart = List.of();
    private List<java.util.Map<String, Object>> senderAtEnd = List.of();

    /** Each client's outbound video stats (encoder resolution, adaptation), in client order. */
    private List<java.util.Map<String, Object>> senderStats() {
        List<java.util.concurrent.CompletableFuture<java.util.Map<String, Object>>> pending = new ArrayList<>();
        for (ClientProbe p : probes) {
            pending.add(
                    p.client == null
                            ? java.util.concurrent.CompletableFuture.completedFuture(java.util.Map.of())
                            : p.client.senderStats());
        }
        List<java.util.Map<String, Object>> out = new ArrayList<>();
        for (var f : pending) {
            try {
                out.add(f.get(2, java.util.concurrent.TimeUnit.SECONDS));
            } catch (Exception e) {
                out.add(java.util.Map.of());
            }
        }
        return out;
    }

    private volatile List<Thread> churners = List.of();

    private void stopChurn() throws InterruptedException {
        churnStop = true;
        for (Thread t : churners) {
            t.interrupt();
            t.join(20_000);
        }
    }

    /**
     * One client's churn until {@code endAt}: wait its turn (clients are spread over the churn
     * period so that they do not all vanish at once), vanish without a DELETE, reconnect as a new
     * session. A refused or failed reconnect is counted and retried 2 s later: the server may
     * still hold the vanished sessions against the per-address limits until it notices they are gone.
     */
    private void churn(WebRtcEngine engine, ClientProbe.Clocks clocks, int index, long from, long endAt) {
        long period = s.churn().toNanos();
        long next = from + period / 2 + period * index / s.clients();
        try {
            while (!churnStop) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                // No reconnect that could not be set up before the run ends.
                if (churnStop || System.nanoTime() > endAt - 5_000_000_000L) {
                    return;
                }
                ClientProbe old = probes.get(index);
                ClientProbe fresh = probe(index, clocks);
                probes.set(index, fresh);
                if (old.client != null) {
                    old.client.vanish();
                    vanished.incrementAndGet();
                }
                while (!churnStop && System.nanoTime() < endAt - 5_000_000_000L) {
                    String failure = open(engine, fresh);
                    if (failure == null) {
                        reconnected.incrementAndGet();
                        break;
                    }
                    reconnectFailures.incrementAndGet();
                    reconnectRefusals.merge(failure, 1, Integer::sum);
                    if (fresh.client != null) {
                        fresh.client.close();
                        fresh.client = null;
                    }
                    Thread.sleep(2000);
                }
                next = System.nanoTime() + period;
            }
        } catch (InterruptedException e) {
            // the run is ending
        }
    }

    /** Opens one session for a churning client; returns null or a short failure kind (e.g. "429", "timeout"). */
    private String open(WebRtcEngine engine, ClientProbe probe) throws InterruptedException {
        try {
            DepthcastClient c = DepthcastClient.connect(engine, s.url(), clientOptions(), probe, probe);
            probe.client = c;
            probe.sessionId = c.sessionId();
            if (churnStop) {
                return null; // closed with the others
            }
            c.awaitConnected(Duration.ofSeconds(15));
            probe.connectedNanos = System.nanoTime();
            return null;
        } catch (RefusedException e) {
            return Integer.toString(e.status());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            return cause instanceof java.util.concurrent.TimeoutException
                    ? "timeout"
                    : cause.getClass().getSimpleName();
        }
    }

    private DepthcastClient.Options clientOptions() {
        return new DepthcastClient.Options(
                        s.width(), s.height(), s.fps(), s.trickle(), s.bitrateKbps() * 1000, new CodedPainter())
                .withToken(s.token());
    }

    private void connect(WebRtcEngine engine, ClientProbe probe, long startAt) {
        try {
            long wait = startAt - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (abort.get() != null) {
                return;
            }
            DepthcastClient c = DepthcastClient.connect(engine, s.url(), clientOptions(), probe, probe);
            probe.client = c;
            probe.sessionId = c.sessionId();
            if (abort.get() != null) {
                return;
            }
            c.awaitConnected(Duration.ofSeconds(15));
            probe.connectedNanos = System.nanoTime();
        } catch (RefusedException e) {
            abort.compareAndSet(
                    null,
                    e.status() == 401
                            ? unauthorized()
                            : new LoadTestException(
                                    e.status() == 503 ? LoadTestException.REFUSED : LoadTestException.CLIENT_FAILED,
                                    "client " + probe.id + ": the server refused the session: "
                                            + e.getMessage().replaceFirst("^server refused ", "")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            String what = cause instanceof java.util.concurrent.TimeoutException ? "timed out" : cause.toString();
            abort.compareAndSet(
                    null,
                    new LoadTestException(
                            LoadTestException.CLIENT_FAILED, "client " + probe.id + " could not connect: " + what));
        }
    }

    private void failIfAborted() throws LoadTestException {
        LoadTestException e = abort.get();
        if (e != null) {
            throw e;
        }
    }

    /** After the cameras stop: wait until no result arrived for 0.5 s (at most 3 s). */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_MAX_NANOS;
        int last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int n = probes.stream().mapToInt(ClientProbe::sampleCount).sum();
            if (n != last) {
                last = n;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > DRAIN_QUIET_NANOS) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private JsonObject preflight() throws LoadTestException, InterruptedException {
        try {
            HttpResponse<String> r = http.send(statsRequest(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401) {
                throw unauthorized();
            }
            if (r.statusCode() != 200) {
                throw new LoadTestException(
                        LoadTestException.UNREACHABLE,
                        s.url() + "/api/stats answered " + r.statusCode() + ": is this a depthcast server?");
            }
            return new JsonObject(r.body());
        } catch (IOException e) {
            throw new LoadTestException(
                    LoadTestException.UNREACHABLE,
                    "cannot reach the depthcast server at "
                            + s.url() + " ("
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                            + "). Is it running? Start one with scripts/serve.sh or "
                            + "java -jar server/target/depthcast-server.jar --port PORT");
        } catch (RuntimeException e) {
            throw new LoadTestException(
                    LoadTestException.UNREACHABLE, s.url() + "/api/stats is not depthcast's JSON: " + e.getMessage());
        }
    }

    private HttpRequest statsRequest() {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve("/api/stats"))
                .timeout(HTTP_TIMEOUT)
                .GET();
        return (s.token() == null ? b : b.header("authorization", "Bearer " + s.token())).build();
    }

    private LoadTestException unauthorized() {
        return new LoadTestException(
                LoadTestException.UNAUTHORIZED,
                s.token() == null
                        ? "the server at " + s.url() + " needs a token (401): give it with --token or DEPTHCAST_TOKEN"
                        : "the server at " + s.url()
                                + " refused the token (401): is it one of its --auth-token/--auth-file?");
    }

    private JsonObject getStats() {
        try {
            HttpResponse<String> r = http.send(statsRequest(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : new JsonObject();
        } catch (IOException | RuntimeException e) {
            return new JsonObject();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new JsonObject();
        }
    }

    private void pollServer() {
        JsonObject st = getStats();
        JsonObject m = st.getJsonObject("metrics");
        if (m != null) {
            serverTimeline.add(new JsonObject()
                    .put("t", Stats.round3((System.nanoTime() - startNanos) / 1e9))
                    .put("results", m.getValue("results"))
                    .put("sessions", m.getValue("sessions"))
                    .put("batchMean", m.getValue("batchMean"))
                    .put("dropped", m.getValue("dropped")));
        }
    }

    private int[] lastMarks;
    private long lastTickNanos;

    private void progressLine(String phase) {
        if (lastMarks == null || lastMarks.length != probes.size()) {
            lastMarks = new int[probes.size()];
            lastTickNanos = startNanos;
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastTickNanos) / 1e9);
        lastTickNanos = now;
        int connected = 0;
        double total = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        List<Double> lat = new ArrayList<>();
        List<Double> stale = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            ClientProbe p = probes.get(i);
            if (p.connectedNanos != 0) {
                connected++;
            }
            List<ClientProbe.Sample> fresh = p.samplesFrom(lastMarks[i]);
            lastMarks[i] += fresh.size();
            total += fresh.size() / seconds;
            min = Math.min(min, fresh.size() / seconds);
            max = Math.max(max, fresh.size() / seconds);
            for (ClientProbe.Sample x : fresh) {
                if (x.matched()) {
                    lat.add(x.latencyMs());
                    stale.add((double) x.staleFrames());
                }
            }
        }
        double[] l = Stats.sorted(lat);
        double[] st = Stats.sorted(stale);
        String line = String.format(
                Locale.ROOT,
                "[%6.1f s] %-9s %d/%d connected | results %.0f/s (per client %.0f..%.0f) | latency p50 %s p99 %s ms"
                        + " | stale p50 %s frames",
                (System.nanoTime() - startNanos) / 1e9,
                phase,
                connected,
                probes.size(),
                total,
                min == Double.MAX_VALUE ? 0 : min,
                max,
                fmt(Stats.percentile(l, 50)),
                fmt(Stats.percentile(l, 99)),
                fmt(Stats.percentile(st, 50)));
        if (progress) {
            log.print("\r" + line + "   ");
        } else {
            log.println(line);
        }
        log.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
    }

    /** For the CLI: stats JSON of the server (after a run), or empty. */
    static JsonArray sessionsOf(JsonObject stats) {
        JsonArray a = stats.getJsonArray("sessions");
        return a == null ? new JsonArray() : a;
    }
}
