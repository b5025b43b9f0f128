package dev.depthcast;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.signaling.SessionRegistry;
import dev.depthcast.signaling.SignalingApi;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private final HttpServer http;

    private DepthcastServer(ServerConfig config, DepthPipeline pipeline) throws Exception {
        this.config = config;
        this.vertx = Vertx.vertx();
        this.webrtc = new WebRtcEngine();
        this.delivery = new ResultDelivery(metrics, pipeline.preset().name(), pipeline.backendName());
        this.executor = new InferenceExecutor(pipeline,
                new SchedulingPolicy(config.maxBatch(), config.maxWait()), delivery);
        this.sessions = new SessionRegistry(vertx, webrtc, executor, metrics, config.unproject(), config.maxClients());
        executor.fault().thenAccept(f -> sessions.failAll("the GPU failed; the server is restarting"));
        Router router = Router.router(vertx);
        new SignalingApi(vertx, sessions, metrics, this::info).mount(router);
        mountPage(router);
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port());
        if (config.tlsCert() != null) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(config.tlsCert().toString()).setKeyPath(config.tlsKey().toString()));
        }
        this.http = vertx.createHttpServer(options).requestHandler(router).listen()
                .await(30, TimeUnit.SECONDS);
    }

    /** Opens the backend, starts everything, listens. */
    public static DepthcastServer start(ServerConfig config) throws Exception {
        DepthPipeline pipeline = Backends.open(config);
        try {
            DepthcastServer server = new DepthcastServer(config, pipeline);
            LOG.info("depthcast on {}://{}:{}/ — backend {}, model {} ({}), max batch {}, max wait {} ms",
                    config.tlsCert() == null ? "http" : "https", config.host(), server.port(),
                    pipeline.backendName(), Backends.modelName(config), pipeline.preset().name(), config.maxBatch(),
                    config.maxWait().toMillis());
            return server;
        } catch (Exception | Error e) {
            pipeline.close();
            throw e;
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
            http.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the HTTP server: {}", e.toString());
        }
        sessions.close();
        executor.close();
        delivery.close();
        webrtc.close();
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing Vert.x: {}", e.toString());
        }
    }
}
