package dev.depthcast.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/soak.sh}'s driver: samples a running server's process (RSS, threads, descriptors
 * from /proc; heap, heap after GC, direct memory and sessions from its /metrics) while a churning
 * load run ({@link LoadRun}) and the {@link HostileMix} go on beside each other, then after they
 * stop, and judges the samples with {@link Plateau}. soak.sh starts the server (through
 * scripts/serve.sh, with its memory caps) and gives its pid.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Samples a depthcast server's memory, threads and descriptors while N churning load clients",
            "and a hostile mix run against it, then after they stop; asserts the figures plateau and come",
            "back near the idle baseline (docs/security.md, Soak). Usually run through scripts/soak.sh."
        },
        footer = {
            "",
            "Exit codes: 0 every check passed; 1 a check failed; 2 bad options; 3-7 the load run could not "
                    + "be done (as scripts/loadtest.sh)."
        })
public final class Soak implements Callable<Integer> {

    @Option(names = "--pid", required = true, description = "the server's process id (its /proc entry is read)")
    long pid;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "server (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(
            names = "--token",
            defaultValue = "${env:DEPTHCAST_TOKEN}",
            paramLabel = "TOKEN",
            description = "the server's bearer token (or DEPTHCAST_TOKEN)")
    String token;

    @Option(names = "--clients", defaultValue = "4", description = "load clients (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(
            names = "--fps",
            defaultValue = "10",
            description = "frames per second per client (default: ${DEFAULT-VALUE})")
    double fps;

    @Option(
            names = "--size",
            defaultValue = "320x240",
            paramLabel = "WxH",
            description = "frame size (default: ${DEFAULT-VALUE})")
    String size;

    @Option(
            names = "--bitrate",
            defaultValue = "600",
            paramLabel = "KBPS",
            description = "encoder cap (default: ${DEFAULT-VALUE})")
    int bitrateKbps;

    @Option(
            names = "--duration",
            defaultValue = "2m",
            paramLabel = "TIME",
            description = "load time (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(
            names = "--churn",
            defaultValue = "20s",
            paramLabel = "TIME",
            description =
                    "each client vanishes (no DELETE) and reconnects about this often; 0: never (default: ${DEFAULT-VALUE})")
    String churn;

    @Option(
            names = "--sample",
            defaultValue = "5s",
            paramLabel = "TIME",
            description = "sampling interval (default: ${DEFAULT-VALUE})")
    String sample;

    @Option(
            names = "--baseline",
            defaultValue = "15s",
            paramLabel = "TIME",
            description = "idle sampling before the load starts (default: ${DEFAULT-VALUE})")
    String baseline;

    @Option(
            names = "--cooldown",
            defaultValue = "90s",
            paramLabel = "TIME",
            description = "longest wait after the load for the server to end every session (default: ${DEFAULT-VALUE})")
    String cooldown;

    @Option(
            names = "--hostile-from",
            defaultValue = "127.0.0.2",
            paramLabel = "ADDR",
            description = "local address of the hostile mix (default: ${DEFAULT-VALUE}); 'off': no hostile mix")
    String hostileFrom;

    @Option(
            names = "--hostile-interval",
            defaultValue = "1.5s",
            paramLabel = "TIME",
            description = "time between attacks (default: ${DEFAULT-VALUE})")
    String hostileInterval;

    @Option(
            names = "--hostile-burst",
            defaultValue = "12",
            paramLabel = "N",
            description =
                    "offers in a session burst; more than the server's --max-sessions-per-ip (default: ${DEFAULT-VALUE})")
    int hostileBurst;

    @Option(
            names = "--gc-at-end",
            negatable = true,
            defaultValue = "false",
            description = "ask the server for a full GC (jcmd PID GC.run) before the end samples; off by default: "
                    + "the figures are what the server gives back by itself")
    boolean gcAtEnd;

    @Option(
            names = "--growth-pct",
            defaultValue = "10",
            description = "plateau: allowed growth, last third over middle third, "
                    + "on top of the absolute slack (default: ${DEFAULT-VALUE})")
    double growthPct;

    @Option(
            names = "--rss-return-mb",
            defaultValue = "192",
            description = "end RSS at most this much over the idle baseline (default: ${DEFAULT-VALUE})")
    double rssReturnMb;

    @Option(
            names = "--out",
            defaultValue = "soak-out",
            paramLabel = "DIR",
            description = "soak.csv and soak.json go here")
    Path out;

    private final List<Plateau.Sample> samples = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private long startNanos;
    private volatile String phase = "baseline";
    private volatile HostileMix hostile;

    @Override
    public Integer call() throws Exception {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        Duration sampleEvery = LoadTest.parseDuration(sample);
        String tok = token == null || token.isBlank() ? null : token.strip();
        LoadRun.Settings settings = new LoadRun.Settings(
                URI.create(url.toString().replaceFirst("/+$", "")),
                clients,
                fps,
                Integer.parseInt(wh[0].trim()),
                Integer.parseInt(wh[1].trim()),
                LoadTest.parseDuration(duration),
                Duration.ZERO,
                Duration.ofSeconds(3),
                bitrateKbps,
                true,
                tok,
                LoadTest.parseDuration(churn));
        if (!Files.isDirectory(Path.of("/proc/" + pid))) {
            System.err.println("soak: no process " + pid + " (/proc/" + pid + ")");
            return 2;
        }
        Files.createDirectories(out);
        System.out.println("soak: server pid " + pid + " at " + settings.url() + "; " + clients + " client(s) "
                + size + " @ " + fps + " fps for " + duration + ", churn " + churn + ", hostile mix "
                + ("off".equals(hostileFrom) ? "off" : "from " + hostileFrom + " every " + hostileInterval)
                + "; a sample every " + sample);
        System.out.println(Plateau.header());
        startNanos = System.nanoTime();
        Thread sampler = new Thread(
                () -> {
                    long next = System.nanoTime();
                    while (!Thread.currentThread().isInterrupted()) {
                        take();
                        next += sampleEvery.toNanos();
                        try {
                            Thread.sleep(Math.max(1, (next - System.nanoTime()) / 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "soak-sampler");
        sampler.setDaemon(true);
        sampler.start();

        Thread.sleep(LoadTest.parseDuration(baseline).toMillis());
        java.util.Map<String, Integer> threadsBefore = threadNames();
        phase = "load";
        if (!"off".equals(hostileFrom)) {
            hostile = new HostileMix(
                    new HostileMix.Settings(
                            settings.url(), tok, hostileFrom, LoadTest.parseDuration(hostileInterval), hostileBurst),
                    System.out);
            hostile.start();
        }
        AtomicReference<JsonObject> load = new AtomicReference<>();
        LoadTestException failed = null;
        try {
            // The load run's per-second progress lines are left out: the sampler's rows are the soak's progress.
            load.set(LoadRun.run(settings, new PrintStream(new DropProgress(System.out), true), false));
        } catch (LoadTestException e) {
            failed = e;
        }
        if (hostile != null) {
            hostile.close();
        }
        phase = "cooldown";
        long cooldownEnd = System.nanoTime() + LoadTest.parseDuration(cooldown).toNanos();
        while (System.nanoTime() < cooldownEnd && !(sessions() == 0)) {
            Thread.sleep(1000);
        }
        if (gcAtEnd) {
            System.out.println("soak: " + fullGc());
        }
        // Time for what the server gives back once idle, by itself: G1's periodic collection (30 s
        // idle, scripts/serve.sh) returns committed heap, and the inference executor lets the
        // model give back its arena 30 s after its last batch (InferenceExecutor.DEFAULT_IDLE_RELEASE).
        Thread.sleep(Math.max(35_000, 3 * sampleEvery.toMillis()));
        phase = "end";
        Thread.sleep(3 * sampleEvery.toMillis() + 500);
        sampler.interrupt();
        sampler.join(10_000);
        java.util.Map<String, Integer> threadsAfter = threadNames();

        List<Plateau.Sample> all;
        synchronized (samples) {
            all = new ArrayList<>(samples);
        }
        Plateau.Limits limits =
                Plateau.Limits.defaults().withGrowthPct(growthPct).withRssReturnMb(rssReturnMb);
        // RSS and the rest were sampled as the idle server left them; the leak check wants the live heap.
        String gc = fullGc();
        System.out.println("soak: after the end samples, " + gc);
        double liveHeapMb = Double.NaN;
        if (gc.startsWith("full GC requested")) {
            Thread.sleep(500);
            liveHeapMb = Plateau.Metrics.parse(scrape()).heapAfterGcMb();
        }
        List<Plateau.Check> checks = new ArrayList<>(Plateau.assess(all, limits, liveHeapMb));
        if (load.get() != null && load.get().getJsonObject("churn") != null) {
            checks.addAll(churnChecks(load.get().getJsonObject("churn"), clients));
        }
        JsonObject report = new JsonObject()
                .put("startedAt", Instant.now().toString())
                .put("pid", pid)
                .put(
                        "settings",
                        settings.json()
                                .put("sampleS", sampleEvery.toMillis() / 1000.0)
                                .put("hostileFrom", hostileFrom)
                                .put(
                                        "hostileIntervalS",
                                        LoadTest.parseDuration(hostileInterval).toMillis() / 1000.0)
                                .put("gcAtEnd", gcAtEnd))
                .put("limits", limits.json())
                .put("summary", Plateau.summary(all))
                .put("threadsBefore", new JsonObject(new java.util.TreeMap<String, Object>(threadsBefore)))
                .put("threadsAfter", new JsonObject(new java.util.TreeMap<String, Object>(threadsAfter)))
                .put(
                        "checks",
                        new JsonArray(checks.stream().map(Plateau.Check::json).toList()))
                .put(
                        "samples",
                        new JsonArray(all.stream().map(Plateau.Sample::json).toList()));
        if (load.get() != null) {
            JsonObject l = load.get();
            report.put(
                    "load",
                    new JsonObject().put("overall", l.getJsonObject("overall")).put("churn", l.getJsonObject("churn")));
        }
        if (hostile != null) {
            report.put("hostile", hostile.report());
        }
        Files.writeString(out.resolve("soak.json"), report.encodePrettily());
        Files.writeString(out.resolve("soak.csv"), Plateau.csv(all));

        System.out.println();
        System.out.print(Plateau.summaryTable(all));
        if (load.get() != null && load.get().getJsonObject("churn") != null) {
            JsonObject c = load.get().getJsonObject("churn");
            System.out.println("load: " + c.getInteger("sessionsOpened") + " sessions opened by " + clients
                    + " clients ("
                    + c.getInteger("vanished") + " vanished without DELETE, " + c.getInteger("reconnectFailures")
                    + " reconnects refused or failed "
                    + c.getJsonObject("refusals").encode() + ")");
        }
        if (hostile != null) {
            JsonObject h = hostile.report();
            System.out.println("hostile: " + h.getLong("sent") + " requests, " + h.getLong("unexpected")
                    + " unexpected answers; by kind "
                    + h.getJsonObject("byKind").encode());
        }
        System.out.println("threads after vs before the load, by name: " + grown(threadsBefore, threadsAfter));
        boolean pass = failed == null;
        for (Plateau.Check c : checks) {
            System.out.println((c.pass() ? "  ok   " : "  FAIL ") + c.name() + ": " + c.detail());
            pass &= c.pass();
        }
        if (hostile != null && hostile.unexpected() > 0) {
            System.out.println("  FAIL hostile: " + hostile.unexpected()
                    + " answers were not what the attack should get " + "(a 5xx, no answer, a wrong status): "
                    + hostile.report().getJsonArray("unexpectedSamples").encode());
            pass = false;
        }
        System.out.println("report: " + out.resolve("soak.json") + "  samples: " + out.resolve("soak.csv"));
        if (failed != null) {
            System.err.println("soak: the load run failed: " + failed.getMessage());
            return failed.exitCode();
        }
        System.out.println(pass ? "soak: PASS" : "soak: FAIL");
        return pass ? 0 : 1;
    }

    /**
     * The load side of the soak: a client that vanished must be able to come back. (A server that
     * kept counting closed connections refused every reconnect after ~10 minutes, while its memory
     * stayed flat: the memory checks alone passed it.) A reconnect still being set up when the
     * run ends is allowed for; a refusal now and then (a vanished session still counted for a few
     * seconds) is too, up to 10 % of the reconnects and 2 more.
     */
    static List<Plateau.Check> churnChecks(JsonObject churn, int clients) {
        int vanished = churn.getInteger("vanished");
        int reconnected = churn.getInteger("reconnected");
        int failures = churn.getInteger("reconnectFailures");
        return List.of(
                new Plateau.Check(
                        "load: vanished clients came back",
                        vanished > 0 && reconnected >= vanished - clients,
                        vanished + " vanished without DELETE, " + reconnected + " reconnected (at most " + clients
                                + " may be mid-reconnect at the end)"),
                new Plateau.Check(
                        "load: reconnects admitted",
                        failures <= reconnected / 10 + 2,
                        failures + " refused or failed "
                                + churn.getJsonObject("refusals").encode() + " for " + reconnected
                                + " reconnects (allowed " + (reconnected / 10 + 2) + ")"));
    }

    /** One sample: /proc for RSS, threads and descriptors; /metrics for the JVM's own figures. */
    private void take() {
        double t = (System.nanoTime() - startNanos) / 1e9;
        double rssMb = Double.NaN;
        int threads = -1;
        int fds = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssMb = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
            try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = (int) s.count();
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone: the row shows it (NaN/-1) and the checks fail on it
        }
        Plateau.Metrics m = Plateau.Metrics.parse(scrape());
        HostileMix h = hostile;
        Plateau.Sample s = new Plateau.Sample(
                t,
                phase,
                rssMb,
                m.heapUsedMb(),
                m.heapCommittedMb(),
                m.heapAfterGcMb(),
                m.directMb(),
                threads,
                fds,
                m.sessions(),
                h == null ? 0 : h.sent());
        synchronized (samples) {
            samples.add(s);
        }
        System.out.println(s.row());
    }

    private String scrape() {
        try {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(url.resolve("/metrics")).timeout(Duration.ofSeconds(10));
            if (token != null && !token.isBlank()) {
                b.header("authorization", "Bearer " + token.strip());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private int sessions() {
        return Plateau.Metrics.parse(scrape()).sessions();
    }

    /** jcmd PID GC.run: a full collection, after which G1 gives back heap it no longer needs. */
    private String fullGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
        try {
            Process p = new ProcessBuilder(exe, Long.toString(pid), "GC.run")
                    .redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes()).strip().replace('\n', ' ');
            return p.waitFor() == 0 ? "full GC requested (jcmd GC.run)" : "jcmd GC.run failed: " + text;
        } catch (IOException e) {
            return "no jcmd (" + e.getMessage() + "): end figures without a full GC";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Passes everything but the load run's "[  12.0 s] …" progress lines. */
    private static final class DropProgress extends OutputStream {
        private final PrintStream to;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        DropProgress(PrintStream to) {
            this.to = to;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(java.nio.charset.StandardCharsets.UTF_8);
                if (!text.startsWith("[")) {
                    to.println(text);
                }
                line.reset();
            } else if (b != '\r') {
                line.write(b);
            }
        }
    }

    /**
     * The server's threads by name with the digits taken out ("vert.x-worker-thread-#" × 20), from
     * /proc/PID/task/N/comm (Linux truncates names to 15 characters): says which pools grew.
     */
    private java.util.Map<String, Integer> threadNames() {
        java.util.Map<String, Integer> names = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    names.merge(Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "#"), 1, Integer::sum);
                } catch (IOException e) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return names;
    }

    /** What {@code after} has more of than {@code before}, e.g. "vert.x-worker-th +19". */
    static String grown(java.util.Map<String, Integer> before, java.util.Map<String, Integer> after) {
        StringBuilder b = new StringBuilder();
        after.forEach((name, n) -> {
            int d = n - before.getOrDefault(name, 0);
            if (d != 0) {
                b.append(b.length() == 0 ? "" : ", ")
                        .append(name)
                        .append(d > 0 ? " +" : " ")
                        .append(d);
            }
        });
        return b.length() == 0 ? "none" : b.toString();
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Soak());
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine()
                    .getErr()
                    .println("soak: " + ex.getMessage().lines().findFirst().orElse("bad arguments")
                            + "; --help lists every flag");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("soak: " + e);
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }
}
