package dev.depthcast;

import dev.depthcast.config.ServerConfig;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.model.Preset;
import dev.depthcast.process.UnprojectParams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code depthcast serve}: the command line of scripts/serve.sh. */
@Command(name = "depthcast", mixinStandardHelpOptions = true, version = "depthcast 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Live webcam video in over WebRTC, batched monocular depth, live 3D point clouds out.",
                "Open http://HOST:PORT/ in a browser. Without --model it runs the embedded relief demo model",
                "(brightness as depth: a pipeline demo, not a learned depth estimator)."},
        footer = {"", "Examples:",
                "  scripts/serve.sh",
                "  scripts/serve.sh --model depth_anything_v2_vits.onnx --preset depth-anything-v2",
                "  scripts/serve.sh --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --auth-file tokens.txt",
                "                                    # camera off localhost needs https; see docs/security.md",
                "  scripts/serve.sh --simulate-inference-ms 20+2   # GPU-like batch cost, for load tests"})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--model", paramLabel = "FILE.onnx",
            description = "ONNX depth model (Depth Anything V2, MiDaS v2.1 small); default: the embedded relief model")
    Path model;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "pre/post-processing of the model: relief, depth-anything-v2, midas-small "
                    + "(default: relief without --model; required with --model)")
    String preset;

    @Option(names = "--input-size", paramLabel = "HxW",
            description = "model input size, e.g. 518x518 (default: the preset's, 378x504 or 256x256)")
    String inputSize;

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto (TensorRT if a GPU and engine are usable, else CPU), cpu, tensorrt, simulated "
                    + "(default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--engine", paramLabel = "FILE.engine", description = "TensorRT engine (see engines/README.md)")
    Path engine;

    @Option(names = "--max-batch", defaultValue = "8", description = "most frames per inference (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "4",
            description = "longest a ready frame waits for others to fill its batch (default: ${DEFAULT-VALUE})")
    long maxWaitMs;

    @Option(names = "--max-clients", defaultValue = "16",
            description = "sessions admitted at once; the next gets 503 (default: ${DEFAULT-VALUE})")
    int maxClients;

    @Option(names = "--stride", defaultValue = "3",
            description = "sampling step on the depth grid: 3 gives ~21k points at 378x504 (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--fov", defaultValue = "60", description = "camera horizontal field of view, degrees (default: ${DEFAULT-VALUE})")
    float fov;

    @Option(names = "--near", defaultValue = "0.4", description = "metres the nearest thing maps to (default: ${DEFAULT-VALUE})")
    float near;

    @Option(names = "--far", defaultValue = "4", description = "metres the farthest thing maps to (default: ${DEFAULT-VALUE})")
    float far;

    @Option(names = "--edge", defaultValue = "0.1",
            description = "drop points whose depth jumps more than this fraction to a neighbour; 0 keeps all (default: ${DEFAULT-VALUE})")
    float edge;

    @Option(names = "--web-root", paramLabel = "DIR", defaultValue = "web/dist",
            description = "the built page (default: ${DEFAULT-VALUE})")
    Path webRoot;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate (browsers give the camera only on https off localhost)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key")
    Path tlsKey;

    @Option(names = "--threads", description = "CPU inference threads (default: all cores)")
    Integer threads;

    @Option(names = "--simulate-inference-ms", paramLabel = "FIXED+PER_ITEM",
            description = "simulated backend with a GPU-like batch cost, e.g. 20+2 (implies --backend simulated)")
    String simulate;

    @Option(names = "--auth-token", paramLabel = "TOKEN",
            description = "require this bearer token on the API and the results socket (repeatable; the page takes "
                    + "it from its URL: /#token=TOKEN). Prefer --auth-file: a flag shows in ps")
    List<String> authTokens = new ArrayList<>();

    @Option(names = "--auth-file", paramLabel = "FILE",
            description = "read tokens from FILE, one a line (# comments)")
    Path authFile;

    @Option(names = "--no-auth", description = "serve a non-loopback --host without a token (not recommended)")
    boolean noAuth;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
            description = "browser origin allowed to create sessions and open results sockets, e.g. "
                    + "https://cam.example.org (repeatable; default: the server's own origin)")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--admin-port", defaultValue = "-1",
            description = "serve /metrics and /api/stats on 127.0.0.1:PORT only, not on --port (default: off)")
    int adminPort;

    @Option(names = "--max-sessions-per-ip", defaultValue = "8",
            description = "sessions one address may hold at once (default: ${DEFAULT-VALUE})")
    int maxSessionsPerIp;

    @Option(names = "--sessions-per-minute", defaultValue = "30",
            description = "new sessions one address may create a minute (default: ${DEFAULT-VALUE})")
    int sessionsPerMinute;

    @Option(names = "--max-connections", defaultValue = "1024",
            description = "open connections in all, kept under half of ulimit -n (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--max-connections-per-ip", defaultValue = "64",
            description = "open connections from one address (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerIp;

    @Option(names = "--idle-timeout-s", defaultValue = "60",
            description = "close a connection silent both ways this long (default: ${DEFAULT-VALUE})")
    int idleTimeoutS;

    @Option(names = "--request-timeout-s", defaultValue = "10",
            description = "a request's headers, and then its body, must each arrive within this (default: ${DEFAULT-VALUE})")
    int requestTimeoutS;

    @Option(names = "--serve-source-maps", description = "serve the page's *.map files (default: 404)")
    boolean serveSourceMaps;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = toConfig();
        SecurityConfig security = toSecurityConfig();
        DepthcastServer server = DepthcastServer.start(config, security);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "depthcast-shutdown"));
        stopped.await();
        return 0;
    }

    ServerConfig toConfig() {
        Preset p;
        if (preset == null) {
            if (model != null) {
                throw new IllegalArgumentException("--model needs --preset (depth-anything-v2 or midas-small) so "
                        + "the server knows its input size, normalisation and output");
            }
            p = Preset.RELIEF;
        } else {
            p = Preset.byName(preset);
        }
        if (inputSize != null) {
            String[] hw = inputSize.toLowerCase().split("x");
            if (hw.length != 2) {
                throw new IllegalArgumentException("--input-size must be HxW, e.g. 378x504");
            }
            p = p.withInputSize(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
        }
        String chosenBackend = backend;
        ServerConfig.SimulatedCost cost = null;
        if (simulate != null) {
            cost = ServerConfig.SimulatedCost.parse(simulate);
            chosenBackend = "simulated";
        }
        return new ServerConfig(host, port, model, p, chosenBackend, engine, maxBatch, Duration.ofMillis(maxWaitMs),
                maxClients, new UnprojectParams(stride, fov, near, far, edge), webRoot, tlsCert, tlsKey,
                threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors()), cost);
    }

    SecurityConfig toSecurityConfig() throws IOException {
        List<String> tokens = new ArrayList<>(authTokens);
        if (authFile != null) {
            if (!Files.isReadable(authFile)) {
                throw new IllegalArgumentException("--auth-file " + authFile + ": no such readable file");
            }
            for (String line : Files.readAllLines(authFile)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    tokens.add(t);
                }
            }
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("--auth-file " + authFile + " has no token in it");
            }
        }
        if (tokens.isEmpty() && !noAuth && !DepthcastServer.isLoopback(host)) {
            throw new IllegalArgumentException("--host " + host + " is reachable from other machines: give "
                    + "--auth-file FILE (or --auth-token), or --no-auth to serve without a token (docs/security.md)");
        }
        Duration request = Duration.ofSeconds(requestTimeoutS);
        return SecurityConfig.defaults().withAuthTokens(tokens).withAllowedOrigins(allowedOrigins)
                .withAdminPort(adminPort).withSessionLimits(maxSessionsPerIp, sessionsPerMinute)
                .withConnectionLimits(maxConnections, maxConnectionsPerIp, Duration.ofSeconds(idleTimeoutS), request,
                        request)
                .withSourceMaps(serveSourceMaps);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; a user error (bad flag, unreadable cert, …) is one line on stderr and exit 2. */
    static int run(String... args) {
        return run(null, args);
    }

    static int run(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new ServeCommand());
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                commandLine.getErr().println("depthcast: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
