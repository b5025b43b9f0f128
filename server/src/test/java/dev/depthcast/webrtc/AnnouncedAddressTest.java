package dev.depthcast.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AnnouncedAddressTest {

    static final String HOST_UDP =
            "candidate:1512880082 1 udp 2122194687 10.80.2.2 50000 typ host generation 0 ufrag 9cle network-id 1";
    static final String HOST_TCP =
            "candidate:618878282 1 tcp 1518214911 10.80.2.2 50001 typ host tcptype passive generation 0 ufrag 9cle network-id 1";
    static final String HOST_V6 =
            "candidate:1566497634 1 udp 2122265343 fd00::2 50000 typ host generation 0 ufrag 9cle network-id 2";
    static final String RELAY =
            "candidate:3 1 udp 41885439 10.80.2.2 49160 typ relay raddr 10.80.2.2 rport 50002 generation 0";
    static final String SRFLX =
            "candidate:4 1 udp 1686052607 198.51.100.7 50000 typ srflx raddr 10.80.2.2 rport 50000 generation 0";

    @Test
    void hostCandidatesOfTheSameFamilyCarryThePublicAddressAndKeepTheirPort() {
        AnnouncedAddress a = new AnnouncedAddress("203.0.113.10");
        assertEquals(HOST_UDP.replace("10.80.2.2", "203.0.113.10"), a.candidate(HOST_UDP));
        assertEquals(HOST_TCP.replace("10.80.2.2", "203.0.113.10"), a.candidate(HOST_TCP));
        assertEquals("a=" + HOST_UDP.replace("10.80.2.2", "203.0.113.10"), a.candidate("a=" + HOST_UDP));
    }

    @Test
    void otherFamiliesRelayAndReflexiveCandidatesStayAsTheyAre() {
        AnnouncedAddress a = new AnnouncedAddress("203.0.113.10");
        assertEquals(HOST_V6, a.candidate(HOST_V6));
        assertEquals(RELAY, a.candidate(RELAY));
        assertEquals(SRFLX, a.candidate(SRFLX));
        assertEquals("not a candidate", a.candidate("not a candidate"));
        AnnouncedAddress v6 = new AnnouncedAddress("2001:db8::10");
        assertEquals(HOST_V6.replace("fd00::2", "2001:db8::10"), v6.candidate(HOST_V6));
        assertEquals(HOST_UDP, v6.candidate(HOST_UDP));
    }

    @Test
    void sdpRewritesOnlyCandidateLinesAndKeepsCrlf() {
        String sdp = "v=0\r\nc=IN IP4 10.80.2.2\r\na=candidate:" + HOST_UDP.substring(10) + "\r\na=candidate:"
                + RELAY.substring(10) + "\r\na=end-of-candidates\r\n";
        String out = new AnnouncedAddress("203.0.113.10").sdp(sdp);
        assertEquals(sdp.replace("udp 2122194687 10.80.2.2", "udp 2122194687 203.0.113.10"), out);
    }
}
