package dev.depthcast.signaling;

import dev.depthcast.config.DenseMode;
import dev.depthcast.delivery.ClientLink;
import dev.depthcast.delivery.DenseChannel;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.StrideLadder;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.schedule.ExecutorPool;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.webrtc.IceSetup;
import dev.depthcast.webrtc.PeerSession;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Assembles one session from its parts: a place on a device ({@link ExecutorPool}), the mailbox
 * its frames wait in, its link (acks and adaptation) and results socket, its peer connection, and
 * its slot on the device's executor. Whatever a session holds of its own is built here — the one
 * place to add per-session state. {@link SessionRegistry} admits, registers, looks up and closes
 * what this opens.
 *
 * <p>{@link #open} runs on a worker thread: libwebrtc's calls block briefly.
 */
public final class SessionFactory {

    /** How long negotiating one offer may take before the session is refused. */
    public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final WebRtcEngine webrtc;
    private final IceSetup ice;
    private final ExecutorPool executors;
    private final PipelineMetrics metrics;
    private final UnprojectParams params;
    private final boolean stabilise;
    private final BiConsumer<String, I420Frame> frameTap;
    private final Duration negotiationTimeout;
    private final DenseMode dense;

    /** What a page that asked for dense frames is told by a server started with {@code --dense off}. */
    public static final String DENSE_OFF =
            "this server sends no dense video (--dense off): points come over the results socket";

    private SessionFactory(Builder b) {
        this.vertx = b.vertx;
        this.webrtc = b.webrtc;
        this.ice = b.ice;
        this.executors = b.executors;
        this.metrics = b.metrics;
        this.params = b.params;
        this.stabilise = b.stabilise;
        this.frameTap = b.frameTap;
        this.negotiationTimeout = b.negotiationTimeout;
        this.dense = b.dense;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A negotiated session and its SDP answer. */
    record Opened(Session session, String answerSdp) {

        /** The session's dense channel: negotiated, or why not. */
        DenseChannel dense() {
            return session.dense();
        }
    }

    /**
     * Places session {@code id} on a device, builds its parts, negotiates the offer and registers
     * its slot on the device's executor. If any step fails, what was built is closed, the
     * placement is released and the failure is thrown.
     *
     * @param hfov the camera's horizontal field of view the offer named, or empty for {@code --fov}
     * @param onState the peer connection's state changes (the registry closes vanished sessions)
     * @throws dev.depthcast.webrtc.NegotiationException when WebRTC rejects the offer
     */
    Opened open(
            String id, OfferSdp offer, boolean trickle, OptionalDouble hfov, Consumer<RTCPeerConnectionState> onState)
            throws Exception {
        ClientLink link = null;
        PeerSession peer = null;
        try {
            UnprojectParams unproject = hfov.isPresent() ? params.withHfov((float) hfov.getAsDouble()) : params;
            DepthStabiliser stabiliser = stabilise ? new DepthStabiliser() : null;
            InferenceExecutor executor = executors.place(id);
            ClientDrops drops = new ClientDrops(metrics);
            link = new ClientLink(StrideLadder.from(unproject.stride()), metrics, id.substring(0, 6));
            LatestFrameMailbox mailbox = new LatestFrameMailbox(
                    executor::wake, () -> drops.add(Drop.MAILBOX_REPLACED), frame -> frameTap.accept(id, frame));
            peer = new PeerSession(webrtc, ice, mailbox, onState);
            boolean sendDense = offer.denseMid() != null && dense.serves();
            String answer = peer.answer(offer.sdp(), trickle, negotiationTimeout, sendDense ? offer.denseMid() : null);
            DenseChannel channel = sendDense
                    ? new DenseChannel(peer.dense(), "")
                    : offer.denseMid() != null ? new DenseChannel(null, DENSE_OFF) : DenseChannel.none();
            WebSocketResultSink sink = new WebSocketResultSink(vertx, metrics, drops, link, channel);
            Session session = new Session(
                    id,
                    offer,
                    peer,
                    mailbox,
                    sink,
                    drops,
                    System.nanoTime(),
                    new AtomicInteger(),
                    unproject,
                    stabiliser,
                    channel);
            executor.register(
                    new ClientSlot(id, mailbox, unproject, new Recipient(sink, drops, link, channel), stabiliser));
            return new Opened(session, answer);
        } catch (Exception | Error e) {
            if (link != null) {
                link.close();
            }
            if (peer != null) {
                peer.close();
            }
            executors.release(id);
            throw e;
        }
    }

    /**
     * The factory's settings: {@code set…} are required, {@code opt…} have defaults;
     * {@link #build()} checks them all ({@link #validate()}).
     */
    public static final class Builder {

        private Vertx vertx;
        private WebRtcEngine webrtc;
        private IceSetup ice;
        private ExecutorPool executors;
        private PipelineMetrics metrics;
        private UnprojectParams params;
        private boolean stabilise;
        private BiConsumer<String, I420Frame> frameTap = (id, frame) -> {};
        private Duration negotiationTimeout = DEFAULT_NEGOTIATION_TIMEOUT;
        private DenseMode dense = DenseMode.OFF;

        private Builder() {}

        /** {@code --dense}: whether a session whose offer asks for the dense video track gets it. */
        public Builder optDense(DenseMode dense) {
            this.dense = dense;
            return this;
        }

        /** The Vert.x instance whose event loops write the results sockets. */
        public Builder setVertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        /** The WebRTC factory peer connections are made by; closed after every session (see SessionRegistry#close). */
        public Builder setWebRtc(WebRtcEngine webrtc) {
            this.webrtc = webrtc;
            return this;
        }

        public Builder setIce(IceSetup ice) {
            this.ice = ice;
            return this;
        }

        /** Where sessions are placed (one executor per device). */
        public Builder setExecutors(ExecutorPool executors) {
            this.executors = executors;
            return this;
        }

        public Builder setMetrics(PipelineMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** How every session's frames are unprojected ({@code --stride}, {@code --fov}, …). */
        public Builder setUnproject(UnprojectParams params) {
            this.params = params;
            return this;
        }

        /**
         * Whether each session gets its own depth stabiliser (a relative model on a backend that
         * runs one, {@code --stabilize on}); without, each frame maps through its own range.
         */
        public Builder optStabilise(boolean stabilise) {
            this.stabilise = stabilise;
            return this;
        }

        /** Sees every decoded frame of every session (the calibration recorder); must not block. */
        public Builder optFrameTap(BiConsumer<String, I420Frame> frameTap) {
            this.frameTap = frameTap;
            return this;
        }

        public Builder optNegotiationTimeout(Duration negotiationTimeout) {
            this.negotiationTimeout = negotiationTimeout;
            return this;
        }

        /** Every check of the settings, in one place. */
        void validate() {
            required(vertx, "Vert.x");
            required(webrtc, "a WebRTC engine");
            required(ice, "an ICE setup");
            required(executors, "an executor pool");
            required(metrics, "metrics");
            required(params, "unprojection parameters");
            required(frameTap, "a frame tap");
            required(negotiationTimeout, "a negotiation timeout");
            required(dense, "a dense mode");
            if (negotiationTimeout.isNegative() || negotiationTimeout.isZero()) {
                throw new IllegalArgumentException("negotiation timeout " + negotiationTimeout + " must be positive");
            }
        }

        private static void required(Object value, String what) {
            if (value == null) {
                throw new IllegalArgumentException("a session factory needs " + what);
            }
        }

        public SessionFactory build() {
            validate();
            return new SessionFactory(this);
        }
    }
}
