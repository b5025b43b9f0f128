package dev.depthcast.signaling;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.delivery.ClientLink;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.StrideLadder;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.schedule.ExecutorPool;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.webrtc.IceSetup;
import dev.depthcast.webrtc.PeerSession;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Open sessions by id, admission control ({@code --max-clients}), and the reaper that closes
 * sessions whose browser vanished (connection failed, closed, disconnected for long, or never
 * connected) so they stop holding a slot.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #close()} waits for peer connections still closing on worker threads. */
    static final Duration PEER_CLOSE_WAIT = Duration.ofSeconds(5);
    static final long DISCONNECTED_GRACE_NANOS = Duration.ofSeconds(5).toNanos();
    static final long CONNECT_DEADLINE_NANOS = Duration.ofSeconds(30).toNanos();

    /**
     * Peer connections being closed on a worker thread. The server closes the WebRTC factory after
     * this registry: a peer connection closed after its factory is freed crashes the process.
     */
    private final Set<Future<Object>> peerCloses = ConcurrentHashMap.newKeySet();

    private final Vertx vertx;
    private final WebRtcEngine webrtc;
    private final IceSetup ice;
    private final ExecutorPool executors;
    private final PipelineMetrics metrics;
    private final UnprojectParams params;
    private final int maxClients;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> disconnectedSince = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final long reaper;
    private final BiConsumer<String, I420Frame> frameTap;
    /** Why no new session is admitted (the node is draining), or null while admitting. */
    private volatile String notAdmitting;

    public SessionRegistry(Vertx vertx, WebRtcEngine webrtc, IceSetup ice, ExecutorPool executors,
                           PipelineMetrics metrics, UnprojectParams params, int maxClients) {
        this(vertx, webrtc, ice, executors, metrics, params, maxClients, (id, frame) -> { });
    }

    /** @param frameTap sees every decoded frame of every session (the calibration recorder); must not block */
    public SessionRegistry(Vertx vertx, WebRtcEngine webrtc, IceSetup ice, ExecutorPool executors,
                           PipelineMetrics metrics, UnprojectParams params, int maxClients,
                           BiConsumer<String, I420Frame> frameTap) {
        this.frameTap = frameTap;
        this.vertx = vertx;
        this.webrtc = webrtc;
        this.ice = ice;
        this.executors = executors;
        this.metrics = metrics;
        this.params = params;
        this.maxClients = maxClients;
        this.reaper = vertx.setPeriodic(1000, id -> reap());
        metrics.countSessionsWith(sessions::size);
    }

    /** The new session and its SDP answer. */
    public record Created(String id, String answerSdp) {
    }

    /** Negotiates on a worker thread (libwebrtc's calls block briefly); fails with ServerFullException or NegotiationException. */
    public Future<Created> create(OfferSdp offer, boolean trickle) {
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
        return vertx.executeBlocking(() -> {
            InferenceExecutor executor = executors.place(id);
            ClientDrops drops = new ClientDrops(metrics);
            ClientLink link = new ClientLink(StrideLadder.from(params.stride()), metrics, id.substring(0, 6));
            WebSocketResultSink sink = new WebSocketResultSink(vertx, metrics, drops, link);
            LatestFrameMailbox mailbox = new LatestFrameMailbox(executor::wake, () -> drops.add(Drop.MAILBOX_REPLACED),
                    frame -> frameTap.accept(id, frame));
            PeerSession peer = new PeerSession(webrtc, ice, mailbox, state -> onState(id, state));
            try {
                String answer = peer.answer(offer.sdp(), trickle, NEGOTIATION_TIMEOUT);
                sessions.put(id, new Session(id, offer, peer, mailbox, sink, drops, System.nanoTime(), new AtomicInteger()));
                executor.register(new ClientSlot(id, mailbox, params, new Recipient(sink, drops, link)));
                LOG.info("session {} open ({} of {}) on device {}", shortId(id), sessions.size(), maxClients,
                        executors.deviceOf(id));
                return new Created(id, answer);
            } catch (Exception | Error e) {
                link.close();
                peer.close();
                executors.release(id);
                reserved.decrementAndGet();
                throw e;
            }
        }, false);
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
        Future<Object> closing = vertx.executeBlocking(() -> {
            s.peer().close();
            return null;
        }, false);
        peerCloses.add(closing);
        closing.onComplete(r -> peerCloses.remove(closing));
        LOG.info("session {} closed: {} ({} frames in, {} dropped in mailbox)", shortId(id), reason,
                s.mailbox().offered(), s.drops().count(Drop.MAILBOX_REPLACED));
        return true;
    }

    private void onState(String id, RTCPeerConnectionState state) {
        switch (state) {
            case FAILED, CLOSED -> vertx.runOnContext(v -> close(id, "peer connection " + state.name().toLowerCase()));
            case DISCONNECTED -> disconnectedSince.putIfAbsent(id, System.nanoTime());
            case CONNECTED -> disconnectedSince.remove(id);
            default -> { }
        }
    }

    private void reap() {
        long now = System.nanoTime();
        for (Session s : sessions.values()) {
            Long since = disconnectedSince.get(s.id());
            if (since != null && now - since > DISCONNECTED_GRACE_NANOS) {
                close(s.id(), "browser vanished (disconnected for 5 s)");
            } else if (s.mailbox().offered() == 0 && now - s.createdNanos() > CONNECT_DEADLINE_NANOS) {
                close(s.id(), "no video within 30 s of the answer");
            }
        }
    }

    static String shortId(String id) {
        return id.substring(0, 6) + "…";
    }

    @Override
    public void close() {
        vertx.cancelTimer(reaper);
        for (String id : sessions.keySet()) {
            Session s = sessions.remove(id);
            if (s != null) {
                executors.release(id);
                s.sink().close();
                s.peer().close();
            }
        }
        long deadline = System.nanoTime() + PEER_CLOSE_WAIT.toNanos();
        for (Future<Object> closing : List.copyOf(peerCloses)) {
            try {
                closing.toCompletionStage().toCompletableFuture()
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn("{} peer connection(s) still closing after {} s", peerCloses.size(), PEER_CLOSE_WAIT.toSeconds());
                break;
            } catch (ExecutionException e) {
                // logged where it failed; the others still get their wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
