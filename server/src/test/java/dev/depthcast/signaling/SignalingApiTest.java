package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.webrtc.Negotiation;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API against a running server: good offers get answers, bad input gets a clear 4xx. */
class SignalingApiTest {

    static DepthcastServer server;
    static WebRtcEngine webrtc;
    static URI base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = DepthcastServer.start(ServerConfig.builder().maxClients(3).build());
        base = URI.create("http://127.0.0.1:" + server.port());
        webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        server.close();
        webrtc.close();
    }

    /** A real offer with a send-only video m-line, as a browser makes. */
    static String browserLikeOffer() throws Exception {
        RTCPeerConnection pc = webrtc.factory()
                .createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
                    @Override
                    public void onIceCandidate(RTCIceCandidate candidate) {}
                });
        CustomVideoSource source = new CustomVideoSource();
        VideoTrack track = webrtc.factory().createVideoTrack("cam", source);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
        pc.addTransceiver(track, init);
        String sdp = Negotiation.createOffer(pc).get(5, TimeUnit.SECONDS).sdp;
        pc.close();
        return sdp;
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String createSession(String sdp) throws Exception {
        HttpResponse<String> r = post(
                "/api/sessions",
                new JsonObject().put("type", "offer").put("sdp", sdp).encode());
        assertEquals(201, r.statusCode(), r.body());
        JsonObject answer = new JsonObject(r.body());
        assertEquals("answer", answer.getString("type"));
        assertTrue(answer.getString("sdp").contains("a=recvonly"), "server only receives video");
        return answer.getString("id");
    }

    @Test
    void trickleBothWaysWithEveryCandidateKind() throws Exception {
        String sdp = browserLikeOffer();
        String ufrag = sdp.lines()
                .filter(l -> l.startsWith("a=ice-ufrag:"))
                .findFirst()
                .orElseThrow()
                .substring(12);
        String id = createSession(sdp);
        assertTrue(SessionIds.wellFormed(id));
        JsonArray candidates = new JsonArray();
        for (String c : new String[] {
            CandidateLineTest.HOST,
            CandidateLineTest.SRFLX,
            CandidateLineTest.MDNS,
            CandidateLineTest.TCP,
            CandidateLineTest.IPV6,
            CandidateLineTest.RELAY
        }) {
            candidates.add(new JsonObject()
                    .put("candidate", c)
                    .put("sdpMid", "0")
                    .put("sdpMLineIndex", 0)
                    .put("usernameFragment", ufrag));
        }
        candidates.add(new JsonObject().put("candidate", "").put("sdpMid", "0").put("sdpMLineIndex", 0));
        HttpResponse<String> r = post(
                "/api/sessions/" + id + "/candidates",
                new JsonObject().put("candidates", candidates).encode());
        assertEquals(204, r.statusCode(), r.body());

        JsonObject local = null;
        for (int i = 0; i < 50; i++) {
            local = new JsonObject(
                    send("GET", "/api/sessions/" + id + "/candidates").body());
            if (local.getBoolean("complete")) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(local.getBoolean("complete"), "server ICE gathering completes");
        for (Object o : local.getJsonArray("candidates")) {
            CandidateLine.parse(((JsonObject) o).getString("candidate"));
        }
        assertEquals(204, send("DELETE", "/api/sessions/" + id).statusCode());
        assertEquals(404, send("DELETE", "/api/sessions/" + id).statusCode());
    }

    @Test
    void staleUfragAndMalformedCandidatesAre400() throws Exception {
        String id = createSession(browserLikeOffer());
        HttpResponse<String> stale = post(
                "/api/sessions/" + id + "/candidates",
                new JsonObject()
                        .put("candidate", CandidateLineTest.HOST)
                        .put("sdpMid", "0")
                        .put("usernameFragment", "zzzz")
                        .encode());
        assertEquals(400, stale.statusCode());
        assertTrue(stale.body().contains("ufrag"), stale.body());
        HttpResponse<String> bad = post(
                "/api/sessions/" + id + "/candidates",
                new JsonObject()
                        .put("candidate", "candidate:1 1 udp 1 1.2.3.4 99999 typ host")
                        .put("sdpMid", "0")
                        .encode());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("port"), bad.body());
        send("DELETE", "/api/sessions/" + id);
    }

    @Test
    void badOffersGetClearErrors() throws Exception {
        assertError(post("/api/sessions", "{not json"), 400, "malformed JSON");
        assertError(post("/api/sessions", "[1,2]"), 400, "");
        assertError(
                post(
                        "/api/sessions",
                        new JsonObject().put("type", "answer").put("sdp", "v=0").encode()),
                400,
                "offer");
        assertError(post("/api/sessions", new JsonObject().put("sdp", "hello").encode()), 400, "v=0");
        String head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
        assertError(
                post(
                        "/api/sessions",
                        new JsonObject()
                                .put("sdp", head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")
                                .encode()),
                400,
                "no video");
        String broken = head + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n";
        assertError(post("/api/sessions", new JsonObject().put("sdp", broken).encode()), 400, "WebRTC could not use");
        assertError(post("/api/sessions", "{\"sdp\":\"" + "x".repeat(70_000) + "\"}"), 413, "bytes");
    }

    @Test
    void aFieldOfViewOutsideTwentyToOneHundredFiftyDegreesIs400WithTheRange() throws Exception {
        String sdp = browserLikeOffer();
        for (String hfov : new String[] {"19.9", "150.5", "-60", "0", "\"wide\"", "true", "[70]", "null"}) {
            HttpResponse<String> r = post(
                    "/api/sessions", "{\"type\":\"offer\",\"sdp\":" + Json.encode(sdp) + ",\"hfov\":" + hfov + "}");
            assertError(r, 400, "hfov must be a horizontal field of view in degrees, 20 to 150");
            assertNoInternals(r.body());
        }
    }

    @Test
    void anOfferedFieldOfViewIsTheSessionsAndItsStabiliserShowsInStats() throws Exception {
        HttpResponse<String> r = post(
                "/api/sessions",
                new JsonObject()
                        .put("type", "offer")
                        .put("sdp", browserLikeOffer())
                        .put("hfov", 78.5)
                        .encode());
        assertEquals(201, r.statusCode(), r.body());
        String id = new JsonObject(r.body()).getString("id");
        try {
            JsonObject stats = new JsonObject(send("GET", "/api/stats").body());
            assertEquals("on", stats.getString("stabilize"));
            JsonObject session = stats.getJsonArray("sessions").stream()
                    .map(JsonObject.class::cast)
                    .filter(s -> SessionRegistry.shortId(id).equals(s.getString("id")))
                    .findFirst()
                    .orElseThrow();
            assertEquals(78.5, session.getDouble("fov"), 1e-6);
            JsonObject stab = session.getJsonObject("stabiliser");
            assertEquals(0L, stab.getLong("resets"));
            assertEquals(0L, stab.getLong("failed"));
        } finally {
            send("DELETE", "/api/sessions/" + id);
        }
    }

    /** Attacks that can reach Java or native internals (a 500 that shows them, or a JVM crash) get a short 400. */
    @Test
    void knownAttacksGetShort400s() throws Exception {
        String sdp = browserLikeOffer();
        String fmtp =
                sdp.lines().filter(l -> l.startsWith("a=fmtp:")).findFirst().orElseThrow();
        for (String payload :
                new String[] {"a=fmtp:%p.%p.%p.%p", "a=fmtp:%n%n%n%n", "a=rtpmap:96 VP8/x", "a=setup:%x%x"}) {
            HttpResponse<String> r = post(
                    "/api/sessions",
                    new JsonObject().put("sdp", sdp.replace(fmtp, payload)).encode());
            assertError(r, 400, "SDP line");
            assertNoInternals(r.body());
        }
        assertError(
                post(
                        "/api/sessions",
                        new JsonObject().put("sdp", sdp).put("trickle", "yes").encode()),
                400,
                "'trickle' must be true or false");
        assertError(post("/api/sessions", new JsonObject().put("sdp", 5).encode()), 400, "'sdp' must be a string");
        assertError(
                post(
                        "/api/sessions",
                        new JsonObject().put("type", List.of()).put("sdp", sdp).encode()),
                400,
                "'type' must be");
        String id = createSession(sdp);
        for (String body : new String[] {
            "{\"candidates\":null}",
            "{\"candidates\":[null]}",
            "{\"candidates\":[1]}",
            "{\"candidates\":{}}",
            "{\"candidate\":5,\"sdpMid\":\"0\"}",
            "{\"candidate\":\"x\",\"sdpMid\":[]}",
            "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 9 typ host\",\"sdpMid\":\"%p\"}",
            "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 9 typ host\",\"sdpMid\":\"9\"}",
            "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 9 typ host\",\"sdpMLineIndex\":7}",
            "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 9 typ host generation %n\",\"sdpMid\":\"0\"}"
        }) {
            HttpResponse<String> r = post("/api/sessions/" + id + "/candidates", body);
            assertError(r, 400, "bad ICE candidate");
            assertNoInternals(r.body());
        }
        HttpResponse<String> notJson = post("/api/sessions", "{\"sdp\": tru");
        assertError(notJson, 400, "malformed JSON");
        assertNoInternals(notJson.body());
        assertEquals(204, send("DELETE", "/api/sessions/" + id).statusCode());
    }

    static void assertNoInternals(String body) {
        for (String leak : new String[] {
            "java.", "Exception", "Error:", "0x", "class ", "io.vertx", "jackson", "dev.depthcast", "Source:"
        }) {
            assertFalse(body.contains(leak), "'" + leak + "' in a response body: " + body);
        }
    }

    @Test
    void unknownIdsAre404() throws Exception {
        assertError(send("GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/candidates"), 404, "no such session");
        assertError(send("GET", "/api/sessions/short/candidates"), 404, "no such session");
        assertError(post("/api/sessions/nope/candidates", "{}"), 404, "no such session");
        String a = SessionIds.next();
        assertNotEquals(a, SessionIds.next());
    }

    @Test
    void admissionControlRefusesWithAReason() throws Exception {
        String sdp = browserLikeOffer();
        java.util.List<String> ids = new java.util.ArrayList<>();
        try {
            HttpResponse<String> r;
            while ((r = post("/api/sessions", new JsonObject().put("sdp", sdp).encode())).statusCode() == 201) {
                ids.add(new JsonObject(r.body()).getString("id"));
                assertTrue(ids.size() <= 3, "max-clients 3 must hold");
            }
            assertError(r, 503, "max-clients");
        } finally {
            for (String id : ids) {
                send("DELETE", "/api/sessions/" + id);
            }
        }
        createSession(sdp);
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(new JsonObject(r.body()).getString("error").contains(fragment), r.body());
    }
}
