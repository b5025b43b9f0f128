package dev.depthcast.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate renewal without a restart: the server's TLS certificate and key are read again when
 * the process gets SIGHUP or when either file changes (polled: its modification time, size and
 * inode, every {@link #POLL_MS} ms, off the event loop), and used for new connections. The new pair
 * passes the same checks as at start ({@link TlsSetup#checkPair}: readable PEM, the key belongs to
 * the certificate, valid now); a pair that fails keeps the old certificate serving and logs one line.
 *
 * <p>A change is acted on once the files have stayed the same for one poll: a renewal writes two
 * files (certbot swaps two symlinks), and a check between the two would fail for nothing. A pair
 * that failed is not retried until a file changes again (or SIGHUP), so it is logged once.
 */
public final class TlsReload implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReload.class);
    static final long POLL_MS = 3000;

    /** The servers SIGHUP reloads (one per JVM in production; tests start several). */
    private static final Set<TlsReload> ACTIVE = new CopyOnWriteArraySet<>();

    private static volatile String sighup; // null: not tried yet; "": installed; else why not

    /** What a reload did. */
    public record Outcome(boolean reloaded, String message) {}

    private final Vertx vertx;
    private final HttpServer server;
    private final ServerSSLOptions base;
    private final Path cert;
    private final Path key;
    private long timer = -1;
    private volatile List<Object> tried; // the files' stamp last checked (loaded or refused)
    private volatile List<Object> lastSeen; // the stamp at the previous poll
    private volatile boolean polling;
    private volatile Outcome last;
    private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

    private TlsReload(Vertx vertx, HttpServer server, ServerSSLOptions base, Path cert, Path key) {
        this.vertx = vertx;
        this.server = server;
        this.base = base.copy();
        this.cert = cert;
        this.key = key;
        this.tried = stamp();
        this.lastSeen = tried;
    }

    /**
     * Watches the pair from now on: polls the files and, where the JVM allows, reloads on SIGHUP.
     *
     * @param base the SSL options the server started with (protocols, suites, ALPN); a reload
     *             replaces only the key and certificate
     */
    public static TlsReload start(Vertx vertx, HttpServer server, ServerSSLOptions base, Path cert, Path key) {
        TlsReload reload = new TlsReload(vertx, server, base, cert, key);
        reload.timer = vertx.setPeriodic(POLL_MS, id -> reload.poll());
        ACTIVE.add(reload);
        installSighup();
        return reload;
    }

    /** Whether SIGHUP reloads (false where the JVM does not let it be handled, e.g. under -Xrs). */
    public static boolean sighupInstalled() {
        return "".equals(sighup);
    }

    private static synchronized void installSighup() {
        if (sighup != null) {
            return;
        }
        try {
            // sun.misc.Signal (jdk.unsupported) is the JDK's only way to take a signal; without it
            // file polling still renews the certificate.
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                for (TlsReload r : ACTIVE) {
                    r.reload("SIGHUP");
                }
            });
            sighup = "";
        } catch (Throwable e) {
            sighup = e.toString();
            LOG.info(
                    "TLS: SIGHUP cannot be handled here ({}); the certificate files are still watched", e.getMessage());
        }
    }

    private void poll() {
        if (polling) {
            return;
        }
        polling = true;
        vertx.executeBlocking(this::filesChanged, false)
                .compose(changed -> changed ? reload("the certificate files changed") : Future.succeededFuture())
                .onComplete(r -> polling = false);
    }

    /**
     * One poll's decision (reads file attributes: blocking): true when the files differ from those
     * last checked and have not changed since the previous poll.
     */
    boolean filesChanged() {
        List<Object> now = stamp();
        List<Object> previous = lastSeen;
        lastSeen = now;
        return !Objects.equals(now, tried) && Objects.equals(now, previous);
    }

    /** The latest reload's outcome, or null before the first. */
    public Outcome last() {
        return last;
    }

    /** Reloads tried so far (SIGHUP, file changes, {@link #reload}). */
    public int attempts() {
        return attempts.get();
    }

    /**
     * Reads and checks the pair off the event loop, then hands it to the server for new
     * connections; completes with what happened (never fails).
     */
    public Future<Outcome> reload(String reason) {
        return vertx.executeBlocking(
                        () -> {
                            List<Object> stamp = stamp();
                            tried = stamp;
                            lastSeen = stamp;
                            return TlsSetup.checkPair(vertx, cert, key);
                        },
                        false)
                .compose(
                        pem ->
                                // force: the new options may look equal to the old ones to Vert.x, and must still be
                                // applied.
                                server.updateSSLOptions(base.copy().setKeyCertOptions(pem), true)
                                        .map(applied -> new Outcome(
                                                true,
                                                "TLS certificate reloaded (" + reason + "): "
                                                        + TlsSetup.describe(vertx, pem)))
                                        .recover(e -> Future.succeededFuture(new Outcome(
                                                false,
                                                "TLS certificate not reloaded (" + reason + "): the server refused it ("
                                                        + e.getMessage()
                                                        + "); still serving the previous certificate"))),
                        e -> Future.succeededFuture(new Outcome(
                                false,
                                "TLS certificate not reloaded (" + reason + "): "
                                        + (e instanceof IllegalArgumentException ? e.getMessage() : e.toString())
                                        + "; still serving the previous certificate")))
                .onSuccess(o -> {
                    if (o.reloaded()) {
                        LOG.info(o.message());
                    } else {
                        LOG.warn(o.message());
                    }
                    last = o;
                    attempts.incrementAndGet();
                });
    }

    /** Modification time, size and file key (inode) of both files, following links; null entries if missing. */
    private List<Object> stamp() {
        return List.of(stamp(cert), stamp(key));
    }

    private static Object stamp(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.lastModifiedTime().toString() + "/" + a.size() + "/" + a.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    @Override
    public void close() {
        ACTIVE.remove(this);
        vertx.cancelTimer(timer);
    }
}
