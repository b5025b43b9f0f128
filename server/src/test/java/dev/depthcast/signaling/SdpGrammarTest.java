package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The offer grammar: real browser offers pass, everything libwebrtc could choke on gets a short reason. */
class SdpGrammarTest {

    static final String CHROMIUM = SdpCorpus.OFFERS.get(0);

    @Test
    void realOffersPass() {
        for (String offer : SdpCorpus.OFFERS) {
            OfferSdp parsed = OfferSdp.parse(offer);
            assertFalse(parsed.mids().isEmpty());
            assertEquals(parsed.mids().size(), parsed.mediaCount());
        }
        OfferSdp av = OfferSdp.parse(SdpCorpus.OFFERS.get(1));
        assertEquals(List.of("0", "1", "2"), av.mids());
        assertEquals(List.of("QVTL"), av.iceUfrags());
        // LF-only line ends and a missing final newline are fine.
        OfferSdp.parse(CHROMIUM.replace("\r\n", "\n"));
        OfferSdp.parse(CHROMIUM.stripTrailing());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a=fmtp:%p.%p.%p.%p",
                "a=fmtp:%n%n%n%n",
                "a=fmtp:97 apt=%s",
                "a=mid:%p",
                "s=%x%x",
                "a=x-unknown:%n",
                "a=candidate:1 1 udp 1 1.2.3.4 9 typ host ufrag %p"
            })
    void percentIsRefusedWhereverItIs(String line) {
        String offer =
                line.startsWith("s=") ? CHROMIUM.replace("s=-", line) : CHROMIUM.replace("a=fmtp:97 apt=96", line);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OfferSdp.parse(offer));
        assertFalse(e.getMessage().contains("%"), "the reason never echoes the payload: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("SDP line "), e.getMessage());
    }

    @Test
    void attributesLibwebrtcParsesMustHaveTheirForm() {
        assertRefused(CHROMIUM.replace("a=fmtp:97 apt=96", "a=fmtp:abc"), "a=fmtp");
        assertRefused(CHROMIUM.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP8/x"), "a=rtpmap");
        assertRefused(CHROMIUM.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:200 VP8/90000"), "a=rtpmap");
        assertRefused(CHROMIUM.replace("a=setup:actpass", "a=setup:sideways"), "a=setup");
        assertRefused(CHROMIUM.replace("a=rtcp-mux", "a=rtcp-mux:yes"), "takes no value");
        assertRefused(
                CHROMIUM.replaceFirst("a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:sha-256 00:11"),
                "a=fingerprint");
        assertRefused(CHROMIUM.replaceFirst("a=ice-ufrag:\\S+", "a=ice-ufrag:ab"), "a=ice-ufrag");
        assertRefused(CHROMIUM.replaceFirst("a=candidate:\\S+ 1 udp", "a=candidate:x 1 sctp"), "transport");
        // An attribute libwebrtc does not parse only needs a token name.
        OfferSdp.parse(CHROMIUM.replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=x-vendor-thing:any value (here)\r\n"));
        assertRefused(CHROMIUM.replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=x y:1\r\n"), "token");
    }

    @Test
    void lineSyntaxAndOrder() {
        assertRefused("v=1\r\n", "v=0");
        assertRefused(CHROMIUM.replace("s=-\r\n", ""), "v=, o= and s=");
        assertRefused(CHROMIUM.replace("t=0 0\r\n", ""), "t=");
        assertRefused(CHROMIUM.replace("t=0 0\r\n", "t=0 0\r\n\r\n"), "is empty");
        assertRefused(
                CHROMIUM.replace("s=-\r\n", "s=-\r\nm=video 9 RTP/AVP 96\r\no=- 1 1 IN IP4 0.0.0.0\r\n"),
                "not allowed");
        assertRefused(CHROMIUM.replace("t=0 0\r\n", "t=0 0\r\nc=IN IP4 0.0.0.0\r\n"), "out of order");
        assertRefused(CHROMIUM.replace("a=mid:0\r\n", "a=mid:0\r\nc=IN IP4 0.0.0.0\r\n"), "out of order");
        assertRefused(CHROMIUM.replace("a=mid:0", "Amid:0"), "<letter>=<value>");
        assertRefused(CHROMIUM.replace("a=mid:0", "a=mid:0\u0000"), "control character");
        assertRefused(CHROMIUM.replace("a=mid:0", "a=mid:0\r"), "control character");
        assertRefused(CHROMIUM.replace("s=-", "s=caf\u00e9"), "non-ASCII");
        assertRefused(CHROMIUM.replace("a=mid:0", "a=mid:0\ta"), "control character");
        assertRefused(CHROMIUM.replaceFirst("m=video \\d+", "m=video 99999999"), "m=");
        assertRefused(CHROMIUM.replace("IN IP4 127.0.0.1", "IN IP7 127.0.0.1"), "o=");
    }

    @Test
    void limits() {
        assertRefused(CHROMIUM.replace("a=rtcp-mux\r\n", "a=x:" + "y".repeat(2000) + "\r\n"), "longer than");
        assertRefused(CHROMIUM.replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\n".repeat(1000)), "lines");
        String candidate = CHROMIUM.lines()
                .filter(l -> l.startsWith("a=candidate:"))
                .findFirst()
                .orElseThrow();
        assertRefused(CHROMIUM.replace(candidate + "\r\n", (candidate + "\r\n").repeat(65)), "candidates");
        assertRefused(CHROMIUM + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n".repeat(16), "m-lines");
        assertRefused("v=0\r\n" + "s".repeat(SdpGrammar.MAX_LENGTH), "characters");
    }

    private static void assertRefused(String offer, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OfferSdp.parse(offer));
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
        assertTrue(e.getMessage().length() < 200, "short reason: " + e.getMessage());
    }
}
