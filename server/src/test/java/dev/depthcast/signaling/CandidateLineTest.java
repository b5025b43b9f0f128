package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Candidate strings as Chromium writes them (RTCIceCandidate.toJSON().candidate). */
class CandidateLineTest {

    static final String HOST = "candidate:1467250027 1 udp 2122260223 192.168.1.5 46243 typ host generation 0 "
            + "ufrag EEtu network-id 1 network-cost 10";
    static final String SRFLX = "candidate:842163049 1 udp 1677729535 203.0.113.7 51234 typ srflx raddr 192.168.1.5 "
            + "rport 46243 generation 0 ufrag EEtu network-id 1 network-cost 10";
    static final String MDNS = "candidate:3885250869 1 udp 2122260223 4c8d6a3e-1b2f-4a5d-9e6f-0a1b2c3d4e5f.local "
            + "54321 typ host generation 0 ufrag EEtu network-id 1";
    static final String TCP = "candidate:1051094549 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active "
            + "generation 0 ufrag EEtu network-id 1";
    static final String IPV6 = "candidate:2999745851 1 udp 2122262783 2001:db8::1 50000 typ host generation 0 "
            + "ufrag EEtu network-id 2";
    static final String RELAY = "candidate:3 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 51234";

    @Test
    void host() {
        CandidateLine c = CandidateLine.parse(HOST);
        assertEquals("1467250027", c.foundation());
        assertEquals(1, c.component());
        assertEquals("udp", c.transport());
        assertEquals(2122260223L, c.priority());
        assertEquals("192.168.1.5", c.address());
        assertEquals(46243, c.port());
        assertEquals("host", c.type());
        assertEquals("EEtu", c.extensions().get("ufrag"));
        assertFalse(c.isMdns());
    }

    @Test
    void srflxWithRelatedAddress() {
        CandidateLine c = CandidateLine.parse(SRFLX);
        assertEquals("srflx", c.type());
        assertEquals("192.168.1.5", c.relatedAddress());
        assertEquals(46243, c.relatedPort());
    }

    @Test
    void mdnsHostName() {
        CandidateLine c = CandidateLine.parse(MDNS);
        assertTrue(c.isMdns());
        assertEquals(54321, c.port());
    }

    @Test
    void tcpActive() {
        CandidateLine c = CandidateLine.parse(TCP);
        assertEquals("tcp", c.transport());
        assertEquals(9, c.port());
        assertEquals("active", c.extensions().get("tcptype"));
    }

    @Test
    void ipv6AndRelayAndUppercaseTransport() {
        assertEquals("2001:db8::1", CandidateLine.parse(IPV6).address());
        assertEquals("relay", CandidateLine.parse(RELAY).type());
        assertEquals(
                "udp",
                CandidateLine.parse("a=candidate:1 1 UDP 1 10.0.0.1 5000 typ host")
                        .transport());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "hello",
                "candidate:1 1 udp 2122260223 192.168.1.5 46243 host",
                "candidate:1 1 udp 2122260223 192.168.1.5 70000 typ host",
                "candidate:1 1 sctp 2122260223 192.168.1.5 4000 typ host",
                "candidate:1 1 udp 2122260223 192.168.1.500 4000 typ host",
                "candidate:1 1 udp 2122260223 192.168.1.5 4000 typ alien",
                "candidate:1 1 udp notanumber 192.168.1.5 4000 typ host",
                "candidate:1 1 udp 1 192.168.1.5 4000 typ host generation",
                "candidate:1 1 tcp 1 192.168.1.5 9 typ host tcptype sideways",
                "candidate:1 1 udp 1 bad_host! 4000 typ host",
            })
    void malformedCandidatesAreRefusedWithAReason(String line) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CandidateLine.parse(line));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void browserJson() {
        BrowserCandidate c = BrowserCandidate.fromJson(new JsonObject()
                .put("candidate", HOST)
                .put("sdpMid", "0")
                .put("sdpMLineIndex", 0)
                .put("usernameFragment", "EEtu"));
        assertEquals("0", c.sdpMid());
        assertEquals(0, c.sdpMLineIndex());
        assertEquals("EEtu", c.usernameFragment());
        assertFalse(c.isEndOfCandidates());
        assertTrue(
                BrowserCandidate.fromJson(new JsonObject().put("candidate", "").put("sdpMid", "0"))
                        .isEndOfCandidates());
        assertTrue(
                BrowserCandidate.fromJson(new JsonObject().putNull("candidate")).isEndOfCandidates());
        assertThrows(
                IllegalArgumentException.class,
                () -> BrowserCandidate.fromJson(new JsonObject().put("candidate", HOST)),
                "needs mid or index");
        assertThrows(
                IllegalArgumentException.class,
                () -> BrowserCandidate.fromJson(
                        new JsonObject().put("candidate", HOST).put("sdpMLineIndex", -1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> BrowserCandidate.fromJson(
                        new JsonObject().put("candidate", 5).put("sdpMid", "0")));
    }
}
