package dev.depthcast;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.http.ConnectionGuard;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.http.TlsReload;
import dev.depthcast.http.TlsSetup;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.schedule.BatchCostCalibration;
import dev.depthcast.schedule.BatchCosts;
import dev.depthcast.schedule.ExecutorPool;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.signaling.SessionFactory;
import dev.depthcast.signaling.SessionRegistry;
import dev.depthcast.webrtc.IceSetup;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server: the data path (WebRTC in → mailboxes → inference executors → delivery → WebSockets
 * out) with the signaling API, the page and the metrics on one HTTP server. Construction only
 * holds the settings (Vert.x {@code AbstractVerticle} style); {@link #start()} opens the backend,
 * assembles the devices ({@link DeviceAssembly}), the sessions and the HTTP front ({@link HttpFront})
 * and listens; {@link #stop()} closes them in reverse. A start that fails part-way stops what it
 * had started — no thread, bound port, WebRTC factory or pipeline is left behind — and rethrows.
 * Threads: start and stop on the caller's; the parts run their own.
 */
public final class DepthcastServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DepthcastServer.class);

    /**
     * Opens one pipeline per device of {@code --devices} ({@link Backends#openAll}; tests and benchmarks give their
     * own: {@link ServeCommand#start(PipelineSource, String...)}).
     */
    @FunctionalInterface
    public interface PipelineSource {
        List<DepthPipeline> open(ServerConfig config) throws Exception;
    }

    private final ServerConfig config;
    private final SecurityConfig security;
    private final PipelineSource pipelineSource;
    private final PipelineMetrics metrics = new PipelineMetrics();
    private final AtomicReference<CompletableFuture<Void>> draining = new AtomicReference<>();

    /** What start() has started, newest first: stop() closes it in that order. */
    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    private boolean started;
    // Set by start(); kept after stop() so that counts and ports can still be read.
    private Vertx vertx;
    private DeviceAssembly devices;
    private SessionRegistry sessions;
    private ServerStats stats;
    private HttpFront front;

    /** A server with these settings, not started: {@link #start()} opens the backend and listens. */
    public DepthcastServer(ServerConfig config, SecurityConfig security) {
        this(config, security, Backends::openAll);
    }

    DepthcastServer(ServerConfig config, SecurityConfig security, PipelineSource pipelineSource) {
        this.config = config;
        this.security = security;
        this.pipelineSource = pipelineSource;
    }

    /** Opens the backend, starts everything, listens, with the default access settings (docs/security.md). */
    public static DepthcastServer start(ServerConfig config) throws Exception {
        return start(config, SecurityConfig.defaults());
    }

    /** Opens the backend, starts everything, listens. */
    public static DepthcastServer start(ServerConfig config, SecurityConfig security) throws Exception {
        DepthcastServer server = new DepthcastServer(config, security);
        server.start();
        return server;
    }

    /**
     * Opens the pipelines, measures each device's batch costs, assembles the devices, sessions and
     * HTTP front, and listens. On any failure everything started so far is stopped before the
     * failure goes up. Once only.
     */
    public synchronized void start() throws Exception {
        if (started) {
            throw new IllegalStateException("the server was started already");
        }
        started = true;
        if (config.tlsCert() != null) {
            // Check the pair before the backend loads a model for nothing.
            Vertx probe = Vertx.vertx();
            try {
                TlsSetup.checkPair(probe, config.tlsCert(), config.tlsKey());
            } finally {
                probe.close().await(5, TimeUnit.SECONDS);
            }
        }
        List<DepthPipeline> pipelines = pipelineSource.open(config);
        boolean pipelinesHandedOver = false;
        try {
            SchedulingPolicy policy = policy(config);
            // Each device's cost curve before the first client: batching is chosen from it.
            List<BatchCosts> costs = new ArrayList<>();
            for (DepthPipeline p : pipelines) {
                costs.add(BatchCostCalibration.measure(p, policy, BatchCostCalibration.DEFAULT_BUDGET));
            }
            Vertx vertx = Vertx.vertx();
            this.vertx = vertx;
            running.push(() -> {
                try {
                    vertx.close().await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("closing Vert.x: {}", e.toString());
                }
            });
            WebRtcEngine webrtc = new WebRtcEngine();
            running.push(webrtc);
            CalibrationRecorder recorder = config.recordCalibration() == null
                    ? null
                    : new CalibrationRecorder(config.recordCalibration(), System::nanoTime);
            if (recorder != null) {
                running.push(recorder);
            }
            pipelinesHandedOver = true;
            devices = DeviceAssembly.open(config, metrics, pipelines, policy, costs);
            running.push(devices);
            ExecutorPool executors = devices.executors();
            StabilisationChoice stabilisation = StabilisationChoice.of(config, pipelines.get(0));
            LOG.info("depth stabilisation: {}", stabilisation.description());
            SessionFactory sessionFactory = SessionFactory.builder()
                    .setVertx(vertx)
                    .setWebRtc(webrtc)
                    .setIce(new IceSetup(config.ice()))
                    .setExecutors(executors)
                    .setMetrics(metrics)
                    .setUnproject(config.unproject())
                    .optStabilise(stabilisation == StabilisationChoice.ON)
                    .optDense(config.dense())
                    .optFrameTap(recorder == null ? (id, frame) -> {} : recorder::offer)
                    .build();
            SessionRegistry sessions = SessionRegistry.builder()
                    .setVertx(vertx)
                    .setSessionFactory(sessionFactory)
                    .setExecutors(executors)
                    .setMetrics(metrics)
                    .setMaxClients(config.maxClients())
                    .build()
                    .start();
            this.sessions = sessions;
            running.push(sessions);
            executors.fault().thenAccept(f -> sessions.failAll("the GPU failed; the server is restarting"));
            stats = new ServerStats(config, metrics, executors, stabilisation, this::draining);
            front = HttpFront.listen(vertx, config, security, sessions, metrics, stats, new HttpFront.Node() {
                @Override
                public boolean faulted() {
                    return executors.fault().isDone();
                }

                @Override
                public boolean draining() {
                    return DepthcastServer.this.draining();
                }

                @Override
                public CompletableFuture<Void> drain() {
                    return DepthcastServer.this.drain();
                }
            });
            running.push(front);
        } catch (Exception | Error e) {
            if (!pipelinesHandedOver) {
                pipelines.forEach(DepthPipeline::close);
            }
            stop();
            throw e;
        }
        DepthPipeline pipeline = pipelines.get(0);
        LOG.info(
                "depthcast on {}://{}:{}/ — backend {} on {} device(s) {}, model {} ({}), max batch {}, max wait {} ms, "
                        + "latency budget {} ms",
                config.tlsCert() == null ? "http" : "https",
                config.host(),
                port(),
                pipeline.backendName(),
                pipelines.size(),
                devices.executors().devices().stream()
                        .map(ExecutorPool.Device::ordinal)
                        .toList(),
                Backends.modelName(config),
                pipeline.preset().name(),
                config.maxBatch(),
                config.maxWait().toMillis(),
                config.latencyBudget().toMillis());
        LOG.info(
                "access: {}; origins {}; /metrics and /api/stats {}",
                security.authRequired() ? security.authTokens().size() + " token(s) required" : "no token",
                security.allowedOrigins().isEmpty() ? "same-origin only" : security.allowedOrigins(),
                front.adminPort() < 0 ? "on this port" : "on 127.0.0.1:" + front.adminPort());
    }

    /**
     * Closes what {@link #start()} started, in reverse: the HTTP front, the sessions, the executors
     * (each closing its pipeline) and delivery stages, the calibration recorder, WebRTC, Vert.x.
     * Safe on a half-finished start and more than once.
     */
    public synchronized void stop() {
        while (!running.isEmpty()) {
            AutoCloseable part = running.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The certificate reloader (SIGHUP, file changes: docs/security.md), or null without TLS. */
    public TlsReload tlsReload() {
        return front.tlsReload();
    }

    /** The admin port (/metrics, /api/stats) when --admin-port is set, else -1. */
    public int adminPort() {
        return front.adminPort();
    }

    public ConnectionGuard connections() {
        return front.connections();
    }

    static SchedulingPolicy policy(ServerConfig config) {
        return new SchedulingPolicy(config.maxBatch(), config.maxWait()).withLatencyBudget(config.latencyBudget());
    }

    public int port() {
        return front.port();
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Completes when the pipeline faulted for good (a sticky GPU error): the caller should stop the process. */
    public CompletableFuture<PipelineFault> fault() {
        return devices.executors().fault();
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
        LOG.info(
                "draining: not ready, admitting no session; {} session(s) served for up to {} s, then told to "
                        + "reconnect elsewhere (close {})",
                sessions.count(),
                config.drainTime().toSeconds(),
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
                LOG.info(
                        "drained in {} ms: {} session(s) closed with {}",
                        (System.nanoTime() - started) / 1_000_000,
                        left,
                        WebSocketResultSink.CLOSE_DRAINING);
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

    public ExecutorPool executors() {
        return devices.executors();
    }

    /** Per device: ordinal, busy fraction, clients, batches and mean batch size (the last ~30 s). */
    public List<Map<String, Object>> deviceInfo() {
        return stats.deviceInfo();
    }

    /** What {@code GET /api/stats} says about the server (backend, model, settings, devices). */
    public Map<String, Object> info() {
        return stats.info();
    }
}
