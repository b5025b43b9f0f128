package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code --max-clients} through the real HTTP API: the next session gets a 503 with the reason. */
class AdmissionTest {

    static DepthcastServer server;
    static WebRtcEngine webrtc;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = DepthcastServer.start(ServerConfig.builder()
                .simulated(SimulatedCost.parse("5+1"))
                .maxBatch(4)
                .maxWait(Duration.ofMillis(4))
                .maxClients(2)
                .build());
        base = URI.create("http://127.0.0.1:" + server.port());
        webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (webrtc != null) {
            webrtc.close();
        }
    }

    static DepthcastClient connect() throws Exception {
        return DepthcastClient.connect(webrtc, base, DepthcastClient.Options.of(160, 120, 10), r -> {});
    }

    @Test
    void theSessionPastMaxClientsIsRefusedWithTheReasonAndASlotFreesOnClose() throws Exception {
        try (DepthcastClient first = connect();
                DepthcastClient second = connect()) {
            assertEquals(2, stats().getJsonObject("metrics").getInteger("sessions"));
            RefusedException refused = assertThrows(RefusedException.class, AdmissionTest::connect);
            assertEquals(503, refused.status());
            assertTrue(
                    refused.getMessage().contains("server full")
                            && refused.getMessage().contains("--max-clients 2"),
                    refused.getMessage());
            // Refusal holds no slot: still two, and a raw request sees the same JSON error.
            HttpResponse<String> raw = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(base.resolve("/api/sessions"))
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
                                            .put("type", "offer")
                                            .put("sdp", offerSdp())
                                            .encode()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(503, raw.statusCode(), raw.body());
            assertTrue(new JsonObject(raw.body()).getString("error").contains("--max-clients 2"), raw.body());
            assertEquals(2, stats().getJsonObject("metrics").getInteger("sessions"));

            second.close(); // DELETE frees the slot
            try (DepthcastClient third = connect()) {
                assertEquals(2, stats().getJsonObject("metrics").getInteger("sessions"));
            }
        }
    }

    /** A syntactically valid offer with a sendonly video m-line (admission is checked before WebRTC sees it). */
    static String offerSdp() {
        return String.join(
                "\r\n",
                "v=0",
                "o=- 1 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE 0",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                "c=IN IP4 0.0.0.0",
                "a=mid:0",
                "a=sendonly",
                "a=ice-ufrag:abcd",
                "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
                "a=setup:actpass",
                "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000",
                "");
    }

    static JsonObject stats() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/api/stats")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }
}
