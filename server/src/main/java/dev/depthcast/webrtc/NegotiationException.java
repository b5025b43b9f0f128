package dev.depthcast.webrtc;

/**
 * WebRTC refused or did not finish a negotiation step (bad SDP, wrong state, timeout): on the
 * server the client's error (a 400), in the Java client the server's answer was unusable.
 */
public final class NegotiationException extends Exception {

    public NegotiationException(String message) {
        super(message);
    }
}
