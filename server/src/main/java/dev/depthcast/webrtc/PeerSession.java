package dev.depthcast.webrtc;

import dev.depthcast.ingest.LatestFrameMailbox;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One browser's peer connection: answers its offer, exchanges ICE candidates, and feeds its video
 * track into the client's mailbox. The blocking methods wait on libwebrtc's signaling thread and
 * must run on a worker thread, never a Vert.x event loop.
 */
public final class PeerSession implements AutoCloseable {

    /** A server candidate in the browser's JSON shape. */
    public record LocalCandidate(String candidate, String sdpMid, int sdpMLineIndex) {}

    private final RTCPeerConnection pc;
    private final IceSetup ice;
    private final WebRtcEngine engine;
    private final LatestFrameMailbox mailbox;
    private final Consumer<RTCPeerConnectionState> onState;
    private final List<LocalCandidate> localCandidates = new ArrayList<>();
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private volatile VideoTrack track;
    private volatile FrameCopier sink;
    private volatile DenseVideoTrack dense;

    /**
     * The most the dense track's encoder may spend: high enough that libwebrtc's congestion
     * control, not its default cap (~1.7 Mbit/s at 640x480), sets the bitrate.
     */
    public static final int DENSE_MAX_BITRATE = 25_000_000;

    public PeerSession(
            WebRtcEngine engine, IceSetup ice, LatestFrameMailbox mailbox, Consumer<RTCPeerConnectionState> onState) {
        this.ice = ice;
        this.engine = engine;
        this.mailbox = mailbox;
        this.onState = onState;
        this.pc = engine.factory().createPeerConnection(ice.rtcConfiguration(Instant.now()), new Observer());
    }

    /**
     * Sets the offer, creates and sets the answer; for non-trickle waits until ICE gathering is
     * complete so the answer carries every candidate.
     *
     * @param denseMid the offer's receive-only video m-line to answer with a dense video track
     *     (docs/protocol.md, "Dense frames"; no renegotiation), or null for none
     * @throws NegotiationException when WebRTC rejects the offer (a client error)
     */
    public String answer(String offerSdp, boolean trickle, Duration timeout, String denseMid)
            throws NegotiationException {
        CompletableFuture<Void> remoteSet;
        try {
            remoteSet = Negotiation.setRemote(pc, new RTCSessionDescription(RTCSdpType.OFFER, offerSdp));
        } catch (Error e) {
            // webrtc-java reports an SDP parse failure as a plain java.lang.Error; anything else
            // (OutOfMemoryError, …) is not the client's fault and goes on up.
            if (e.getClass() != Error.class) {
                throw e;
            }
            throw new NegotiationException("libwebrtc could not parse the offer: " + e.getMessage());
        }
        await(remoteSet, timeout, "setting the offer");
        if (denseMid != null) {
            sendDenseOn(denseMid);
        }
        RTCSessionDescription answer = await(Negotiation.createAnswer(pc), timeout, "creating the answer");
        await(Negotiation.setLocal(pc, answer), timeout, "setting the answer");
        if (dense != null) {
            raiseDenseBitrate(denseMid);
        }
        if (!trickle) {
            try {
                gathered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Answer with what was gathered: better a partial candidate set than none.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new NegotiationException(
                        "ICE gathering failed: " + e.getCause().getMessage());
            }
            return ice.sdpRewrite().apply(pc.getLocalDescription().sdp);
        }
        return ice.sdpRewrite().apply(answer.sdp);
    }

    private void sendDenseOn(String mid) throws NegotiationException {
        for (RTCRtpTransceiver t : pc.getTransceivers()) {
            if (mid.equals(t.getMid())) {
                DenseVideoTrack track = new DenseVideoTrack(engine.factory(), "dense");
                t.getSender().replaceTrack(track.track());
                t.getSender().setStreams(List.of("dense"));
                t.setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
                dense = track;
                return;
            }
        }
        throw new NegotiationException("the offer's receive-only video m-line " + mid + " has no transceiver");
    }

    private void raiseDenseBitrate(String mid) {
        for (RTCRtpTransceiver t : pc.getTransceivers()) {
            if (mid.equals(t.getMid())) {
                RTCRtpSendParameters p = t.getSender().getParameters();
                if (p.encodings != null) {
                    for (RTCRtpEncodingParameters e : p.encodings) {
                        e.maxBitrate = DENSE_MAX_BITRATE;
                    }
                    t.getSender().setParameters(p);
                }
            }
        }
    }

    /** The dense video track the answer sends, or null. */
    public DenseVideoTrack dense() {
        return dense;
    }

    public void addRemoteCandidate(String candidate, String sdpMid, int sdpMLineIndex) {
        pc.addIceCandidate(new RTCIceCandidate(sdpMid, sdpMLineIndex, candidate));
    }

    public synchronized List<LocalCandidate> localCandidates() {
        return List.copyOf(localCandidates);
    }

    public boolean gatheringComplete() {
        return gathered.isDone();
    }

    public RTCPeerConnectionState state() {
        return state;
    }

    public LatestFrameMailbox mailbox() {
        return mailbox;
    }

    @Override
    public void close() {
        VideoTrack t = track;
        FrameCopier s = sink;
        if (t != null && s != null) {
            t.removeSink(s);
        }
        DenseVideoTrack d = dense;
        if (d != null) {
            d.close();
        }
        PeerConnectionRelease.close(pc);
        if (d != null) {
            d.dispose();
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout, String what) throws NegotiationException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new NegotiationException(what + " failed: " + (cause == null ? e : cause.getMessage()));
        } catch (TimeoutException e) {
            throw new NegotiationException(what + " timed out after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NegotiationException(what + " was interrupted");
        }
    }

    private final class Observer implements PeerConnectionObserver {

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            synchronized (PeerSession.this) {
                localCandidates.add(new LocalCandidate(
                        ice.candidateRewrite().apply(candidate.sdp), candidate.sdpMid, candidate.sdpMLineIndex));
            }
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            state = s;
            onState.accept(s);
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack t = transceiver.getReceiver().getTrack();
            if (t instanceof VideoTrack video && track == null) {
                FrameCopier copier = new FrameCopier(mailbox);
                sink = copier;
                track = video;
                video.addSink(copier);
            }
        }
    }
}
