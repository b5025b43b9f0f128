package dev.depthcast.signaling;

import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.out.WebSocketResultSink;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.webrtc.PeerSession;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open sessions by id, admission control ({@code --max-clients}), and the reaper that closes
 * sessions whose browser vanished (connection failed, closed, disconnected for long, or never
 * connected) so they stop holding a slot.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(5);
    static final long DISCONNECTED_GRACE_NANOS = Duration.ofSeconds(5).toNanos();
    static final long CONNECT_DEADLINE_NANOS = Duration.ofSeconds(30).toNanos();

    private final Vertx vertx;
    private final WebRtcEngine webrtc;
    private final InferenceExecutor executor;
    private final PipelineMetrics metrics;
    private final UnprojectParams params;
    private final int maxClients;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> disconnectedSince = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final long reaper;

    public SessionRegistry(Vertx vertx, WebRtcEngine webrtc, InferenceExecutor executor, PipelineMetrics metrics,
                           UnprojectParams params, int maxClients) {
        this.vertx = vertx;
        this.webrtc = webrtc;
        this.executor = executor;
        this.metrics = metrics;
        this.params = params;
        this.maxClients = maxClients;
        this.reaper = vertx.setPeriodic(1000, id -> reap());
        metrics.countSessionsWith(sessions::size);
    }

    /** Refused admission: the server is full. */
    public static final class FullException extends RuntimeException {
        FullException(String message) {
            super(message);
        }
    }

    /** The new session and its SDP answer. */
    public record Created(String id, String answerSdp) {
    }

    /** Negotiates on a worker thread (libwebrtc's calls block briefly); fails with FullException or SignalingException. */
    public Future<Created> create(OfferSdp offer, boolean trickle) {
        if (reserved.incrementAndGet() > maxClients) {
            reserved.decrementAndGet();
            return Future.failedFuture(new FullException("server full: " + maxClients + " of " + maxClients
                    + " sessions in use (--max-clients " + maxClients + "); try again later"));
        }
        String id = SessionIds.next();
        return vertx.executeBlocking(() -> {
            WebSocketResultSink sink = new WebSocketResultSink(vertx, metrics);
            LatestFrameMailbox mailbox = new LatestFrameMailbox(executor::wake,
                    () -> metrics.dropped(Drop.MAILBOX_REPLACED, 1));
            PeerSession peer = new PeerSession(webrtc, mailbox, state -> onState(id, state));
            try {
                String answer = peer.answer(offer.sdp(), trickle, NEGOTIATION_TIMEOUT);
                ClientSlot slot = new ClientSlot(id, mailbox, params, sink);
                sessions.put(id, new Session(id, offer, peer, slot, sink, System.nanoTime(), new AtomicInteger()));
                executor.register(slot);
                LOG.info("session {} open ({} of {})", shortId(id), sessions.size(), maxClients);
                return new Created(id, answer);
            } catch (Exception | Error e) {
                peer.close();
                reserved.decrementAndGet();
                throw e;
            }
        }, false);
    }

    public Optional<Session> get(String id) {
        return SessionIds.wellFormed(id) ? Optional.ofNullable(sessions.get(id)) : Optional.empty();
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    /** Closes a session; false if there was none. Safe from any thread, idempotent. */
    public boolean close(String id, String reason) {
        Session s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        disconnectedSince.remove(id);
        executor.unregister(id);
        reserved.decrementAndGet();
        s.sink().close();
        vertx.executeBlocking(() -> {
            s.peer().close();
            return null;
        }, false);
        LOG.info("session {} closed: {} ({} frames in, {} dropped in mailbox)", shortId(id), reason,
                s.slot().mailbox().offered(), s.slot().mailbox().dropped());
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
            } else if (s.slot().mailbox().offered() == 0 && now - s.createdNanos() > CONNECT_DEADLINE_NANOS) {
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
                executor.unregister(id);
                s.sink().close();
                s.peer().close();
            }
        }
    }
}
