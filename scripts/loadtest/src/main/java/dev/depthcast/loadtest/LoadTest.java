package dev.depthcast.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/loadtest.sh}: N synthetic webrtc-java cameras against a running depthcast server. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        version = "depthcast-loadtest 0.1.0",
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Opens N sessions to a running depthcast server, each streaming a moving synthetic pattern over",
            "WebRTC (webrtc-java, the same DepthcastClient the tests use), and measures what comes back.",
            "",
            "Per client and overall: result FPS; end-to-end latency p50/p95/p99; staleness; bytes/frame;",
            "drops by reason; fairness across clients; CPU use. Prints a table, writes a JSON report and a",
            "self-contained HTML page (inline SVG) with latency and FPS over time per client.",
            "",
            "Latency = capture → result decoded: from the moment a frame is stamped (System.nanoTime(), the",
            "VideoFrame timestamp handed to the encoder) until the point-cloud message made from THAT frame",
            "has been received and msgpack-decoded here. It includes VP8 encoding, the network (loopback),",
            "the server's jitter buffer and decoder, the copy into the mailbox, the mailbox wait,",
            "preprocessing, inference, unprojection, msgpack encoding, the WebSocket and decoding here.",
            "Matching: every frame carries its index (16 bits + CRC-8) as a chroma code in its top 12%%;",
            "the result's points in that strip are read back. The message's ts is NOT used: it is the",
            "server's WebRTC receive-side (render) timestamp, not the sender's capture time.",
            "Staleness = frames this client had pushed after the result's source frame, when it was decoded.",
            "Measured over the window after the ramp, every client's first result and the warm-up;",
            "the plot shows the whole run.",
            ""
        },
        footer = {
            "",
            "Exit codes: 0 done; 2 bad options; 3 server unreachable; 4 server refused a session (e.g. 503 "
                    + "--max-clients); 5 a client failed to connect; 6 a client got no results in the window; 7 the server "
                    + "needs a token (--token) or refused the one given.",
            "",
            "Examples:",
            "  scripts/loadtest.sh --url http://127.0.0.1:8080 --clients 4 --fps 30 --duration 20s",
            "  scripts/loadtest.sh --clients 8 --ramp 8s --size 320x240 --out /tmp/lt",
            "  scripts/loadtest.sh --clients 1 --duration 10s --record recordings/",
            "  DEPTHCAST_TOKEN=$(head -1 tokens.txt) scripts/loadtest.sh --clients 4 --churn 30s --duration 5m"
        })
