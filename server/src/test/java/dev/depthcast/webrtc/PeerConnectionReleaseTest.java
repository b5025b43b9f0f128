package dev.depthcast.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Closing a negotiated peer connection frees it: the Release() called through the vtable answers
 * "dropped the last reference" (libwebrtc's status 0). Were the slot wrong, or webrtc-java's
 * ownership different, this would answer otherwise (or crash the fork) instead of passing.
 */
class PeerConnectionReleaseTest {

    private static WebRtcEngine webrtc;

    @BeforeAll
    static void start() {
        webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        webrtc.close();
    }

    @Test
    void theDependencyIsTheVersionTheReleaseWasCheckedAgainst() {
        assertTrue(
                PeerConnectionRelease.enabled(),
                "webrtc-java changed (or this is not Linux/amd64): check whether its close() now releases the "
                        + "peer connection itself before re-enabling PeerConnectionRelease");
    }

    @Test
    void aClosedNegotiatedPeerConnectionIsFreed() throws Exception {
        String offer = Files.readString(Path.of("src/test/resources/sdp/chromium-video-only.sdp"));
        for (int i = 0; i < 20; i++) {
            RTCPeerConnection pc = webrtc.factory()
                    .createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
                        @Override
                        public void onIceCandidate(RTCIceCandidate candidate) {}
                    });
            Negotiation.setRemote(pc, new RTCSessionDescription(RTCSdpType.OFFER, offer))
                    .get(5, TimeUnit.SECONDS);
            RTCSessionDescription answer = Negotiation.createAnswer(pc).get(5, TimeUnit.SECONDS);
            Negotiation.setLocal(pc, answer).get(5, TimeUnit.SECONDS);
            assertEquals(PeerConnectionRelease.DROPPED_LAST_REF, PeerConnectionRelease.close(pc), "connection " + i);
        }
    }
}
