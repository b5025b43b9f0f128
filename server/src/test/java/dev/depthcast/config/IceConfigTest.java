package dev.depthcast.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceConfigTest {

    @Test
    void urlsOfEveryFormParseToTheirNormalForm() {
        assertEquals(
                "stun:stun.example.com:3478",
                IceServerUrl.parse("stun:stun.example.com").toString());
        assertEquals(
                "turn:203.0.113.10:3478?transport=tcp",
                IceServerUrl.parse("turn:203.0.113.10?transport=tcp").toString());
        assertEquals(
                "turn:turn.example.com:80?transport=udp",
                IceServerUrl.parse("TURN:Turn.Example.com:80?transport=UDP").toString());
        assertEquals(
                "turns:turn.example.com:5349",
                IceServerUrl.parse("turns:turn.example.com").toString());
        assertEquals(
                "stun:[2001:db8::1]:19302",
                IceServerUrl.parse("stun:[2001:db8::1]:19302").toString());
        assertTrue(IceServerUrl.parse("turn:a").isTurn());
        assertFalse(IceServerUrl.parse("stun:a").isTurn());
    }

    @Test
    void badUrlsNameTheFlagAndTheFix() {
        for (String bad : new String[] {
            "http://x",
            "turn:",
            "turn:host:99999",
            "stun:host?transport=udp",
            "turn:host?transport=sctp",
            "turns:host?transport=udp",
            "turn:user@host"
        }) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> IceServerUrl.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--ice-server '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void restCredentialsAreCoturnsExpiryColonIdWithHmacSha1() {
        // Expected password computed independently:
        //   echo -n "1700086400:depthcast-page" | openssl dgst -sha1 -hmac north-wind -binary | base64
        TurnCredentials.Credential c =
                TurnCredentials.restSecret("north-wind").issue("depthcast-page", Instant.ofEpochSecond(1_700_000_000L));
        assertEquals("1700086400:depthcast-page", c.username(), "expiry = now + 24 h, in Unix seconds");
        assertEquals("i598aE1vJe/d6OLq/ozGVuDRQeI=", c.password());
        assertEquals(
                new TurnCredentials.Credential("alice", "pw"),
                TurnCredentials.staticUser("alice", "pw").issue("anyone", Instant.EPOCH));
    }

    @Test
    void stunAndTurnUrlsBecomeTwoEntriesOnlyTurnWithCredentials() {
        IceConfig ice = new IceConfig(
                List.of(
                        IceServerUrl.parse("stun:s.example"),
                        IceServerUrl.parse("turn:t.example?transport=udp"),
                        IceServerUrl.parse("turn:t.example?transport=tcp")),
                TurnCredentials.staticUser("u", "p"),
                null,
                null);
        List<IceConfig.Server> servers = ice.iceServersFor("x", Instant.EPOCH);
        assertEquals(2, servers.size());
        assertEquals(List.of("stun:s.example:3478"), servers.get(0).urls());
        assertNull(servers.get(0).username());
        assertEquals(
                List.of("turn:t.example:3478?transport=udp", "turn:t.example:3478?transport=tcp"),
                servers.get(1).urls());
        assertEquals("u", servers.get(1).username());
        assertEquals("p", servers.get(1).credential());
        assertEquals(List.of(), IceConfig.NONE.iceServersFor("x", Instant.EPOCH));
    }

    @Test
    void credentialsAndTurnUrlsComeTogether() {
        List<IceServerUrl> turn = List.of(IceServerUrl.parse("turn:t.example"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new IceConfig(turn, null, null, null))
                .getMessage()
                .contains("--turn-secret"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new IceConfig(List.of(), TurnCredentials.restSecret("s"), null, null))
                .getMessage()
                .contains("--ice-server turn:"));
        assertThrows(IllegalArgumentException.class, () -> TurnCredentials.restSecret(""));
        assertThrows(IllegalArgumentException.class, () -> TurnCredentials.staticUser("a:b", "p"));
        assertThrows(IllegalArgumentException.class, () -> TurnCredentials.staticUser("a", null));
    }

    @Test
    void announcedIpIsAnAddressLiteralNeverAName() {
        assertEquals("203.0.113.10", new IceConfig(List.of(), null, null, " 203.0.113.10 ").announcedIp());
        assertEquals("2001:db8:0:0:0:0:0:1", new IceConfig(List.of(), null, null, "2001:db8::1").announcedIp());
        for (String bad : new String[] {"example.com", "203.0.113.256", "1.2.3", "localhost"}) {
            assertTrue(
                    assertThrows(IllegalArgumentException.class, () -> new IceConfig(List.of(), null, null, bad))
                            .getMessage()
                            .startsWith("--announced-ip"),
                    bad);
        }
    }

    @Test
    void portRangeParsesAndMustHoldAPortPerClient() {
        assertEquals(new PortRange(50000, 50100), PortRange.parse("50000-50100"));
        assertEquals(101, PortRange.parse(" 50000 - 50100 ").size());
        for (String bad : new String[] {"50000", "5-4", "0-10", "50000-70000", "a-b"}) {
            assertTrue(
                    assertThrows(IllegalArgumentException.class, () -> PortRange.parse(bad))
                            .getMessage()
                            .startsWith("--ice-port-range"),
                    bad);
        }
        IceConfig small = new IceConfig(List.of(), null, PortRange.parse("50000-50003"), null);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.builder().maxClients(16).ice(small).build());
        assertTrue(e.getMessage().contains("--max-clients is 16"), e.getMessage());
        assertEquals(
                small, ServerConfig.builder().maxClients(4).ice(small).build().ice());
    }
}
