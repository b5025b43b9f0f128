package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The results WebSocket at the byte level (RFC 6455): the handshake refuses a key the RFC does not
 * allow, and a client message over the limit of docs/protocol.md gets a close frame with 1009
 * before the connection closes, so the client learns why.
 */
class ResultsSocketTest {

    private static DepthcastServer server;
    private static String resultsPath;

    @BeforeAll
    static void startServerWithASession() throws Exception {
        String offer;
        try (InputStream in = ResultsSocketTest.class.getResourceAsStream("/sdp/chromium-video-only.sdp")) {
            offer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        server = DepthcastServer.start(ServerConfig.defaults(), SecurityConfig.defaults());
        HttpResponse<String> created = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/sessions"))
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        new JsonObject().put("sdp", offer).encode()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        resultsPath = "/api/sessions/" + new JsonObject(created.body()).getString("id") + "/results";
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aHandshakeWithAValidKeyIsUpgraded() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), resultsPath, RawWebSocket.key(), 5000)) {
            assertEquals(101, ws.status(), ws.response);
        }
    }

    @Test
    void aHandshakeWithoutAUsableKeyIsRefusedWith400() throws Exception {
        String fifteenBytes = Base64.getEncoder().encodeToString(new byte[15]);
        String seventeenBytes = Base64.getEncoder().encodeToString(new byte[17]);
        for (String key : Arrays.asList("", null, "   ", "not base64 at all!!", fifteenBytes, seventeenBytes)) {
            try (RawWebSocket ws = RawWebSocket.open(server.port(), resultsPath, key, 5000)) {
                assertEquals(400, ws.status(), "key " + key + ": " + ws.response);
                assertTrue(ws.response.toLowerCase().contains("content-type: application/json"), ws.response);
            }
        }
    }

    @Test
    void aMessageOverTheLimitGetsCloseFrame1009BeforeTheConnectionCloses() throws Exception {
        byte[] fiveKib = "x".repeat(5 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (RawWebSocket ws = RawWebSocket.open(server.port(), resultsPath, RawWebSocket.key(), 5000)) {
            assertEquals(101, ws.status(), ws.response);
            ws.send(true, RawWebSocket.OP_TEXT, fiveKib);
            assertClosedWith1009(ws);
        }
    }

    @Test
    void aMessageOverTheLimitInSmallFramesGetsCloseFrame1009Too() throws Exception {
        byte[] half = "y".repeat(2560).getBytes(StandardCharsets.US_ASCII);
        try (RawWebSocket ws = RawWebSocket.open(server.port(), resultsPath, RawWebSocket.key(), 5000)) {
            assertEquals(101, ws.status(), ws.response);
            ws.send(false, RawWebSocket.OP_TEXT, half);
            ws.send(true, RawWebSocket.OP_CONTINUATION, half);
            assertClosedWith1009(ws);
        }
    }

    @Test
    void aMessageAtTheLimitIsAnswered() throws Exception {
        String ping =
                new JsonObject().put("type", "ping").put("t", 1).put("pad", "").encode();
        String padded = ping.replace("\"pad\":\"\"", "\"pad\":\"" + "z".repeat(4096 - ping.length()) + "\"");
        assertEquals(4096, padded.length());
        try (RawWebSocket ws = RawWebSocket.open(server.port(), resultsPath, RawWebSocket.key(), 5000)) {
            assertEquals(101, ws.status(), ws.response);
            ws.send(true, RawWebSocket.OP_TEXT, padded.getBytes(StandardCharsets.US_ASCII));
            RawWebSocket.Frame reply = ws.read();
            assertNotNull(reply, "the server closed the connection instead of answering");
            assertEquals(RawWebSocket.OP_TEXT, reply.opcode());
            assertEquals("pong", new JsonObject(new String(reply.payload(), StandardCharsets.UTF_8)).getString("type"));
        }
    }

    private static void assertClosedWith1009(RawWebSocket ws) throws Exception {
        List<Integer> before = new ArrayList<>();
        RawWebSocket.Frame frame;
        while ((frame = ws.read()) != null && frame.opcode() != RawWebSocket.OP_CLOSE) {
            before.add(frame.opcode()); // results or replies sent before the limit was hit
        }
        assertNotNull(frame, "the TCP connection closed without a close frame (frames before: " + before + ")");
        assertEquals(1009, frame.closeCode(), "close reason: " + frame.closeReason());
        assertTrue(frame.closeReason().contains("4096"), "the reason names the limit: " + frame.closeReason());
        ws.send(true, RawWebSocket.OP_CLOSE, Arrays.copyOf(frame.payload(), 2));
        assertNull(ws.read(), "after the close frame the server closes the connection");
    }
}
