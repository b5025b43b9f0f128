package dev.depthcast.groundtruth;

import dev.depthcast.DepthcastServer;
import dev.depthcast.ServeCommand;
import dev.depthcast.backend.Backends;
import dev.depthcast.client.DepthcastClient;
import dev.depthcast.client.RefusedException;
import dev.depthcast.config.ConfigException;
import dev.depthcast.model.Preset;
import dev.depthcast.webrtc.WebRtcEngine;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the geometry benchmark: a real server started in-process with the run's flags and the
 * {@link TruthRuntime} in place of a model (wrapped as the server wraps its own runtimes: preprocessing,
 * unprojection, stabiliser, wire), one webrtc-java client sending the {@link Clip} for one cycle, every result kept
 * and, once the run is over, scored by a {@link CloudScorer}. A flag the server does not know is not an error of the
 * run: the outcome says which flag was refused and why, so a server without the stabiliser or metric output is
 * measured for what it has.
 */
public final class BenchRun {

    /** Flags every run's server gets: loopback, any free port, one client, the Depth Anything V2 preset's sizes. */
    static final List<String> BASE_FLAGS = List.of(
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--max-clients",
            "1",
            // The truth runtime stands in for the backend's; simulated is the backend that takes a preset
            // without a model file.
            "--backend",
            "simulated",
            "--preset",
            "depth-anything-v2");

    /** How long the run waits for results after the last frame was sent, at most. */
    static final Duration TAIL = Duration.ofSeconds(4);
    /** The run is over when no result came for this long after the last frame. */
    static final Duration QUIET = Duration.ofMillis(800);

    /**
     * A run to make.
     *
     * @param output what the truth runtime gives (and the server is told to expect by {@code flags})
     * @param flags the server flags beyond {@link #BASE_FLAGS}
     * @param fallbackFlags flags that mean the same on a server that refuses {@code flags} (a server without a
     *     stabiliser does not stabilise: {@code --stabilize off} is all it does), or null when there are none
     * @param hfovDegrees the field of view the client sends in its offer, or null to send none (the server's
     *     {@code --fov})
     */
    public record Spec(
            String name,
            TruthRuntime.Output output,
            List<String> flags,
            List<String> fallbackFlags,
            Double hfovDegrees) {

        /** Whether the run asks the server to stabilise ({@code --stabilize on}): the one the stability targets are for. */
        public boolean stabilised() {
            int at = flags.indexOf("--stabilize");
            return at >= 0 && at + 1 < flags.size() && flags.get(at + 1).equals("on");
        }
    }

    /**
     * What a run gave.
     *
     * @param failure why the run has no scores — the server refused a flag, the session was refused, the run
     *     broke off — or null when it ran
     * @param ranWith the flags the server ran with (the fallback's when the spec's were refused)
     * @param notes what else a reader must know about this run (a fallback, an ignored field of view)
     * @param runtimeFramesRead frames of the stream the truth runtime found the tag of (and gave the truth)
     * @param runtimeFramesUnread frames of the stream whose tag the runtime could not read (it gave no depth)
     * @param intrFovs the distinct horizontal fields of view the messages' {@code intr} carried
     */
    public record Outcome(
            Spec spec,
            String failure,
            List<String> ranWith,
            List<String> notes,
            long framesSent,
            int results,
            long untagged,
            long runtimeFramesRead,
            long runtimeFramesUnread,
            List<Double> intrFovs,
            CloudScorer.Score score,
            StabilizerSummary stabilizer) {

        public boolean ran() {
            return failure == null;
        }
    }

    /** The stabiliser's fields over a run: how many messages had them, the last counts, the median stage time. */
    public record StabilizerSummary(int messages, double lastResets, double lastFailed, double medianStabilizeMs) {}

    private BenchRun() {}

    /** Makes the run {@code spec}: starts the server, streams one cycle of {@code clip}, scores what came back. */
    public static Outcome run(Spec spec, Clip clip, Drift drift, WebRtcEngine engine) throws Exception {
        AtomicReference<TruthRuntime> runtime = new AtomicReference<>();
        DepthcastServer.PipelineSource truth = config -> {
            Preset preset = config.preset();
            TruthRuntime r = new TruthRuntime(clip.scene(), preset, spec.output(), drift);
            runtime.set(r);
            return List.of(Backends.hostPipeline(config, r));
        };
        List<String> notes = new ArrayList<>();
        List<String> ranWith = spec.flags();
        DepthcastServer server;
        try {
            server = ServeCommand.start(truth, flags(spec.flags()));
        } catch (ConfigException refused) {
            String why = "server refused " + String.join(" ", spec.flags()) + ": " + refused.getMessage();
            if (spec.fallbackFlags() == null) {
                return notRun(spec, why);
            }
            notes.add(why + "; ran with "
                    + (spec.fallbackFlags().isEmpty() ? "no such flag" : String.join(" ", spec.fallbackFlags()))
                    + ", which means the same there");
            ranWith = spec.fallbackFlags();
            try {
                server = ServeCommand.start(truth, flags(ranWith));
            } catch (ConfigException alsoRefused) {
                return notRun(spec, why + "; and " + String.join(" ", ranWith) + ": " + alsoRefused.getMessage());
            }
        }
        try {
            return stream(spec, clip, server, runtime.get(), ranWith, notes, engine);
        } finally {
            server.stop();
        }
    }