public final class LoadTest implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "server (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--clients", defaultValue = "4", description = "sessions to open (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(
            names = "--fps",
            defaultValue = "30",
            description = "frames per second each client sends (default: ${DEFAULT-VALUE})")
    double fps;

    @Option(
            names = "--size",
            defaultValue = "640x480",
            paramLabel = "WxH",
            description = "frame size each client sends (default: ${DEFAULT-VALUE})")
    String size;

    @Option(
            names = "--duration",
            defaultValue = "20s",
            paramLabel = "TIME",
            description = "measured time, after ramp and warm-up, e.g. 20s, 2m (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(
            names = "--ramp",
            defaultValue = "0s",
            paramLabel = "TIME",
            description = "start the clients evenly spread over this time (default: ${DEFAULT-VALUE}: all at once)")
    String ramp;

    @Option(
            names = "--warmup",
            defaultValue = "3s",
            paramLabel = "TIME",
            description = "not measured, from when every client has its first result (default: ${DEFAULT-VALUE})")
    String warmup;

    @Option(
            names = "--bitrate",
            defaultValue = "4000",
            paramLabel = "KBPS",
            description =
                    "encoder cap per client; libwebrtc's default holds 640x480 below 30 fps (default: ${DEFAULT-VALUE})")
    int bitrateKbps;

    @Option(names = "--no-trickle", description = "non-trickle ICE (candidates inside the SDP)")
    boolean noTrickle;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:DEPTHCAST_TOKEN}",
            description = "the server's bearer token (--auth-token/--auth-file): 'Authorization: Bearer' on the API, "
                    + "?token= on the results socket; or set DEPTHCAST_TOKEN, which keeps it out of ps")
    String token;

    @Option(
            names = "--churn",
            defaultValue = "0s",
            paramLabel = "TIME",
            description = "after the warm-up each client vanishes about this often (no DELETE, as a crashed tab) "
                    + "and reconnects with a new session; 0: never (default: ${DEFAULT-VALUE})")
    String churn;

    @Option(
            names = "--out",
            defaultValue = "loadtest-out",
            paramLabel = "DIR",
            description = "where the JSON and HTML reports go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "report file name without extension (default: loadtest-DATE-TIME)")
    String name;

    @Option(
            names = "--record",
            paramLabel = "DIR",
            description = "also write each session's results stream to DIR as a .dcrec recording "
                    + "(docs/recording.md), which the page's Open replays")
    Path record;

    @Option(names = "--quiet", description = "no progress line")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--size must be WxH, e.g. 640x480");
        }
        LoadRun.Settings settings;
        try {
            settings = new LoadRun.Settings(
                    URI.create(url.toString().replaceFirst("/+$", "")),
                    clients,
                    fps,
                    Integer.parseInt(wh[0].trim()),
                    Integer.parseInt(wh[1].trim()),
                    parseDuration(duration),
                    parseDuration(ramp),
                    parseDuration(warmup),
                    bitrateKbps,
                    !noTrickle,
                    token == null || token.isBlank() ? null : token.strip(),
                    parseDuration(churn));
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest: " + e.getMessage());
            return 2;
        }
        if (record != null) {
            try {
                Files.createDirectories(record);
            } catch (IOException e) {
                System.err.println("loadtest: --record: cannot create " + record + " ("
                        + e.getClass().getSimpleName() + ")");
                return 2;
            }
        }
        JsonObject report;
        try {
            report = LoadRun.run(settings, System.err, !quiet && System.console() != null, record);
        } catch (LoadTestException e) {
            System.err.println();
            System.err.println("loadtest: " + e.getMessage());
            return e.exitCode();
        }
        System.out.print(Reports.table(report));
        String base = name != null
                ? name
                : "loadtest-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.createDirectories(out);
        Path json = out.resolve(base + ".json");
        Path html = out.resolve(base + ".html");
        Files.writeString(json, report.encodePrettily());
        Files.writeString(html, Reports.html(report));
        System.out.println("report: " + json + "  plot: " + html);
        return starvedClients(report) > 0 ? LoadTestException.STARVED : 0;
    }

    static int starvedClients(JsonObject report) {
        int starved = 0;
        for (Object c : report.getJsonArray("clients")) {
            if (((JsonObject) c).getInteger("results") == 0) {
                starved++;
            }
        }
        if (starved > 0) {
            System.err.println("loadtest: " + starved + " client(s) got no results in the measured window");
        }
        return starved;
    }

    /** "20s", "500ms", "2m", "1.5s" or a bare number of seconds. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 2))));
            }
            if (t.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
            }
            if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
            }
            double seconds = Double.parseDouble(t);
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(seconds * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 20s, 500ms, 2m)");
        }
    }

    public static void main(String[] args) throws IOException {
        CommandLine cli = new CommandLine(new LoadTest());
        // Bad flags and values: one line naming the input (picocli's default adds the whole usage).
        cli.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage() == null
                    ? "bad arguments"
                    : ex.getMessage().lines().findFirst().orElse("");
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getSuggestions().isEmpty()) {
                msg += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            ex.getCommandLine().getErr().println("loadtest: " + msg + "; --help lists every flag");
            return 2;
        });
        // Anything else unexpected: one line, never a stack trace.
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("loadtest: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
