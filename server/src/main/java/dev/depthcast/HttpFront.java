package dev.depthcast;

import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.StartupException;
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
import dev.depthcast.signaling.SessionRegistry;
import dev.depthcast.signaling.SignalingApi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP side: the public server (page, signaling API, results sockets, health and
 * drain endpoints) behind the access checks and connection limits of docs/security.md, the
 * optional admin server on 127.0.0.1, and the certificate reloader. {@link #listen} builds and
 * binds all of it or, when a port cannot be bound, closes what it bound and throws a
 * {@link StartupException} naming the port and the fix.
 */
final class HttpFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);

    /** What the health and drain endpoints ask of the server; called on the event loop. */
    interface Node {
        /** True once the pipeline faulted for good (the process is exiting). */
        boolean faulted();

        boolean draining();

        /** Starts draining (idempotent); completes when no session is left. */
        CompletableFuture<Void> drain();
    }

    private final HttpServer http;
    private final HttpServer admin;
    private final ConnectionGuard guard;
    private final TlsReload tlsReload;

    private HttpFront(HttpServer http, HttpServer admin, ConnectionGuard guard, TlsReload tlsReload) {
        this.http = http;
        this.admin = admin;
        this.guard = guard;
        this.tlsReload = tlsReload;
    }

    /** Builds the routers, binds the admin port (if any), then the public port. */
    static HttpFront listen(
            Vertx vertx,
            ServerConfig config,
            SecurityConfig security,
            SessionRegistry sessions,
            PipelineMetrics metrics,
            ServerStats stats,
            Node node)
            throws Exception {
        HttpServerOptions options = options(config, security);
        if (config.tlsCert() != null) {
            TlsSetup.apply(vertx, options, config.tlsCert(), config.tlsKey());
        }
        boolean tls = config.tlsCert() != null;
        AccessControl access = new AccessControl(security, isLoopback(config.host()), tls);
        ConnectionGuard guard = new ConnectionGuard(vertx, security);
        Router router = Router.router(vertx);
        SecurityHeaders.install(router, tls, security.serveSourceMaps());
        // Before the Host check and the token: load balancers and kubelets probe by address, with
        // no token, and the answers say nothing a visitor could use.
        router.get("/health/live").handler(ctx -> live(ctx, node));
        router.get("/health/ready").handler(ctx -> ready(ctx, node, sessions));
        router.route().handler(access::checkHost);
        router.route("/api/*").handler(access::checkApi);
        router.route("/metrics").handler(access::checkApi);
        router.post("/api/*").handler(new BodyDeadline(vertx, security.bodyTimeout()));
        SignalingApi api = new SignalingApi(
                vertx,
                sessions,
                metrics,
                stats::info,
                new AddressLimits(
                        security.maxSessionsPerIp(),
                        security.sessionsPerMinutePerIp(),
                        id -> sessions.get(id).isPresent()),
                config.ice(),
                config.dense());
        api.mount(router);
        HttpServer admin = null;
        if (security.adminPort() < 0) {
            router.post("/api/admin/drain").handler(ctx -> drainRequest(ctx, node, sessions, config));
            api.mountAdmin(router);
        } else {
            Router adminRouter = Router.router(vertx);
            // The admin port is 127.0.0.1 only; with tokens configured, drain needs one there too.
            adminRouter.route("/api/admin/*").handler(access::checkApi);
            adminRouter.post("/api/admin/drain").handler(ctx -> drainRequest(ctx, node, sessions, config));
            api.mountAdmin(adminRouter);
            admin = bind(
                    vertx.createHttpServer(
                                    new HttpServerOptions().setHost("127.0.0.1").setPort(security.adminPort()))
                            .requestHandler(adminRouter),
                    "127.0.0.1",
                    security.adminPort(),
                    "--admin-port");
        }
        mountPage(router, config.webRoot());
        HttpServer http;
        try {
            http = bind(
                    vertx.createHttpServer(options)
                            .connectionHandler(guard::onConnection)
                            .requestHandler(guard.wrap(router)),
                    config.host(),
                    config.port(),
                    "--port");
        } catch (Exception | Error e) {
            if (admin != null) {
                closeQuietly(admin);
            }
            throw e;
        }
        TlsReload reload =
                tls ? TlsReload.start(vertx, http, options.getSslOptions(), config.tlsCert(), config.tlsKey()) : null;
        return new HttpFront(http, admin, guard, reload);
    }

    /** The public server's options: address, socket and WebSocket limits, timeouts. */
    static HttpServerOptions options(ServerConfig config, SecurityConfig security) {
        HttpServerOptions options =
                new HttpServerOptions().setHost(config.host()).setPort(config.port());
        // No cleartext HTTP/2 (h2c): with it Vert.x waits for a client's first bytes before it even
        // creates the connection, so the connection cap and header deadline never see one that sends
        // nothing. Browsers never use h2c; HTTP/2 stays available over TLS (ALPN).
        options.setHttp2ClearTextEnabled(false);
        if (config.sendBufferBytes() > 0) {
            // Bounds what the kernel holds for a slow client (SO_SNDBUF); the ack window bounds the rest.
            options.setSendBufferSize(config.sendBufferBytes());
        }
        // No WebSocket compression: results are already compact (schema 2 deflates its own grid) and
        // Vert.x compresses on the event loop, where deflating ~300 kB schema-1 messages under load
        // held an event loop for seconds. The results stay msgpack either way.
        options.setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
        // Results-socket clients send only small JSON pings: WebSocketMessageLimit closes a socket whose
        // message is bigger with 1009; Vert.x's own limits sit above it so that the close frame is sent.
        options.setMaxWebSocketFrameSize(WebSocketMessageLimit.MAX_FRAME_BYTES)
                .setMaxWebSocketMessageSize(WebSocketMessageLimit.MAX_FRAME_BYTES)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setIdleTimeout((int) security.idleTimeout().toMillis());
        return options;
    }

    /** Listens, or throws a {@link StartupException} saying why {@code host:port} cannot be bound. */
    private static HttpServer bind(HttpServer server, String host, int port, String flag) throws Exception {
        try {
            return server.listen().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            BindException bind = bindException(e);
            if (bind == null) {
                throw e;
            }
            throw new StartupException(cannotBind(host, port, flag, bind), e);
        }
    }

    private static BindException bindException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException b) {
                return b;
            }
        }
        return null;
    }

    /**
     * Why a bind failed, from facts about the address rather than the OS's wording: not an address
     * of this machine; something already accepting connections there; or, below 1024, no
     * privilege to listen.
     */
    static String cannotBind(String host, int port, String flag, BindException e) {
        if (!isLocalAddress(host)) {
            return "--host " + host + " is not an address of this machine: pass 127.0.0.1, 0.0.0.0 or one "
                    + "of this machine's addresses";
        }
        if (accepts(host, port)) {
            return "port " + port + " on " + host + " is in use (another depthcast, or another program): " + "pass "
                    + flag + " N for another port (" + flag + " 0 picks a free one), or stop the other server";
        }
        if (port > 0 && port < 1024) {
            return "port " + port + " needs privileges to listen on: pass " + flag + " 1024 or above"
                    + ("--port".equals(flag) ? " (default 8080)" : "");
        }
        return "cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): pass another --host/" + flag;
    }

    /** Whether something on this machine accepts TCP connections at {@code host:port}. */
    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isLocalAddress(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isAnyLocalAddress() || a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** GET /health/live: 200 while the process can serve at all; 503 once the pipeline faulted (it is exiting). */
    private static void live(RoutingContext ctx, Node node) {
        boolean ok = !node.faulted();
        health(ctx, ok, new JsonObject().put("live", ok));
    }

    /**
     * GET /health/ready: 200 when a new session would be admitted; 503 with the reason when the
     * node is draining, full ({@code --max-clients}) or faulted — a load balancer sends new
     * sessions elsewhere, and keeps sending each session's own requests here.
     */
    private static void ready(RoutingContext ctx, Node node, SessionRegistry sessions) {
        String reason = node.faulted() ? "faulted" : node.draining() ? "draining" : sessions.full() ? "full" : null;
        JsonObject body = new JsonObject()
                .put("ready", reason == null)
                .put("sessions", sessions.count())
                .put("maxClients", sessions.maxClients());
        if (reason != null) {
            body.put("reason", reason);
        }
        health(ctx, reason == null, body);
    }

    private static void health(RoutingContext ctx, boolean ok, JsonObject body) {
        ctx.response()
                .setStatusCode(ok ? 200 : 503)
                .putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store")
                .end(body.encode());
    }

    /** POST /api/admin/drain[?wait=true]: 202 at once, or (wait) 200 when the last session is closed. */
    private static void drainRequest(RoutingContext ctx, Node node, SessionRegistry sessions, ServerConfig config) {
        boolean wait = "true".equals(ctx.request().getParam("wait"))
                || "1".equals(ctx.request().getParam("wait"));
        int sessionsNow = sessions.count();
        CompletableFuture<Void> done = node.drain();
        JsonObject body = new JsonObject()
                .put("draining", true)
                .put("sessions", sessionsNow)
                .put("drainSeconds", config.drainTime().toSeconds())
                .put("closeCode", WebSocketResultSink.CLOSE_DRAINING);
        if (!wait) {
            ctx.response()
                    .setStatusCode(202)
                    .putHeader("content-type", "application/json")
                    .end(body.encode());
            return;
        }
        done.whenComplete((v, e) -> ctx.response()
                .setStatusCode(200)
                .putHeader("content-type", "application/json")
                .end(body.put("drained", true).encode()));
    }

    /** The built page under {@code root}, or a 503 at / that says how to build it. */
    private static void mountPage(Router router, Path root) {
        if (root != null && Files.isRegularFile(root.resolve("index.html"))) {
            router.route("/*")
                    .handler(StaticHandler.create(
                                    FileSystemAccess.ROOT, root.toAbsolutePath().toString())
                            .setCachingEnabled(false));
        } else {
            router.get("/")
                    .handler(ctx -> ctx.response()
                            .setStatusCode(503)
                            .putHeader("content-type", "text/plain")
                            .end(
                                    "The page is not built. Run scripts/serve.sh (it builds web/) or: cd web && npm ci && npm run build\n"
                                            + "The API is up: see docs/protocol.md.\n"));
        }
    }

    int port() {
        return http.actualPort();
    }

    /** The admin port when {@code --admin-port} is set, else -1. */
    int adminPort() {
        return admin == null ? -1 : admin.actualPort();
    }

    ConnectionGuard connections() {
        return guard;
    }

    /** The certificate reloader, or null without TLS. */
    TlsReload tlsReload() {
        return tlsReload;
    }

    /** Stops the reloader and unbinds both ports (waits up to 5 s each). */
    @Override
    public void close() {
        if (tlsReload != null) {
            tlsReload.close();
        }
        if (admin != null) {
            closeQuietly(admin);
        }
        closeQuietly(http);
    }

    private static void closeQuietly(HttpServer server) {
        try {
            server.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the HTTP server: {}", e.toString());
        }
    }
}