    private static String[] flags(List<String> extra) {
        List<String> all = new ArrayList<>(BASE_FLAGS);
        all.addAll(extra);
        return all.toArray(String[]::new);
    }

    private static Outcome stream(
            Spec spec,
            Clip clip,
            DepthcastServer server,
            TruthRuntime runtime,
            List<String> ranWith,
            List<String> notes,
            WebRtcEngine engine)
            throws Exception {
        PinholeCamera camera = clip.scene().camera();
        List<CloudScorer.Delivered> results = Collections.synchronizedList(new ArrayList<>());
        List<StabilizerFields> stab = Collections.synchronizedList(new ArrayList<>());
        TreeSet<Double> fovs = new TreeSet<>();
        AtomicLong untagged = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong(System.nanoTime());
        DepthcastClient.Options options =
                new DepthcastClient.Options(camera.width(), camera.height(), clip.fps(), true, 8_000_000, clip);
        if (spec.hfovDegrees() != null) {
            options = options.withHfov(spec.hfovDegrees());
        }
        URI url = URI.create("http://127.0.0.1:" + server.port());
        // The server's start-up calibration ran untagged frames through the runtime: count only the stream's.
        long unreadBefore = runtime.framesUnread();
        long readBefore = runtime.framesRead();
        DepthcastClient client;
        try {
            client = DepthcastClient.connect(engine, url, options, r -> {
                lastArrival.set(r.arrivedNanos());
                if (!r.message().origin().tagged()) {
                    untagged.incrementAndGet();
                    return;
                }
                results.add(new CloudScorer.Delivered(r.message().origin().tag(), r.message()));
                synchronized (fovs) {
                    fovs.add((double) r.message().grid().intrinsics().hfovDegrees());
                }
                try {
                    stab.add(StabilizerFields.read(r.raw()));
                } catch (IOException e) {
                    stab.add(StabilizerFields.ABSENT);
                }
            });
        } catch (RefusedException e) {
            return notRun(spec, "the session was refused: " + e.getMessage());
        }
        long sent;
        try {
            client.awaitConnected(Duration.ofSeconds(10));
            // One whole cycle after the connection is up (frames pushed before it are lost on the way).
            long from = client.framesPushed();
            while (client.framesPushed() < from + clip.frameCount()) {
                Thread.sleep(10);
            }
            client.stopStreaming();
            sent = client.framesPushed() - from;
            long end = System.nanoTime() + TAIL.toNanos();
            while (System.nanoTime() < end && System.nanoTime() - lastArrival.get() < QUIET.toNanos()) {
                Thread.sleep(20);
            }
        } finally {
            client.close();
        }
        if (client.lastError() != null) {
            notes.add("the client's last error: " + client.lastError());
        }
        List<Double> intrFovs;
        synchronized (fovs) {
            intrFovs = List.copyOf(fovs);
        }
        if (spec.hfovDegrees() != null
                && !intrFovs.isEmpty()
                && intrFovs.stream().anyMatch(f -> Math.abs(f - spec.hfovDegrees()) > 0.01)) {
            notes.add(String.format(
                    java.util.Locale.ROOT,
                    "the session's hfov %.1f was not applied: its messages' intr.fov is %s (a server without "
                            + "per-session field of view ignores the offer's hfov)",
                    spec.hfovDegrees(),
                    intrFovs));
        }
        List<CloudScorer.Delivered> delivered;
        synchronized (results) {
            delivered = List.copyOf(results);
        }
        CloudScorer.Score score =
                new CloudScorer(clip.scene()).score(delivered, spec.output() == TruthRuntime.Output.RELATIVE);
        return new Outcome(
                spec,
                null,
                ranWith,
                notes,
                sent,
                delivered.size(),
                untagged.get(),
                runtime.framesRead() - readBefore,
                runtime.framesUnread() - unreadBefore,
                intrFovs,
                score,
                summarize(stab));
    }

    /** A run without scores, and why. */
    static Outcome notRun(Spec spec, String why) {
        return new Outcome(spec, why, spec.flags(), List.of(), 0, 0, 0, 0, 0, List.of(), null, null);
    }

    static StabilizerSummary summarize(List<StabilizerFields> fields) {
        List<StabilizerFields> all;
        synchronized (fields) {
            all = List.copyOf(fields);
        }
        List<StabilizerFields> present =
                all.stream().filter(StabilizerFields::present).toList();
        CloudScorer.FloatList times = new CloudScorer.FloatList();
        for (StabilizerFields f : all) {
            if (!Double.isNaN(f.stabilizeMs())) {
                times.add((float) f.stabilizeMs());
            }
        }
        StabilizerFields last = present.isEmpty() ? StabilizerFields.ABSENT : present.get(present.size() - 1);
        return new StabilizerSummary(
                present.size(), last.resets(), last.failed(), Percentile.of(times.values(), times.size(), 0.5));
    }
}
