package dev.depthcast.groundtruth;

import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ground-truth geometry benchmark (scripts/geometry-bench.sh): renders the {@link RoomScene} clip, runs it
 * through a real server with the {@link TruthRuntime} once per run (relative output with the stabiliser off and on,
 * metric output with the session's field of view sent and not), prints a table of stability and error against
 * the truth, then the same as JSON; {@code --assert} checks the targets and exits 1 when one is missed.
 */
@Command(
        name = "geometry-bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Ground-truth geometry benchmark: a rendered room with an approaching ball, a truth model runtime in a",
            "real in-process server, a webrtc-java client; prints stability and depth/point errors per run."
        })
public final class GeometryBench implements Callable<Integer> {

    /** Targets {@code --assert} checks (fractions). */
    static final double MAX_STATIC_CV = 0.02;

    static final double MAX_STATIC_JUMP_PERCENT = 2.0;
    static final double MAX_STATIC_JUMP = MAX_STATIC_JUMP_PERCENT / 100;
    static final double MAX_METRIC_MEDIAN_ERROR = 0.01;
    static final double MAX_METRIC_P90_ERROR = 0.03;
    /** The horizontal fields of view a session may send (docs/protocol.md). */
    static final int MIN_HFOV = 20;

    static final int MAX_HFOV = 150;
    /** A run must deliver at least this fraction of the frames it sent for its scores to count. */
    static final double MIN_DELIVERED = 0.3;

    @Option(
            names = "--seconds",
            defaultValue = "12",
            description = "clip length: one approach-and-recede cycle (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--fps", defaultValue = "15", description = "clip frame rate (default: ${DEFAULT-VALUE})")
    int fps;

    @Option(
            names = "--max-jump",
            defaultValue = "" + MAX_STATIC_JUMP_PERCENT,
            description = "largest static frame-to-frame jump --assert accepts, per cent (default: the target, "
                    + "${DEFAULT-VALUE})")
    double maxJumpPercent;

    @Option(
            names = "--size",
            defaultValue = "640x480",
            paramLabel = "WxH",
            description = "clip size (default: ${DEFAULT-VALUE})")
    String size;

    @Option(
            names = "--hfov",
            defaultValue = "70",
            description = "the scene camera's true horizontal field of view, degrees (default: ${DEFAULT-VALUE})")
    double hfov;

    @Option(
            names = "--runs",
            defaultValue = "relative-off,relative-on,metric,metric-default-fov",
            split = ",",
            paramLabel = "RUN",
            description = "runs to make: relative-off, relative-on, metric, metric-default-fov, or none (only --y4m) "
                    + "(default: all)")
    List<String> runs;

    @Option(
            names = "--y4m",
            paramLabel = "FILE",
            description = "also write the clip as YUV4MPEG2 (Chromium's fake camera)")
    Path y4m;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the JSON report to FILE")
    Path json;

    @Option(
            names = "--assert",
            description = "exit 1 unless the targets are met (stabilised relative CV and jump "
                    + "<= 2 %; metric depth and point error median <= 1 %, p90 <= 3 %; the session's hfov applied)")
    boolean check;

