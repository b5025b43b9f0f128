package dev.depthcast;

import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.config.Backend;
import dev.depthcast.config.ConfigException;
import dev.depthcast.config.DenseMode;
import dev.depthcast.config.DeviceSelection;
import dev.depthcast.config.EnginePrecision;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import dev.depthcast.wire.WireFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code depthcast serve}: the command line of scripts/serve.sh. */
@Command(
        name = "depthcast",
        mixinStandardHelpOptions = true,
        version = "depthcast 0.1.0",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Live webcam video in over WebRTC, batched monocular depth, live 3D point clouds out.",
            "Open http://HOST:PORT/ in a browser. Without --model it runs the embedded relief demo model",
            "(brightness as depth: a pipeline demo, not a learned depth estimator)."
        },
        footer = {
            "",
            "Examples:",
            "  scripts/serve.sh",
            "  scripts/serve.sh --model depth_anything_v2_vits.onnx --preset depth-anything-v2",
            "  scripts/serve.sh --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --auth-file tokens.txt",
            "                                    # camera off localhost needs https; see docs/security.md",
            "  scripts/serve.sh --simulate-inference-ms 20+2   # GPU-like batch cost, for load tests",
            "  scripts/serve.sh --host 0.0.0.0 --auth-file tokens.txt --announced-ip 203.0.113.10 \\",
            "      --ice-port-range 50000-50100 --ice-server 'turn:203.0.113.10:3478?transport=tcp' --turn-secret S",
            "                                    # cloud host behind a 1:1 NAT; see docs/networks.md"
        })
