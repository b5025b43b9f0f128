package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * An offer asks for the dense video track with a receive-only video m-line beside the camera's
 * (docs/protocol.md, "Dense frames"): the parsed offer names its mid; the camera must still be
 * sent.
 */
class OfferDenseTest {

    static final String CAMERA = SdpCorpus.OFFERS.get(0);

    /** The camera's offer with a second, receive-only copy of its video section (mid 1). */
    static String withReceiveOnlyVideo(String offer, String direction) {
        String video = offer.substring(offer.indexOf("m=video"));
        String second = video.replace("a=mid:0", "a=mid:1").replace("a=sendonly", direction);
        return offer.replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 1") + second;
    }

    @Test
    void aReceiveOnlyVideoMLineAsksForDenseFrames() {
        OfferSdp offer = OfferSdp.parse(withReceiveOnlyVideo(CAMERA, "a=recvonly"));
        assertEquals("1", offer.denseMid());
        assertEquals(2, offer.mediaCount());
    }

    @Test
    void aCameraAloneAsksForNothingAndAnInactiveSecondVideoNeither() {
        assertNull(OfferSdp.parse(CAMERA).denseMid());
        assertNull(OfferSdp.parse(withReceiveOnlyVideo(CAMERA, "a=inactive")).denseMid());
    }

    @Test
    void receivingAloneIsNoSession() {
        String onlyReceives = CAMERA.replace("a=sendonly", "a=recvonly");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OfferSdp.parse(onlyReceives));
        assertTrue(e.getMessage().contains("must send its camera"), e.getMessage());
    }
}
