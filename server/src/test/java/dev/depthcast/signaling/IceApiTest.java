package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.IceConfig;
import dev.depthcast.config.IceServerUrl;
import dev.depthcast.config.PortRange;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.TurnCredentials;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ICE flags through a real server and libwebrtc: candidates bound inside {@code --ice-port-range}
 * (UDP and ICE-TCP), host candidates carrying {@code --announced-ip} in trickle and in a non-trickle
 * answer, and {@code GET /api/config} minting coturn REST credentials for the page.
 */
class IceApiTest {

    static final String ANNOUNCED = "203.0.113.10";
    static final PortRange RANGE = new PortRange(50710, 50719);
    static DepthcastServer server;

    @BeforeAll
    static void start() throws Exception {
        // The ICE servers point at a closed loopback port: gathering ends quickly, with host candidates only.
        IceConfig ice = new IceConfig(
                List.of(IceServerUrl.parse("stun:127.0.0.1:9"), IceServerUrl.parse("turn:127.0.0.1:9?transport=tcp")),
                TurnCredentials.restSecret("north-wind"),
                RANGE,
                ANNOUNCED);
        server = DepthcastServer.start(
                ServerConfig.builder().maxClients(2).ice(ice).build());
        SignalingApiTest.base = URI.create("http://127.0.0.1:" + server.port());
        SignalingApiTest.webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        server.close();
        SignalingApiTest.webrtc.close();
    }

    @Test
    void trickledCandidatesAreInThePortRangeAndCarryTheAnnouncedAddress() throws Exception {
        String id = SignalingApiTest.createSession(SignalingApiTest.browserLikeOffer());
        // Poll until both IPv4 host candidates (UDP and passive TCP) are there; gathering itself
        // goes on against the unreachable ICE servers, which does not matter here.
        JsonObject local = null;
        List<CandidateLine> host = new ArrayList<>();
        for (int i = 0; i < 100 && !(hasTransport(host, "udp") && hasTransport(host, "tcp")); i++) {
            Thread.sleep(100);
            local = new JsonObject(SignalingApiTest.send("GET", "/api/sessions/" + id + "/candidates")
                    .body());
            host.clear();
            for (Object o : local.getJsonArray("candidates")) {
                CandidateLine c = CandidateLine.parse(((JsonObject) o).getString("candidate"));
                assertTrue(c.port() >= RANGE.min() && c.port() <= RANGE.max(), "port " + c.port() + " in " + RANGE);
                if (c.type().equals("host") && !c.address().contains(":")) {
                    host.add(c);
                }
            }
        }
        assertTrue(hasTransport(host, "udp"), "UDP host candidate: " + local);
        assertTrue(
                host.stream()
                        .anyMatch(c -> c.transport().equals("tcp")
                                && "passive".equals(c.extensions().get("tcptype"))),
                "libwebrtc gathers passive ICE-TCP candidates: " + local);
        assertTrue(host.stream().allMatch(c -> c.address().equals(ANNOUNCED)), local.encode());
        SignalingApiTest.send("DELETE", "/api/sessions/" + id);
    }

    static boolean hasTransport(List<CandidateLine> candidates, String transport) {
        return candidates.stream().anyMatch(c -> c.transport().equals(transport));
    }

    @Test
    void nonTrickleAnswerCarriesTheAnnouncedAddress() throws Exception {
        HttpResponse<String> r = SignalingApiTest.post(
                "/api/sessions",
                new JsonObject()
                        .put("type", "offer")
                        .put("sdp", SignalingApiTest.browserLikeOffer())
                        .put("trickle", false)
                        .encode());
        assertEquals(201, r.statusCode(), r.body());
        JsonObject answer = new JsonObject(r.body());
        List<String> candidates = answer.getString("sdp")
                .lines()
                .filter(l -> l.startsWith("a=candidate:"))
                .toList();
        assertFalse(candidates.isEmpty(), answer.getString("sdp"));
        for (String line : candidates) {
            CandidateLine c = CandidateLine.parse(line);
            if (c.type().equals("host") && !c.address().contains(":")) {
                assertEquals(ANNOUNCED, c.address(), line);
            }
        }
        SignalingApiTest.send("DELETE", "/api/sessions/" + answer.getString("id"));
    }

    @Test
    void pageConfigMintsExpiringTurnCredentialsAndIsNeverCached() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        HttpResponse<String> r = SignalingApiTest.send("GET", "/api/config");
        assertEquals(200, r.statusCode());
        assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));
        JsonArray servers = new JsonObject(r.body()).getJsonArray("iceServers");
        assertEquals(2, servers.size(), r.body());
        assertEquals(
                new JsonArray().add("stun:127.0.0.1:9"),
                servers.getJsonObject(0).getJsonArray("urls"));
        assertFalse(servers.getJsonObject(0).containsKey("username"), "STUN takes no credentials");
        JsonObject turn = servers.getJsonObject(1);
        assertEquals(new JsonArray().add("turn:127.0.0.1:9?transport=tcp"), turn.getJsonArray("urls"));
        String[] user = turn.getString("username").split(":");
        long expiry = Long.parseLong(user[0]);
        assertTrue(
                expiry >= before + TurnCredentials.REST_LIFETIME.toSeconds()
                        && expiry <= before + TurnCredentials.REST_LIFETIME.toSeconds() + 60,
                turn.encode());
        assertEquals("depthcast-page", user[1]);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("north-wind".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertEquals(
                Base64.getEncoder()
                        .encodeToString(mac.doFinal(turn.getString("username").getBytes(StandardCharsets.UTF_8))),
                turn.getString("credential"),
                "coturn's use-auth-secret password");
        assertFalse(r.body().contains("north-wind"), "the secret never leaves the server");
    }
}
