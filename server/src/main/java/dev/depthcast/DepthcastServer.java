package dev.depthcast;

import dev.depthcast.backend.Backends;
import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.http.AccessControl;
import dev.depthcast.http.AddressLimits;
import dev.depthcast.http.BodyDeadline;
import dev.depthcast.http.ConnectionGuard;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.http.SecurityHeaders;
import dev.depthcast.http.TlsSetup;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.signaling.SessionRegistry;
import dev.depthcast.signaling.SignalingApi;
import dev.depthcast.webrtc.IceSetup;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Wires the data path: WebRTC in → mailboxes → inference executor → delivery → WebSockets out,
 * with the signaling API, the page and the metrics on one HTTP server.
 */
public final class DepthcastServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DepthcastServer.class);

    private final ServerConfig config;
    private final PipelineMetrics metrics = new PipelineMetrics();
    private final Vertx vertx;
    private final WebRtcEngine webrtc;
    private final ResultDelivery delivery;
    private final InferenceExecutor executor;
    private final SessionRegistry sessions;
    private final CalibrationRecorder recorder;
    private final HttpServer http;
    private final HttpServer admin;
    private final ConnectionGuard guard;

    private DepthcastServer(ServerConfig config, SecurityConfig security, DepthPipeline pipeline) throws Exception {
        this.config = config;
        this.vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port());
        if (config.tlsCert() != null) {
            TlsSetup.apply(vertx, options, config.tlsCert(), config.tlsKey()); // before anything else starts
        }
        this.webrtc = new WebRtcEngine();
        this.delivery = new ResultDelivery(metrics, pipeline.preset().name(), pipeline.backendName());
        this.executor = new InferenceExecutor(pipeline,
                new SchedulingPolicy(config.maxBatch(), config.maxWait()), delivery);
        this.recorder = config.recordCalibration() == null ? null
                : new CalibrationRecorder(config.recordCalibration(), System::nanoTime);
        this.sessions = new SessionRegistry(vertx, webrtc, new IceSetup(config.ice()), executor, metrics,
                config.unproject(), config.maxClients(), recorder == null ? (id, frame) -> { } : recorder::offer);
        executor.fault().thenAccept(f -> sessions.failAll("the GPU failed; the server is restarting"));
        boolean tls = config.tlsCert() != null;
        AccessControl access = new AccessControl(security, isLoopback(config.host()), tls);
        this.guard = new ConnectionGuard(vertx, security);
        Router router = Router.router(vertx);
        SecurityHeaders.install(router, tls, security.serveSourceMaps());
        router.route().handler(access::checkHost);
        router.route("/api/*").handler(access::checkApi);
        router.route("/metrics").handler(access::checkApi);
        router.post("/api/*").handler(new BodyDeadline(vertx, security.bodyTimeout()));
        SignalingApi api = new SignalingApi(vertx, sessions, metrics, this::info, new AddressLimits(
                security.maxSessionsPerIp(), security.sessionsPerMinutePerIp(), id -> sessions.get(id).isPresent()),
                config.ice());
        api.mount(router);
        if (security.adminPort() < 0) {
            api.mountAdmin(router);
            this.admin = null;
        } else {
            Router adminRouter = Router.router(vertx);
            api.mountAdmin(adminRouter);
            this.admin = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(security.adminPort()))
                    .requestHandler(adminRouter).listen().await(30, TimeUnit.SECONDS);
        }
        mountPage(router);
        // Results-socket clients only send small JSON pings: refuse anything bigger than 4 KiB.
        // No cleartext HTTP/2 (h2c): with it Vert.x waits for a client's first bytes before it even
        // creates the connection, so the connection cap and header deadline never see one that sends
        // nothing. Browsers never use h2c; HTTP/2 stays available over TLS (ALPN).
        options.setHttp2ClearTextEnabled(false);
        options.setMaxWebSocketFrameSize(4096).setMaxWebSocketMessageSize(4096)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setIdleTimeout((int) security.idleTimeout().toMillis());
        this.http = vertx.createHttpServer(options).connectionHandler(guard::onConnection)
                .requestHandler(guard.wrap(router)).listen().await(30, TimeUnit.SECONDS);
    }

    /** Opens the backend, starts everything, listens, with the default access settings (docs/security.md). */
    public static DepthcastServer start(ServerConfig config) throws Exception {
        return start(config, SecurityConfig.defaults());
    }

    /** Opens the backend, starts everything, listens. */
    public static DepthcastServer start(ServerConfig config, SecurityConfig security) throws Exception {
        if (config.tlsCert() != null) {
            // Check the pair before the backend loads a model for nothing.
            Vertx probe = Vertx.vertx();
            try {
                TlsSetup.checkPair(probe, config.tlsCert(), config.tlsKey());
            } finally {
                probe.close();
            }
        }
        DepthPipeline pipeline = Backends.open(config);
        try {
            DepthcastServer server = new DepthcastServer(config, security, pipeline);
            LOG.info("depthcast on {}://{}:{}/ — backend {}, model {} ({}), max batch {}, max wait {} ms",
                    config.tlsCert() == null ? "http" : "https", config.host(), server.port(),
                    pipeline.backendName(), Backends.modelName(config), pipeline.preset().name(), config.maxBatch(),
                    config.maxWait().toMillis());
            LOG.info("access: {}; origins {}; /metrics and /api/stats {}", security.authRequired()
                            ? security.authTokens().size() + " token(s) required" : "no token",
                    security.allowedOrigins().isEmpty() ? "same-origin only" : security.allowedOrigins(),
                    server.admin == null ? "on this port" : "on 127.0.0.1:" + server.admin.actualPort());
            return server;
        } catch (Exception | Error e) {
            pipeline.close();
            throw e;
        }
    }

    /** The admin port (/metrics, /api/stats) when --admin-port is set, else -1. */
    public int adminPort() {
        return admin == null ? -1 : admin.actualPort();
    }

    public ConnectionGuard connections() {
        return guard;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return http.actualPort();
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Completes when the pipeline faulted for good (a sticky GPU error): the caller should stop the process. */
    public CompletableFuture<PipelineFault> fault() {
        return executor.fault();
    }

    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", executor.pipeline().backendName());
        if (executor.fault().isDone()) {
            m.put("fault", executor.fault().join().getMessage());
        }
        m.put("model", Backends.modelName(config));
        m.put("preset", executor.pipeline().preset().name());
        m.put("input", executor.pipeline().preset().inputHeight() + "x" + executor.pipeline().preset().inputWidth());
        m.put("maxBatch", config.maxBatch());
        m.put("maxWaitMs", config.maxWait().toMillis());
        m.put("maxClients", config.maxClients());
        m.put("stride", config.unproject().stride());
        m.put("fov", config.unproject().hfovDegrees());
        m.put("iceServers", config.ice().servers().stream().map(Object::toString).toList());
        m.put("icePortRange", config.ice().portRange() == null ? null : config.ice().portRange().toString());
        m.put("announcedIp", config.ice().announcedIp());
        return m;
    }

    private void mountPage(Router router) {
        Path root = config.webRoot();
        if (root != null && Files.isRegularFile(root.resolve("index.html"))) {
            router.route("/*").handler(StaticHandler.create(FileSystemAccess.ROOT, root.toAbsolutePath().toString())
                    .setCachingEnabled(false));
        } else {
            router.get("/").handler(ctx -> ctx.response().setStatusCode(503).putHeader("content-type", "text/plain")
                    .end("The page is not built. Run scripts/serve.sh (it builds web/) or: cd web && npm ci && npm run build\n"
                            + "The API is up: see docs/protocol.md.\n"));
        }
    }

    @Override
    public void close() {
        try {
            if (admin != null) {
                admin.close().await(5, TimeUnit.SECONDS);
            }
            http.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the HTTP server: {}", e.toString());
        }
        sessions.close();
        executor.close();
        delivery.close();
        if (recorder != null) {
            recorder.close();
        }
        webrtc.close();
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing Vert.x: {}", e.toString());
        }
    }
}
