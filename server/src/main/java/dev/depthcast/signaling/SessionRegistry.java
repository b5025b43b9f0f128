package dev.depthcast.signaling;

import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.schedule.ExecutorPool;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open sessions by id, admission control ({@code --max-clients}), and the reaper that closes
 * sessions whose browser vanished (connection failed, closed, disconnected for long, or never
 * connected) so they stop holding a slot. A session's parts are assembled by the
 * {@link SessionFactory}.
 *
 * <p>Built by {@link #builder()}; its reaper starts in {@link #start()}.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    /** How long {@link #close()} waits for peer connections still closing on worker threads. */
    public static final Duration DEFAULT_PEER_CLOSE_WAIT = Duration.ofSeconds(5);
    /** How long a browser may stay disconnected (ICE) before its session is closed. */
    public static final Duration DEFAULT_DISCONNECTED_GRACE = Duration.ofSeconds(5);
    /** How long after the answer a session may go without a frame before it is closed. */
    public static final Duration DEFAULT_CONNECT_DEADLINE = Duration.ofSeconds(30);
    /** How often the reaper looks for vanished browsers. */
    public static final Duration DEFAULT_REAP_INTERVAL = Duration.ofSeconds(1);

    /**
     * Peer connections being closed on a worker thread. The server closes the WebRTC factory after
     * this registry: a peer connection closed after its factory is freed crashes the process.
     */
    private final Set<Future<Object>> peerCloses = ConcurrentHashMap.newKeySet();

    private final Vertx vertx;
    private final SessionFactory factory;
    private final ExecutorPool executors;
    private final PipelineMetrics metrics;
    private final int maxClients;
    private final Duration peerCloseWait;
    private final Duration disconnectedGrace;
    private final Duration connectDeadline;
    private final Duration reapInterval;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> disconnectedSince = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private long reaper = -1;
    /** Why no new session is admitted (the node is draining), or null while admitting. */
    private volatile String notAdmitting;

    private SessionRegistry(Builder b) {
        this.vertx = b.vertx;
        this.factory = b.factory;
        this.executors = b.executors;
        this.metrics = b.metrics;
        this.maxClients = b.maxClients;
        this.peerCloseWait = b.peerCloseWait;
        this.disconnectedGrace = b.disconnectedGrace;
        this.connectDeadline = b.connectDeadline;
        this.reapInterval = b.reapInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the reaper and publishes the session count to the metrics; once only.
     *
     * @return this registry
     */
    public synchronized SessionRegistry start() {
        if (reaper >= 0) {
            throw new IllegalStateException("the session registry is already started");
        }
        reaper = vertx.setPeriodic(reapInterval.toMillis(), id -> reap());
        metrics.countSessionsWith(sessions::size);
        return this;
    }

    /** The new session and its SDP answer. */
    /**
     * The new session, its SDP answer and its dense channel (negotiated, or why not: {@code refusal}).
     */
    public record Created(String id, String answerSdp, boolean dense, String denseRefusal) {}

    /** Negotiates on a worker thread (libwebrtc's calls block briefly); fails with ServerFullException or NegotiationException. */
    public Future<Created> create(OfferSdp offer, boolean trickle, OptionalDouble hfov) {
        String refusal = notAdmitting;
        if (refusal != null) {
            return Future.failedFuture(new ServerFullException(refusal));
        }
        if (reserved.incrementAndGet() > maxClients) {
            reserved.decrementAndGet();
            return Future.failedFuture(new ServerFullException("server full: " + maxClients + " of " + maxClients
                    + " sessions in use (--max-clients " + maxClients + "); try again later"));
        }
        String id = SessionIds.next();
        return vertx.executeBlocking(
                () -> {
                    SessionFactory.Opened opened;
                    try {
                        opened = factory.open(id, offer, trickle, hfov, state -> onState(id, state));
                    } catch (Exception | Error e) {
                        reserved.decrementAndGet();
                        throw e;
                    }
                    sessions.put(id, opened.session());
                    LOG.info(
                            "session {} open ({} of {}) on device {}",
                            shortId(id),
                            sessions.size(),
                            maxClients,
                            executors.deviceOf(id));
                    return new Created(
                            id,
                            opened.answerSdp(),
                            opened.dense().negotiated(),
                            opened.dense().refusal());
                },
                false);
    }

    /** The device session {@code id} runs on, or -1. */
    public int deviceOf(String id) {
        return executors.deviceOf(id);
    }

    public Optional<Session> get(String id) {
        return SessionIds.wellFormed(id) ? Optional.ofNullable(sessions.get(id)) : Optional.empty();
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    /** From now on every new session is refused (503) with {@code reason}: the node is draining. */
    public void stopAdmitting(String reason) {
        notAdmitting = reason;
    }

    /** True while new sessions are admitted (not draining). */
    public boolean admitting() {
        return notAdmitting == null;
    }

    /** True when {@code --max-clients} sessions are open or being negotiated. */
    public boolean full() {
        return reserved.get() >= maxClients;
    }

    public int count() {
        return sessions.size();
    }

    public int maxClients() {
        return maxClients;
    }

    /**
     * The node is going away: every results socket is closed with {@code code} and {@code reason}
     * (the page reconnects at once, through the load balancer, to another node) and every session ends.
     */
    public void closeAll(short code, String reason) {
        for (Session s : sessions.values()) {
            s.sink().close(code, reason);
            close(s.id(), "drained (" + reason + ")");
        }
    }

    /** The server cannot serve anyone (the pipeline faulted): every page is told why, every session ends. */
    public void failAll(String reason) {
        for (Session s : sessions.values()) {
            s.sink().fail(reason);
            close(s.id(), reason);
        }
    }

    /** Closes a session; false if there was none. Safe from any thread, idempotent. */
    public boolean close(String id, String reason) {
        Session s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        disconnectedSince.remove(id);
        executors.release(id);
        reserved.decrementAndGet();
        s.sink().close();
        Future<Object> closing = vertx.executeBlocking(
                () -> {
                    s.peer().close();
                    return null;
                },
                false);
        peerCloses.add(closing);
        closing.onComplete(r -> peerCloses.remove(closing));
        LOG.info(
                "session {} closed: {} ({} frames in, {} dropped in mailbox)",
                shortId(id),
                reason,
                s.mailbox().offered(),
                s.drops().count(Drop.MAILBOX_REPLACED));
        return true;
    }

    private void onState(String id, RTCPeerConnectionState state) {
        switch (state) {
            case FAILED, CLOSED ->
                vertx.runOnContext(
                        v -> close(id, "peer connection " + state.name().toLowerCase()));
            case DISCONNECTED -> disconnectedSince.putIfAbsent(id, System.nanoTime());
            case CONNECTED -> disconnectedSince.remove(id);
            default -> {}
        }
    }

    private void reap() {
        long now = System.nanoTime();
        for (Session s : sessions.values()) {
            Long since = disconnectedSince.get(s.id());
            if (since != null && now - since > disconnectedGrace.toNanos()) {
                close(s.id(), "browser vanished (disconnected for " + disconnectedGrace.toSeconds() + " s)");
            } else if (s.mailbox().offered() == 0 && now - s.createdNanos() > connectDeadline.toNanos()) {
                close(s.id(), "no video within " + connectDeadline.toSeconds() + " s of the answer");
            }
        }
    }

    static String shortId(String id) {
        return id.substring(0, 6) + "…";
    }

    @Override
    public void close() {
        synchronized (this) {
            if (reaper >= 0) {
                vertx.cancelTimer(reaper);
            }
        }
        for (String id : sessions.keySet()) {
            Session s = sessions.remove(id);
            if (s != null) {
                executors.release(id);
                s.sink().close();
                s.peer().close();
            }
        }
        long deadline = System.nanoTime() + peerCloseWait.toNanos();
        for (Future<Object> closing : List.copyOf(peerCloses)) {
            try {
                closing.toCompletionStage()
                        .toCompletableFuture()
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn(
                        "{} peer connection(s) still closing after {} s", peerCloses.size(), peerCloseWait.toSeconds());
                break;
            } catch (ExecutionException e) {
                // logged where it failed; the others still get their wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /**
     * The registry's settings: {@code set…} are required, {@code opt…} have the {@code DEFAULT_*}
     * above; {@link #build()} checks them all ({@link #validate()}).
     */
    public static final class Builder {

        private Vertx vertx;
        private SessionFactory factory;
        private ExecutorPool executors;
        private PipelineMetrics metrics;
        private int maxClients;
        private Duration peerCloseWait = DEFAULT_PEER_CLOSE_WAIT;
        private Duration disconnectedGrace = DEFAULT_DISCONNECTED_GRACE;
        private Duration connectDeadline = DEFAULT_CONNECT_DEADLINE;
        private Duration reapInterval = DEFAULT_REAP_INTERVAL;

        private Builder() {}

        /** The Vert.x instance whose workers negotiate and whose timer reaps. */
        public Builder setVertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        /** What assembles each session. */
        public Builder setSessionFactory(SessionFactory factory) {
            this.factory = factory;
            return this;
        }

        /** The pool sessions are placed in by the factory: a closed session's place is released there. */
        public Builder setExecutors(ExecutorPool executors) {
            this.executors = executors;
            return this;
        }

        public Builder setMetrics(PipelineMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Most sessions open or being negotiated at once ({@code --max-clients}). */
        public Builder setMaxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        public Builder optPeerCloseWait(Duration peerCloseWait) {
            this.peerCloseWait = peerCloseWait;
            return this;
        }

        public Builder optDisconnectedGrace(Duration disconnectedGrace) {
            this.disconnectedGrace = disconnectedGrace;
            return this;
        }

        public Builder optConnectDeadline(Duration connectDeadline) {
            this.connectDeadline = connectDeadline;
            return this;
        }

        public Builder optReapInterval(Duration reapInterval) {
            this.reapInterval = reapInterval;
            return this;
        }

        /** Every check of the settings, in one place. */
        void validate() {
            required(vertx, "Vert.x");
            required(factory, "a session factory");
            required(executors, "an executor pool");
            required(metrics, "metrics");
            if (maxClients < 1) {
                throw new IllegalArgumentException("max clients " + maxClients + " must be at least 1");
            }
            positive(peerCloseWait, "peer close wait");
            positive(disconnectedGrace, "disconnected grace");
            positive(connectDeadline, "connect deadline");
            positive(reapInterval, "reap interval");
        }

        private static void required(Object value, String what) {
            if (value == null) {
                throw new IllegalArgumentException("a session registry needs " + what);
            }
        }

        private static void positive(Duration value, String what) {
            required(value, "a " + what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " " + value + " must be positive");
            }
        }

        /** The registry, its reaper not started. */
        public SessionRegistry build() {
            validate();
            return new SessionRegistry(this);
        }
    }
}
