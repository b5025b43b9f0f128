package dev.depthcast.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.util.concurrent.CompletableFuture;

/**
 * webrtc-java's callback-style offer/answer steps as futures, for the server's peer sessions and
 * for the Java client alike. A failure completes the future with a {@link NegotiationException} carrying
 * libwebrtc's own message.
 */
public final class Negotiation {

    private Negotiation() {}

    public static CompletableFuture<RTCSessionDescription> createOffer(RTCPeerConnection pc) {
        CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
        pc.createOffer(new RTCOfferOptions(), created(f));
        return f;
    }

    public static CompletableFuture<RTCSessionDescription> createAnswer(RTCPeerConnection pc) {
        CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), created(f));
        return f;
    }

    public static CompletableFuture<Void> setLocal(RTCPeerConnection pc, RTCSessionDescription description) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.setLocalDescription(description, set(f));
        return f;
    }

    public static CompletableFuture<Void> setRemote(RTCPeerConnection pc, RTCSessionDescription description) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.setRemoteDescription(description, set(f));
        return f;
    }

    private static CreateSessionDescriptionObserver created(CompletableFuture<RTCSessionDescription> f) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                f.complete(description);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new NegotiationException(error));
            }
        };
    }

    private static SetSessionDescriptionObserver set(CompletableFuture<Void> f) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new NegotiationException(error));
            }
        };
    }
}