    @Option(names = "--verbose", description = "show the servers' logs")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2 || !wh[0].matches("[0-9]{2,5}") || !wh[1].matches("[0-9]{2,5}")) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--size " + size + " is not WxH, e.g. 640x480");
        }
        if (fps < 1 || fps > 60 || !(seconds > 0) || seconds * fps < 2) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--fps must be 1..60 and --seconds give at least 2 frames");
        }
        if (!(hfov >= MIN_HFOV && hfov <= MAX_HFOV)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--hfov " + hfov + " is out of range: the server takes " + MIN_HFOV + ".." + MAX_HFOV + " degrees");
        }
        List<BenchRun.Spec> specs = specs();
        PinholeCamera camera = new PinholeCamera(hfov, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        RoomScene scene = new RoomScene(camera, (int) Math.round(seconds * fps));
        Drift drift = Drift.typical(scene.nearestDepth(), scene.farthestDepth());
        long t0 = System.nanoTime();
        Clip clip = Clip.render(scene, fps);
        System.out.printf(
                Locale.ROOT,
                "scene: %dx%d at %d fps, %d frames (%.1f s), true hfov %.0f deg; room %.0f m deep, ball %.2f-%.2f m; "
                        + "relative drift: scale x(1 +- %.2f), shift +- %.2f of the range, noise %.1f %% of it; "
                        + "rendered in %.1f s%n",
                camera.width(),
                camera.height(),
                fps,
                clip.frameCount(),
                clip.frameCount() / (double) fps,
                hfov,
                RoomScene.BACK_WALL_DEPTH,
                scene.nearestDepth(),
                RoomScene.BALL_MID_DEPTH + RoomScene.BALL_SWING + RoomScene.BALL_RADIUS,
                drift.scaleSpread(),
                drift.shiftSpread(),
                100 * drift.noise(),
                (System.nanoTime() - t0) / 1e9);
        if (y4m != null) {
            clip.writeY4m(y4m);
            System.out.println("clip written: " + y4m + " (YUV4MPEG2 4:2:0; frame tag in the top strip)");
        }
        if (specs.isEmpty()) {
            return 0;
        }
        List<BenchRun.Outcome> outcomes = new ArrayList<>();
        try (WebRtcEngine engine = new WebRtcEngine()) {
            for (BenchRun.Spec spec : specs) {
                System.out.println("run: " + spec.name() + " …");
                try {
                    outcomes.add(BenchRun.run(spec, clip, drift, engine));
                } catch (Exception e) {
                    // The other runs still say what they can; --assert fails on this one.
                    outcomes.add(BenchRun.notRun(spec, "the run broke off: " + e));
                }
            }
        }
        System.out.println();
        System.out.print(table(outcomes));
        List<String> failures = check ? failures(outcomes, maxJumpPercent / 100) : List.of();
        JsonObject report = report(scene, drift, outcomes, failures);
        System.out.println();
        System.out.println(report.encodePrettily());
        if (json != null) {
            Files.writeString(json, report.encodePrettily() + "\n", StandardCharsets.UTF_8);
        }
        if (check) {
            System.out.println();
            if (failures.isEmpty()) {
                System.out.println("geometry-bench --assert: every target met");
            } else {
                failures.forEach(f -> System.out.println("FAIL " + f));
                System.out.println("geometry-bench --assert: " + failures.size() + " target(s) missed");
            }
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** The runs {@code --runs} names, in the order given. */
    List<BenchRun.Spec> specs() {
        Map<String, BenchRun.Spec> known = new LinkedHashMap<>();
        known.put(
                "relative-off",
                new BenchRun.Spec(
                        "relative, stabilize off",
                        TruthRuntime.Output.RELATIVE,
                        List.of("--stabilize", "off"),
                        List.of(),
                        hfov));
        known.put(
                "relative-on",
                new BenchRun.Spec(
                        "relative, stabilize on",
                        TruthRuntime.Output.RELATIVE,
                        List.of("--stabilize", "on"),
                        null,
                        hfov));
        known.put(
                "metric",
                new BenchRun.Spec(
                        "metric, true hfov sent",
                        TruthRuntime.Output.METRIC,
                        List.of("--model-output", "metric"),
                        null,
                        hfov));
        known.put(
                "metric-default-fov",
                new BenchRun.Spec(
                        "metric, hfov not sent",
                        TruthRuntime.Output.METRIC,
                        List.of("--model-output", "metric"),
                        null,
                        null));
        List<BenchRun.Spec> out = new ArrayList<>();
        for (String name : runs) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.equals("none")) {
                continue;
            }
            BenchRun.Spec s = known.get(n);
            if (s == null) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--runs: unknown run '" + name + "'; known: " + String.join(", ", known.keySet()) + ", none");
            }
            out.add(s);
        }
        return out;
    }

    static String table(List<BenchRun.Outcome> outcomes) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-26s %9s %9s %9s %10s %8s %10s %8s %9s %8s%n",
                "run",
                "results",
                "static CV",
                "max jump",
                "depth p50",
                "p90",
                "point p50",
                "p90",
                "intr fov",
                "stab ms"));
        for (BenchRun.Outcome o : outcomes) {
            if (!o.ran()) {
                b.append(String.format(Locale.ROOT, "%-26s %s%n", o.spec().name(), "NOT RUN"));
                continue;
            }
            CloudScorer.Score s = o.score();
            b.append(String.format(
                    Locale.ROOT,
                    "%-26s %9s %8.2f%% %8.2f%% %9.2f%% %7.2f%% %9.2f%% %7.2f%% %9s %8s%n",
                    o.spec().name(),
                    o.results() + "/" + o.framesSent(),
                    100 * s.staticCv(),
                    100 * s.largestJump(),
                    100 * s.depthErrorMedian(),
                    100 * s.depthErrorP90(),
                    100 * s.pointErrorMedian(),
                    100 * s.pointErrorP90(),
                    o.intrFovs().size() == 1
                            ? String.format(Locale.ROOT, "%.1f", o.intrFovs().get(0))
                            : o.intrFovs().toString(),
                    Double.isNaN(o.stabilizer().medianStabilizeMs())
                            ? "-"
                            : String.format(Locale.ROOT, "%.3f", o.stabilizer().medianStabilizeMs())));
        }
        b.append("static CV, max jump: the median depth over time of the cells the ball never covers, per room surface "
                + "(the worst surface's). depth/point: relative error against the truth at the same pixel (relative "
                + "runs after one scale fit per clip).\n");
        for (BenchRun.Outcome o : outcomes) {
            if (!o.ran()) {
                b.append("  ")
                        .append(o.spec().name())
                        .append(": ")
                        .append(o.failure())
                        .append('\n');
            }
            for (String note : o.notes()) {
                b.append("  ").append(o.spec().name()).append(": ").append(note).append('\n');
            }
            if (o.ran() && o.spec().stabilised() && o.stabilizer().messages() == 0) {
                b.append("  ")
                        .append(o.spec().name())
                        .append(": the server took --stabilize on but sent no 'stab' map\n");
            }
        }
        return b.toString();
    }

    /** The targets {@code --assert} checks, each a line saying what was missed; empty when all were met. */
    static List<String> failures(List<BenchRun.Outcome> outcomes) {
        return failures(outcomes, MAX_STATIC_JUMP);
    }

    static List<String> failures(List<BenchRun.Outcome> outcomes, double maxJump) {
        List<String> failures = new ArrayList<>();
        for (BenchRun.Outcome o : outcomes) {
            String name = o.spec().name();
            if (!o.ran()) {
                failures.add(name + ": " + o.failure());
                continue;
            }
            if (o.results() < MIN_DELIVERED * o.framesSent() || o.score().staticFrames() < 10) {
                failures.add(String.format(
                        Locale.ROOT,
                        "%s: too few results to score (%d of %d frames, %d with enough static points)",
                        name,
                        o.results(),
                        o.framesSent(),
                        o.score().staticFrames()));
                continue;
            }
            CloudScorer.Score s = o.score();
            if (o.spec().stabilised()) {
                atMost(failures, name + ": static-region CV", s.staticCv(), MAX_STATIC_CV);
                atMost(failures, name + ": largest frame-to-frame jump", s.largestJump(), maxJump);
            }
            if (o.spec().output() == TruthRuntime.Output.METRIC && o.spec().hfovDegrees() != null) {
                atMost(failures, name + ": median depth error", s.depthErrorMedian(), MAX_METRIC_MEDIAN_ERROR);
                atMost(failures, name + ": p90 depth error", s.depthErrorP90(), MAX_METRIC_P90_ERROR);
                atMost(failures, name + ": median point error", s.pointErrorMedian(), MAX_METRIC_MEDIAN_ERROR);
                atMost(failures, name + ": p90 point error", s.pointErrorP90(), MAX_METRIC_P90_ERROR);
            }
            if (o.spec().hfovDegrees() != null
                    && o.intrFovs().stream().anyMatch(f -> Math.abs(f - o.spec().hfovDegrees()) > 0.01)) {
                failures.add(String.format(
                        Locale.ROOT,
                        "%s: the session's hfov %.1f was not applied (intr.fov %s)",
                        name,
                        o.spec().hfovDegrees(),
                        o.intrFovs()));
            }
        }
        return failures;
    }

    private static void atMost(List<String> failures, String what, double value, double limit) {
        if (!(value <= limit)) {
            failures.add(String.format(Locale.ROOT, "%s %.2f %% > %.2f %%", what, 100 * value, 100 * limit));
        }
    }

    static JsonObject report(RoomScene scene, Drift drift, List<BenchRun.Outcome> outcomes, List<String> failures) {
        PinholeCamera camera = scene.camera();
        JsonObject sceneJson = new JsonObject()
                .put("width", camera.width())
                .put("height", camera.height())
                .put("frames", scene.cycleFrames())
                .put("hfovDegrees", camera.hfovDegrees())
                .put("nearestM", scene.nearestDepth())
                .put("farthestM", scene.farthestDepth())
                .put(
                        "drift",
                        new JsonObject()
                                .put("scaleSpread", drift.scaleSpread())
                                .put("shiftSpread", drift.shiftSpread())
                                .put("noise", drift.noise()));
        JsonArray runs = new JsonArray();
        for (BenchRun.Outcome o : outcomes) {
            JsonObject r = new JsonObject()
                    .put("name", o.spec().name())
                    .put("output", o.spec().output().name().toLowerCase(Locale.ROOT))
                    .put("flags", new JsonArray(new ArrayList<>(o.spec().flags())))
                    .put("hfovSent", o.spec().hfovDegrees())
                    .put("ran", o.ran());
            if (!o.ran()) {
                r.put("failure", o.failure());
                runs.add(r);
                continue;
            }
            CloudScorer.Score s = o.score();
            r.put("ranWith", new JsonArray(new ArrayList<>(o.ranWith())))
                    .put("notes", new JsonArray(new ArrayList<>(o.notes())))
                    .put("framesSent", o.framesSent())
                    .put("results", o.results())
                    .put("untagged", o.untagged())
                    .put("truthFramesRead", o.runtimeFramesRead())
                    .put("truthFramesUnread", o.runtimeFramesUnread())
                    .put("points", s.points())
                    .put("unmatchedPoints", s.unmatched())
                    .put("scaleFit", s.scale())
                    .put("staticCv", s.staticCv())
                    .put("largestJump", s.largestJump())
                    .put("staticFrames", s.staticFrames())
                    .put("staticRegions", regions(s))
                    .put(
                            "depthError",
                            new JsonObject().put("p50", s.depthErrorMedian()).put("p90", s.depthErrorP90()))
                    .put(
                            "pointError",
                            new JsonObject().put("p50", s.pointErrorMedian()).put("p90", s.pointErrorP90()))
                    .put("intrFov", new JsonArray(new ArrayList<>(o.intrFovs())))
                    .put(
                            "stab",
                            new JsonObject()
                                    .put("messages", o.stabilizer().messages())
                                    .put("resets", finite(o.stabilizer().lastResets()))
                                    .put("failed", finite(o.stabilizer().lastFailed()))
                                    .put(
                                            "medianStabilizeMs",
                                            finite(o.stabilizer().medianStabilizeMs())));
            runs.add(r);
        }
        return new JsonObject()
                .put("scene", sceneJson)
                .put("runs", runs)
                .put("failures", new JsonArray(new ArrayList<>(failures)));
    }

    /** Per static region: its surface, CV, largest jump and the range of its median depth (metres as delivered). */
    private static JsonArray regions(CloudScorer.Score s) {
        JsonArray out = new JsonArray();
        for (CloudScorer.StaticRegion r : s.regions()) {
            out.add(new JsonObject()
                    .put("surface", r.surface().name().toLowerCase(Locale.ROOT))
                    .put("cv", r.cv())
                    .put("largestJump", r.largestJump())
                    .put("medianMinM", finite(Arrays.stream(r.medians()).min().orElse(Double.NaN)))
                    .put("medianMaxM", finite(Arrays.stream(r.medians()).max().orElse(Double.NaN))));
        }
        return out;
    }

    /** JSON has no NaN: null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new GeometryBench());
        cli.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage() == null
                    ? "bad arguments"
                    : ex.getMessage().lines().findFirst().orElse("");
            ex.getCommandLine().getErr().println("geometry-bench: " + msg + "; --help lists every flag");
            return 2;
        });
        // Anything unexpected (a server that failed to start, a lost connection): one line; the trace with --verbose.
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("geometry-bench: " + e);
            if (((GeometryBench) c.getCommand()).verbose) {
                e.printStackTrace(c.getErr());
            }
            return 1;
        });
        int status = cli.execute(args);
        System.out.flush();
        // libwebrtc's native threads can keep a JVM from ending: everything is closed, so end here.
        Runtime.getRuntime().halt(status);
    }
}