public final class ServeCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--host",
            defaultValue = ServerConfig.DEFAULT_HOST,
            description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(
            names = "--port",
            defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(
            names = "--model",
            paramLabel = "FILE.onnx",
            description = "ONNX depth model (Depth Anything V2, MiDaS v2.1 small); default: the embedded relief model")
    Path model;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            description = "pre/post-processing of the model: relief, depth-anything-v2, "
                    + "depth-anything-v2-metric-indoor, depth-anything-v2-metric-outdoor, midas-small "
                    + "(default: relief without --model; required with --model)")
    String preset;

    @Option(
            names = "--model-output",
            paramLabel = "relative|metric",
            description = "what the model outputs, overriding the preset's: relative inverse depth (mapped to "
                    + "metres, stabilised per session) or metric depth in metres (used as it is); "
                    + "a model's signature cannot tell (README: Models)")
    String modelOutput;

    @Option(
            names = "--input-size",
            paramLabel = "HxW",
            description = "model input size, e.g. 518x518 (default: the preset's, 378x504 or 256x256)")
    String inputSize;

    @Option(
            names = "--backend",
            defaultValue = ServerConfig.DEFAULT_BACKEND,
            description = "auto (TensorRT if a GPU and engine are usable, else CPU), cpu, tensorrt, simulated "
                    + "(default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--engine", paramLabel = "FILE.engine", description = "TensorRT engine (see engines/README.md)")
    Path engine;

    @Option(
            names = "--precision",
            defaultValue = "auto",
            description = "CPU backend: which engine built by build-engine.sh --backend cpu to serve when several "
                    + "match the model: auto (INT8, else FP32), fp32, int8 (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(
            names = "--max-batch",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_BATCH,
            description = "most frames per inference (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(
            names = "--max-wait-ms",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_WAIT_MS,
            description = "longest a ready frame waits for others to fill its batch (default: ${DEFAULT-VALUE})")
    long maxWaitMs;

    @Option(
            names = "--latency-budget-ms",
            defaultValue = "" + ServerConfig.DEFAULT_LATENCY_BUDGET_MS,
            description = "a frame's time from arrival to its cloud that batching may not exceed; batch sizes are "
                    + "chosen from their measured cost within it (default: ${DEFAULT-VALUE})")
    long latencyBudgetMs;

    @Option(
            names = "--max-clients",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_CLIENTS,
            description = "sessions admitted at once; the next gets 503 (default: ${DEFAULT-VALUE})")
    int maxClients;

    @CommandLine.Mixin
    GeometryOptions geometry = new GeometryOptions();

    @Option(
            names = "--stabilize",
            paramLabel = "on|off",
            defaultValue = ServerConfig.DEFAULT_STABILIZE,
            description = "hold a relative model's depth still per session (a robust scale+shift fit to the "
                    + "session's reference) instead of mapping each frame's own min/max (default: ${DEFAULT-VALUE})")
    String stabilize;

    @Option(
            names = "--wire",
            defaultValue = ServerConfig.DEFAULT_WIRE,
            description =
                    "point-cloud schema: v2 (compact, ~1.3 B a point) or v1 (raw float32 xyz + rgb, 15 B a point; "
                            + "kept for one release) (default: ${DEFAULT-VALUE})")
    String wire;

    @Option(
            names = "--dense",
            paramLabel = "on|off|auto",
            defaultValue = ServerConfig.DEFAULT_DENSE,
            description = "send a session that asks for it its whole depth grid as a video track (colour | depth "
                    + "in one frame); on: the page asks unless its user switched it off, auto: only when its user "
                    + "switched it on, off: schema 2 and a one-line reason (default: ${DEFAULT-VALUE})")
    String dense;

    @Option(
            names = "--send-buffer-kb",
            defaultValue = "" + ServerConfig.DEFAULT_SEND_BUFFER_KB,
            description = "socket send buffer (SO_SNDBUF) of the server's connections, KiB: caps what the kernel holds "
                    + "for a slow client; 0 leaves the OS's auto-tuning (default: ${DEFAULT-VALUE})")
    int sendBufferKb;

    @Option(
            names = "--web-root",
            paramLabel = "DIR",
            defaultValue = ServerConfig.DEFAULT_WEB_ROOT,
            description = "the built page (default: ${DEFAULT-VALUE})")
    Path webRoot;

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description =
                    "TLS certificate (browsers give the camera only on https off localhost); "
                            + "it and the key are read again on SIGHUP or when either file changes (a bad new pair keeps the old one)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key")
    Path tlsKey;

    @CommandLine.Mixin
    IceOptions ice = new IceOptions();

    @Option(names = "--threads", description = "CPU inference threads (default: all cores)")
    Integer threads;

    @Option(
            names = "--simulate-inference-ms",
            paramLabel = "FIXED+PER_ITEM",
            description = "simulated backend with a GPU-like batch cost, e.g. 20+2 (implies --backend simulated)")
    String simulate;

    @Option(
            names = "--record-calibration",
            paramLabel = "DIR",
            description = "keep frames of live sessions for INT8 calibration in DIR (y4m clips, one frame a client a "
                    + "second), for scripts/build-engine.sh --calib-images DIR")
    Path recordCalibration;

    @Option(
            names = "--record-frames",
            defaultValue = "" + DEFAULT_RECORD_FRAMES,
            description = "how many calibration frames to keep in all (default: ${DEFAULT-VALUE})")
    int recordFrames;

    @Option(
            names = "--devices",
            paramLabel = "all|N|I,J",
            defaultValue = ServerConfig.DEFAULT_DEVICES,
            description = "one inference executor per device: all, the first N, or ordinals 0,2 (simulated: N "
                    + "simulated devices; default: ${DEFAULT-VALUE}, device 0)")
    String devices;

    @Option(
            names = "--drain-seconds",
            defaultValue = "" + ServerConfig.DEFAULT_DRAIN_SECONDS,
            description = "on SIGTERM or POST /api/admin/drain: stop admitting, serve the clients this long, then "
                    + "close them with 4001 so they reconnect elsewhere (default: ${DEFAULT-VALUE})")
    int drainSeconds;

    /** {@code --record-frames}: calibration frames kept in all, enough for an INT8 calibration set. */
    static final int DEFAULT_RECORD_FRAMES = 500;

    /** Exit status after a GPU fault (EX_SOFTWARE, sysexits.h). */
    static final int EXIT_GPU_FAULT = 70;

    @Option(names = "--debug", description = "print the stack trace of a start-up error (for reporting a bug)")
    boolean debug;

    @CommandLine.Mixin
    AccessOptions access = new AccessOptions();

    @Override
    public Integer call() throws Exception {
        StartupErrors.check(this);
        ServerConfig config = toConfig();
        SecurityConfig security = access.toSecurityConfig();
        long started = System.nanoTime();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        AtomicReference<DepthcastServer> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        // Registered before the server starts: a signal that arrives while it starts (or right
        // after its start line) still ends in a clean stop, never in "Shutdown in progress".
        Thread hook = new Thread(
                () -> {
                    DepthcastServer s = null;
                    try {
                        startDone.await(60, TimeUnit.SECONDS);
                        s = running.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // SIGTERM (Kubernetes, systemd, scripts/cluster.sh) and Ctrl-C drain first: not ready,
                    // no new session, the clients served for --drain-seconds (or until they leave), then
                    // told to reconnect elsewhere (close 4001). With no client it is immediate.
                    int open = s == null ? 0 : s.sessionCount();
                    if (open > 0) {
                        System.err.printf(
                                java.util.Locale.ROOT,
                                "depthcast: stopping (signal received): draining %d session(s) "
                                        + "for up to %d s (--drain-seconds)…%n",
                                open,
                                drainSeconds);
                    } else {
                        System.err.println(
                                "depthcast: stopping (signal received): closing sessions, executor, WebRTC, HTTP…");
                    }
                    if (s != null) {
                        try {
                            s.drain().get(drainSeconds + 5L, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            System.err.println("depthcast: drain did not finish (" + e + "); closing anyway");
                        }
                        s.close();
                    }
                    System.err.printf(
                            java.util.Locale.ROOT,
                            "depthcast: stopped cleanly after %.0f s%n",
                            (System.nanoTime() - started) / 1e9);
                    System.err.flush();
                    exit.complete(0);
                    // Everything is closed: end the process here. Letting the JVM run its own teardown lets
                    // libwebrtc's native threads try to attach to a dying VM, which prints
                    // "VM attach current thread failed" on every exit.
                    Runtime.getRuntime().halt(0);
                },
                "depthcast-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        DepthcastServer server;
        try {
            server = DepthcastServer.start(config, security);
            running.set(server);
        } catch (Exception | Error e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook finds no server and ends the process
            }
            throw e;
        } finally {
            startDone.countDown();
        }
        Object chosen = server.info().get("backend");
        if (engine != null && !"tensorrt".equals(chosen)) {
            LOG.warn(
                    "--engine {} is unused: --backend {} chose {} (no usable GPU); serving on the CPU",
                    engine,
                    backend,
                    chosen);
        }
        if (webRootGiven() && !Files.isRegularFile(webRoot.resolve("index.html"))) {
            LOG.warn(
                    "--web-root {} has no index.html: serving the API only (build the page: cd web && npm ci && npm run build)",
                    webRoot);
        }
        // A sticky GPU error poisons the CUDA context for the life of the process: stop with
        // EXIT_GPU_FAULT so a supervisor restarts it (the new process's warm-up batch then decides
        // between the GPU and, with --backend auto, the CPU). Serving on in a degraded mode would
        // hide the fault from whoever runs the server.
        server.fault().thenAccept(f -> {
            System.err.println("depthcast: " + f.getMessage() + "; exiting with status " + EXIT_GPU_FAULT
                    + " so a supervisor restarts the server");
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return; // the hook closes the server and ends the process
            }
            server.close();
            exit.complete(EXIT_GPU_FAULT);
        });
        return exit.get();
    }

    private boolean webRootGiven() {
        return spec != null
                && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--web-root");
    }

    /** The config the flags describe; {@link StartupErrors#check} has checked the flags' forms and combinations. */
    ServerConfig toConfig() {
        Preset p = preset == null ? Preset.RELIEF : BuiltInPreset.parse(preset).preset();
        if (inputSize != null) {
            String[] hw = inputSize.toLowerCase().split("x");
            p = p.withInputSize(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
        }
        if (modelOutput != null) {
            p = p.withOutput(DepthOutput.parse(modelOutput));
        }
        ServerConfig.Builder config = ServerConfig.builder()
                .host(host)
                .port(port)
                .model(model)
                .preset(p)
                .backend(Backend.parse(backend))
                .engine(engine)
                .precision(EnginePrecision.parse(precision))
                .maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs))
                .latencyBudget(Duration.ofMillis(latencyBudgetMs))
                .maxClients(maxClients)
                .unproject(geometry.toUnprojectParams())
                .webRoot(webRoot)
                .tls(tlsCert, tlsKey)
                .devices(DeviceSelection.parse(devices))
                .drainTime(Duration.ofSeconds(drainSeconds))
                .stabilize(ServerConfig.parseOnOff("--stabilize", stabilize))
                .wire(WireFormat.parse(wire))
                .dense(DenseMode.parse(dense))
                .sendBufferBytes(Math.multiplyExact(sendBufferKb, 1024));
        config.ice(ice.toIceConfig());
        if (threads != null) {
            config.inferenceThreads(threads);
        }
        if (simulate != null) {
            config.simulated(SimulatedCost.parse(simulate));
        }
        if (recordCalibration != null) {
            config.recordCalibration(
                    new CalibrationRecorder.Settings(recordCalibration, recordFrames, Duration.ofSeconds(1)));
        }
        return config.build();
    }

    /**
     * Starts a server as this command line would, with {@code pipelines} in place of those {@code --backend}
     * opens: for a benchmark that brings a model runtime of its own ({@link
     * dev.depthcast.backend.Backends#hostPipeline} wraps it as the server wraps its own). A flag this server does
     * not know, or a bad value, is a {@link ConfigException} carrying the line the command would print.
     */
    public static DepthcastServer start(DepthcastServer.PipelineSource pipelines, String... flags) throws Exception {
        ServeCommand command = new ServeCommand();
        try {
            commandLine(command).parseArgs(flags);
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(StartupErrors.firstLine(e.getMessage()));
        }
        StartupErrors.check(command);
        DepthcastServer server = new DepthcastServer(command.toConfig(), command.access.toSecurityConfig(), pipelines);
        server.start();
        return server;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new ServeCommand()).execute(args));
    }

    /** Runs a command line as main does, errors to {@code err} (tests). */
    static int run(PrintWriter err, String... args) {
        CommandLine cli = commandLine(new ServeCommand());
        cli.setErr(err);
        return cli.execute(args);
    }

    /**
     * The command with depthcast's error handling: a bad flag or value, a bad file, a port in use,
     * any start-up failure: one line "depthcast: WHAT: what to do" on stderr and exit status 2
     * (1 for failures that are not the input's; {@link StartupErrors}), never a stack trace unless --debug.
     */
    static CommandLine commandLine(ServeCommand command) {
        CommandLine cli = new CommandLine(command);
        HelpGroups.install(cli);
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String msg = StartupErrors.firstLine(ex.getMessage());
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getSuggestions().isEmpty()) {
                msg += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            c.getErr().println("depthcast: " + msg + "; --help lists every flag");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            StartupErrors.Failure failure = StartupErrors.classify(e, command);
            commandLine.getErr().println("depthcast: " + failure.line());
            if (command.debug) {
                e.printStackTrace(commandLine.getErr());
            }
            return failure.exitCode();
        });
        return cli;
    }
}
