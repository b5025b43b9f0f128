package dev.depthcast;

import dev.depthcast.backend.Backends;
import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.http.AccessControl;
import dev.depthcast.http.AddressLimits;
import dev.depthcast.http.BodyDeadline;
import dev.depthcast.http.ConnectionGuard;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.http.SecurityHeaders;
import dev.depthcast.http.TlsReload;
import dev.depthcast.http.TlsSetup;
import dev.depthcast.http.WebSocketMessageLimit;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.schedule.BatchCostCalibration;
import dev.depthcast.schedule.BatchCosts;
import dev.depthcast.schedule.ExecutorPool;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.signaling.SessionFactory;
import dev.depthcast.signaling.SessionRegistry;
import dev.depthcast.signaling.SignalingApi;
import dev.depthcast.webrtc.IceSetup;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

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
    private final List<ResultDelivery> deliveries = new ArrayList<>();
    private final ExecutorPool executors;
    private final SessionRegistry sessions;
    private final CalibrationRecorder recorder;
    private final HttpServer http;
    private final HttpServer admin;
    private final ConnectionGuard guard;
    private final TlsReload tlsReload;
    private final AtomicReference<CompletableFuture<Void>> draining = new AtomicReference<>();

    private DepthcastServer(ServerConfig config, SecurityConfig security, List<DepthPipeline> pipelines,
                            SchedulingPolicy policy, List<BatchCosts> costs) throws Exception {
        this.config = config;
        this.vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port());
        if (config.tlsCert() != null) {
            TlsSetup.apply(vertx, options, config.tlsCert(), config.tlsKey()); // before anything else starts
        }
        this.webrtc = new WebRtcEngine();
        // One executor (and delivery stage) per device: each owns its pipeline, its thread, its
        // batches and the batch costs measured on its device.
        List<ExecutorPool.Device> devices = new ArrayList<>();
        List<Integer> ordinals = deviceOrdinals(config, pipelines.size());
        for (int i = 0; i < pipelines.size(); i++) {
            DepthPipeline pipeline = pipelines.get(i);
            int ordinal = ordinals.get(i);
            ResultDelivery delivery = ResultDelivery.builder().setMetrics(metrics).setModel(pipeline.preset().name())
                    .setBackend(pipeline.backendName()).optDevice(ordinal).setFormat(config.wire()).build().start();
            deliveries.add(delivery);
            devices.add(new ExecutorPool.Device(ordinal, InferenceExecutor.builder().setPipeline(pipeline)
                    .setPolicy(policy).optCosts(costs.get(i)).setDelivery(delivery).optDevice(ordinal).build().start()));
        }
        this.executors = new ExecutorPool(devices);
        for (ExecutorPool.Device d : devices) {
            metrics.device(d.ordinal(), () -> d.executor().busy().fraction(System.nanoTime()), d.executor()::clients);
        }
        this.recorder = config.recordCalibration() == null ? null
                : new CalibrationRecorder(config.recordCalibration(), System::nanoTime);
        SessionFactory sessionFactory = SessionFactory.builder().setVertx(vertx).setWebRtc(webrtc)
                .setIce(new IceSetup(config.ice())).setExecutors(executors).setMetrics(metrics)
                .setUnproject(config.unproject()).optFrameTap(recorder == null ? (id, frame) -> { } : recorder::offer)
                .build();
        this.sessions = SessionRegistry.builder().setVertx(vertx).setSessionFactory(sessionFactory)
                .setExecutors(executors).setMetrics(metrics).setMaxClients(config.maxClients()).build().start();
        executors.fault().thenAccept(f -> sessions.failAll("the GPU failed; the server is restarting"));
        boolean tls = config.tlsCert() != null;
        AccessControl access = new AccessControl(security, isLoopback(config.host()), tls);
        this.guard = new ConnectionGuard(vertx, security);
        Router router = Router.router(vertx);
        SecurityHeaders.install(router, tls, security.serveSourceMaps());
        // Before the Host check and the token: load balancers and kubelets probe by address, with
        // no token, and the answers say nothing a visitor could use.
        router.get("/health/live").handler(this::live);
        router.get("/health/ready").handler(this::ready);
        router.route().handler(access::checkHost);
        router.route("/api/*").handler(access::checkApi);
        router.route("/metrics").handler(access::checkApi);
        router.post("/api/*").handler(new BodyDeadline(vertx, security.bodyTimeout()));
        SignalingApi api = new SignalingApi(vertx, sessions, metrics, this::info, new AddressLimits(
                security.maxSessionsPerIp(), security.sessionsPerMinutePerIp(), id -> sessions.get(id).isPresent()),
                config.ice());
        api.mount(router);
        if (security.adminPort() < 0) {
            router.post("/api/admin/drain").handler(this::drainRequest);
            api.mountAdmin(router);
            this.admin = null;
        } else {
            Router adminRouter = Router.router(vertx);
            // The admin port is 127.0.0.1 only; with tokens configured, drain needs one there too.
            adminRouter.route("/api/admin/*").handler(access::checkApi);
            adminRouter.post("/api/admin/drain").handler(this::drainRequest);
            api.mountAdmin(adminRouter);
            this.admin = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(security.adminPort()))
                    .requestHandler(adminRouter).listen().await(30, TimeUnit.SECONDS);
        }
        mountPage(router);
        // No cleartext HTTP/2 (h2c): with it Vert.x waits for a client's first bytes before it even
        // creates the connection, so the connection cap and header deadline never see one that sends
        // nothing. Browsers never use h2c; HTTP/2 stays available over TLS (ALPN).
        options.setHttp2ClearTextEnabled(false);
        if (config.sendBufferBytes() > 0) {
            // Bounds what the kernel holds for a slow client (SO_SNDBUF); the ack window bounds the rest.
            options.setSendBufferSize(config.sendBufferBytes());
        }
        // No WebSocket compression: results are already compact (schema 2 deflates its own grid) and
        // Vert.x compresses on the event loop: under load, deflating ~300 kB schema-1 messages held
        // an event loop for seconds. Measured in issue 8; the results stay msgpack either way.
        options.setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
        // Results-socket clients send only small JSON pings: WebSocketMessageLimit closes a socket whose
        // message is bigger with 1009; Vert.x's own limits sit above it so that the close frame is sent.
        options.setMaxWebSocketFrameSize(WebSocketMessageLimit.MAX_FRAME_BYTES)
                .setMaxWebSocketMessageSize(WebSocketMessageLimit.MAX_FRAME_BYTES)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setIdleTimeout((int) security.idleTimeout().toMillis());
        this.http = vertx.createHttpServer(options).connectionHandler(guard::onConnection)
                .requestHandler(guard.wrap(router)).listen().await(30, TimeUnit.SECONDS);
        this.tlsReload = config.tlsCert() == null ? null
                : TlsReload.start(vertx, http, options.getSslOptions(), config.tlsCert(), config.tlsKey());
    }

    /** The certificate reloader (SIGHUP, file changes: docs/security.md), or null without TLS. */
    public TlsReload tlsReload() {
        return tlsReload;
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
        List<DepthPipeline> pipelines = Backends.openAll(config);
        DepthPipeline pipeline = pipelines.get(0);
        try {
            SchedulingPolicy policy = policy(config);
            // Each device's cost curve before the first client: batching is chosen from it.
            List<BatchCosts> costs = new ArrayList<>();
            for (DepthPipeline p : pipelines) {
                costs.add(BatchCostCalibration.measure(p, policy, BatchCostCalibration.DEFAULT_BUDGET));
            }
            DepthcastServer server = new DepthcastServer(config, security, pipelines, policy, costs);
            LOG.info("depthcast on {}://{}:{}/ — backend {} on {} device(s) {}, model {} ({}), max batch {}, max wait {} ms, "
                            + "latency budget {} ms", config.tlsCert() == null ? "http" : "https", config.host(),
                    server.port(), pipeline.backendName(), pipelines.size(), server.executors.devices().stream()
                            .map(ExecutorPool.Device::ordinal).toList(),
                    Backends.modelName(config), pipeline.preset().name(), config.maxBatch(), config.maxWait().toMillis(),
                    config.latencyBudget().toMillis());
            LOG.info("access: {}; origins {}; /metrics and /api/stats {}", security.authRequired()
                            ? security.authTokens().size() + " token(s) required" : "no token",
                    security.allowedOrigins().isEmpty() ? "same-origin only" : security.allowedOrigins(),
                    server.admin == null ? "on this port" : "on 127.0.0.1:" + server.admin.actualPort());
            return server;
        } catch (Exception | Error e) {
            pipelines.forEach(DepthPipeline::close);
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

    static SchedulingPolicy policy(ServerConfig config) {
        return new SchedulingPolicy(config.maxBatch(), config.maxWait()).withLatencyBudget(config.latencyBudget());
    }

    public int port() {
        return http.actualPort();
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Completes when the pipeline faulted for good (a sticky GPU error): the caller should stop the process. */
    public CompletableFuture<PipelineFault> fault() {
        return executors.fault();
    }

    /**
     * Starts draining (idempotent): the node turns not-ready ({@code GET /health/ready} 503) and
     * refuses new sessions (503), serves its clients for {@code --drain-seconds} — or until they
     * have all left — then closes their results sockets with {@link WebSocketResultSink#CLOSE_DRAINING}
     * so each page reconnects at once, through the load balancer, to another node. Completes when
     * no session is left.
     */
    public CompletableFuture<Void> drain() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!draining.compareAndSet(null, done)) {
            return draining.get();
        }
        sessions.stopAdmitting("this server is draining (shutting down): try again, another server will take you");
        long started = System.nanoTime();
        long deadline = started + config.drainTime().toNanos();
        LOG.info("draining: not ready, admitting no session; {} session(s) served for up to {} s, then told to "
                + "reconnect elsewhere (close {})", sessions.count(), config.drainTime().toSeconds(),
                WebSocketResultSink.CLOSE_DRAINING);
        // A chain of one-shot timers, not a periodic one: Vert.x 5 can run a periodic timer's first
        // tick (delay 0) before it has stored the timer's future, and cancelling it from there threw
        // a NullPointerException (seen in CI on a SIGINT straight after start).
        vertx.runOnContext(start -> checkDrained(started, deadline, done));
        return done;
    }

    /** One tick of the drain: done when no session is left or the drain time is over, else again in 100 ms. */
    private void checkDrained(long started, long deadline, CompletableFuture<Void> done) {
        try {
            int left = sessions.count();
            if (left == 0 || System.nanoTime() >= deadline) {
                sessions.closeAll(WebSocketResultSink.CLOSE_DRAINING, DRAIN_REASON);
                LOG.info("drained in {} ms: {} session(s) closed with {}", (System.nanoTime() - started) / 1_000_000,
                        left, WebSocketResultSink.CLOSE_DRAINING);
                done.complete(null);
            } else {
                vertx.setTimer(100, tick -> checkDrained(started, deadline, done));
            }
        } catch (RuntimeException e) {
            // Whoever waits on the drain (shutdown, the admin endpoint) hears it now, not at its timeout.
            LOG.error("drain failed: {}", e.toString());
            done.completeExceptionally(e);
        }
    }

    /** The close reason pages get with {@link WebSocketResultSink#CLOSE_DRAINING}. */
    public static final String DRAIN_REASON = "server draining: reconnect now";

    public boolean draining() {
        return draining.get() != null;
    }

    public int sessionCount() {
        return sessions.count();
    }

    /** GET /health/live: 200 while the process can serve at all; 503 once the pipeline faulted (it is exiting). */
    private void live(RoutingContext ctx) {
        boolean ok = !executors.fault().isDone();
        health(ctx, ok, new JsonObject().put("live", ok));
    }

    /**
     * GET /health/ready: 200 when a new session would be admitted; 503 with the reason when the
     * node is draining, full ({@code --max-clients}) or faulted — a load balancer sends new
     * sessions elsewhere, and keeps sending each session's own requests here.
     */
    private void ready(RoutingContext ctx) {
        String reason = executors.fault().isDone() ? "faulted" : draining() ? "draining" : sessions.full() ? "full" : null;
        JsonObject body = new JsonObject().put("ready", reason == null).put("sessions", sessions.count())
                .put("maxClients", sessions.maxClients());
        if (reason != null) {
            body.put("reason", reason);
        }
        health(ctx, reason == null, body);
    }

    private static void health(RoutingContext ctx, boolean ok, JsonObject body) {
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store").end(body.encode());
    }

    /** POST /api/admin/drain[?wait=true]: 202 at once, or (wait) 200 when the last session is closed. */
    private void drainRequest(RoutingContext ctx) {
        boolean wait = "true".equals(ctx.request().getParam("wait")) || "1".equals(ctx.request().getParam("wait"));
        int sessionsNow = sessions.count();
        CompletableFuture<Void> done = drain();
        JsonObject body = new JsonObject().put("draining", true).put("sessions", sessionsNow)
                .put("drainSeconds", config.drainTime().toSeconds()).put("closeCode", WebSocketResultSink.CLOSE_DRAINING);
        if (!wait) {
            ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(body.encode());
            return;
        }
        done.whenComplete((v, e) -> ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
                .end(body.put("drained", true).encode()));
    }

    /** The ordinals {@code --devices} resolved to (one pipeline each, in order; CPU: just 0). */
    private static List<Integer> deviceOrdinals(ServerConfig config, int opened) {
        if (opened == 1) {
            return List.of(config.devices().all() || config.devices().ordinals().size() != 1 ? 0 : config.devices().ordinals().get(0));
        }
        return config.devices().all() ? IntStream.range(0, opened).boxed().toList() : config.devices().ordinals();
    }

    public ExecutorPool executors() {
        return executors;
    }

    /** Per device: ordinal, busy fraction, clients, batches and mean batch size (the last ~30 s). */
    public List<Map<String, Object>> deviceInfo() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ExecutorPool.DeviceStats d : executors.stats()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d.ordinal());
            m.put("busy", Math.round(d.busy() * 1000) / 1000.0);
            m.put("clients", d.clients());
            m.put("batches", metrics.deviceBatches(d.ordinal()));
            m.put("batchMean", metrics.deviceBatchMean(d.ordinal()));
            out.add(m);
        }
        return out;
    }

    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        DepthPipeline pipeline = executors.devices().get(0).executor().pipeline();
        m.put("backend", pipeline.backendName());
        if (executors.fault().isDone()) {
            m.put("fault", executors.fault().join().getMessage());
        }
        m.put("model", Backends.modelName(config));
        m.put("modelFile", Backends.modelFileName(config));
        m.put("preset", pipeline.preset().name());
        m.put("input", pipeline.preset().inputHeight() + "x" + pipeline.preset().inputWidth());
        m.put("maxBatch", config.maxBatch());
        m.put("maxWaitMs", config.maxWait().toMillis());
        m.put("latencyBudgetMs", config.latencyBudget().toMillis());
        BatchCosts.Snapshot costs = executors.devices().get(0).executor().costs(); // device 0: the others are alike or listed in devices
        List<Object> costMs = new ArrayList<>();
        List<Boolean> measured = new ArrayList<>();
        for (int i = 0; i < costs.costMs().length; i++) {
            double ms = costs.costMs()[i];
            costMs.add(Double.isNaN(ms) ? null : Math.round(ms * 10) / 10.0);
            measured.add(costs.measured()[i]);
        }
        m.put("batchCostMs", costMs);
        m.put("batchCostMeasured", measured);
        m.put("maxClients", config.maxClients());
        m.put("stride", config.unproject().stride());
        m.put("wire", config.wire().name().toLowerCase());
        m.put("fov", config.unproject().hfovDegrees());
        m.put("devices", deviceInfo());
        m.put("draining", draining());
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
        if (tlsReload != null) {
            tlsReload.close();
        }
        try {
            if (admin != null) {
                admin.close().await(5, TimeUnit.SECONDS);
            }
            http.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the HTTP server: {}", e.toString());
        }
        sessions.close();
        executors.close();
        deliveries.forEach(ResultDelivery::close);
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
