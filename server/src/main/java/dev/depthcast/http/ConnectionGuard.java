package dev.depthcast.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level limits, before any routing: a global cap on open connections (kept under the
 * process's file-descriptor limit, so the server never reaches it and stops accepting its own
 * work), a cap per remote address, and a deadline for the first request's headers (a client that
 * opens a connection and sends nothing, or a header a byte a minute, is closed).
 *
 * <p>A connection over a cap is not dropped silently: its first request gets a 503 with the
 * reason and {@code Connection: close}; if it sends nothing it is closed at the header deadline.
 */
public final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Vertx vertx;
    private final int maxConnections;
    private final int maxPerAddress;
    private final long headerTimeoutMs;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Tracked> tracked = new ConcurrentHashMap<>();

    private static final class Tracked {
        final String address;
        final String refusal;
        long headerTimer = -1;

        Tracked(String address, String refusal) {
            this.address = address;
            this.refusal = refusal;
        }
    }

    public ConnectionGuard(Vertx vertx, SecurityConfig config) {
        this.vertx = vertx;
        this.maxPerAddress = config.maxConnectionsPerIp();
        this.headerTimeoutMs = Math.max(1, config.headerTimeout().toMillis());
        long fdLimit = fileDescriptorLimit();
        // Half the descriptors stay for everything else: WebRTC sockets, model files, jars, logs.
        int ceiling = fdLimit > 0 ? (int) Math.max(16, Math.min(Integer.MAX_VALUE, fdLimit / 2)) : Integer.MAX_VALUE;
        if (config.maxConnections() > ceiling) {
            LOG.warn(
                    "--max-connections {} lowered to {}: the process may open {} files (ulimit -n); raise that to "
                            + "allow more",
                    config.maxConnections(),
                    ceiling,
                    fdLimit);
        }
        this.maxConnections = Math.min(config.maxConnections(), ceiling);
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int open() {
        return open.get();
    }

    public long refused() {
        return refused.get();
    }

    public long timedOut() {
        return timedOut.get();
    }

    /** For {@code HttpServer.connectionHandler}: counts the connection and decides whether it is over a cap. */
    public void onConnection(HttpConnection connection) {
        String address = connection.remoteAddress() == null
                ? "?"
                : connection.remoteAddress().hostAddress();
        int total = open.incrementAndGet();
        int mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        String refusal = null;
        if (total > maxConnections) {
            refusal = "server busy: " + maxConnections + " connections open (--max-connections); try again later";
        } else if (mine > maxPerAddress) {
            refusal =
                    "too many connections from your address: at most " + maxPerAddress + " (--max-connections-per-ip)";
        }
        if (refusal != null) {
            refused.incrementAndGet();
        }
        Tracked t = new Tracked(address, refusal);
        tracked.put(connection, t);
        Runnable release = () -> {
            Tracked gone = tracked.remove(connection); // once, whichever of the two below comes first
            if (gone != null) {
                if (gone.headerTimer >= 0) {
                    vertx.cancelTimer(gone.headerTimer);
                }
                open.decrementAndGet();
                perAddress.computeIfPresent(gone.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        };
        connection.closeHandler(v -> release.run());
        if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
            // A connection upgraded to a WebSocket (the results socket) is handed to a new Vert.x
            // connection object, and this one's closeHandler never runs: without this, every
            // closed results socket would stay counted, and after --max-connections-per-ip of them
            // its address would get only 503s (scripts/soak.sh; UpgradedConnectionsTest). The
            // socket's own close (Netty's channel, behind Vert.x's internal ConnectionBase) is
            // what frees the slot, upgraded or not.
            base.channel().closeFuture().addListener(f -> release.run());
        }
        t.headerTimer = vertx.setTimer(headerTimeoutMs, id -> {
            if (tracked.get(connection) == t) {
                timedOut.incrementAndGet();
                LOG.debug("closing a connection from {}: no request within {} ms", address, headerTimeoutMs);
                connection.close();
            }
        });
    }

    /** Wraps the server's request handler: a refused connection gets its 503 here, the rest go on. */
    public Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> next) {
        return request -> {
            Tracked t = tracked.get(request.connection());
            if (t != null) {
                if (t.headerTimer >= 0) {
                    vertx.cancelTimer(t.headerTimer);
                    t.headerTimer = -1;
                }
                if (t.refusal != null) {
                    if (request.version() != HttpVersion.HTTP_2) {
                        request.response().putHeader("connection", "close"); // a connection header is illegal in h2
                    }
                    request.response()
                            .setStatusCode(503)
                            .putHeader("content-type", "application/json")
                            .putHeader("retry-after", "5")
                            .end(new JsonObject().put("error", t.refusal).encode())
                            .onComplete(ar -> request.connection().close());
                    return;
                }
            }
            next.handle(request);
        };
    }

    private static long fileDescriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
