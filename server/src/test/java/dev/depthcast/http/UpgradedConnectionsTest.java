package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection upgraded to the results WebSocket is still counted against the connection caps
 * while open, and no longer once closed. The soak (scripts/soak.sh) found the count kept every
 * closed results socket: after 64 of them (a client reconnecting every 30 s for ~10 min, or a
 * script in a minute) its address got nothing but 503 "too many connections", and after
 * --max-connections of them, every address did.
 */
class UpgradedConnectionsTest {

    @Test
    void aClosedResultsSocketFreesItsConnectionSlot() throws Exception {
        String offer;
        try (InputStream in = UpgradedConnectionsTest.class.getResourceAsStream("/sdp/chromium-video-only.sdp")) {
            offer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        try (DepthcastServer server = DepthcastServer.start(
                ServerConfig.defaults(),
                SecurityConfig.builder()
                        .connectionLimits(1000, 5)
                        .timeouts(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5))
                        .build())) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(base.resolve("/api/sessions"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    new JsonObject().put("sdp", offer).encode()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String id = new JsonObject(created.body()).getString("id");
            int before = server.connections().open();
            Vertx vertx = Vertx.vertx();
            try {
                // More sockets, one after the other, than the address may hold connections at once.
                for (int i = 0; i < 8; i++) {
                    WebSocket ws = vertx.createWebSocketClient()
                            .connect(new WebSocketConnectOptions()
                                    .setHost("127.0.0.1")
                                    .setPort(server.port())
                                    .setURI("/api/sessions/" + id + "/results"))
                            .await(5, TimeUnit.SECONDS);
                    assertEquals(before + 1, server.connections().open(), "an open results socket is counted");
                    ws.close().await(5, TimeUnit.SECONDS);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (server.connections().open() > before && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertEquals(before, server.connections().open(), "socket " + i + ": closed, no longer counted");
                }
            } finally {
                vertx.close();
            }
            HttpResponse<String> stats = http.send(
                    HttpRequest.newBuilder(base.resolve("/api/stats")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode(), "the address is not locked out: " + stats.body());
            assertTrue(server.connections().refused() == 0, "nothing refused");
        }
    }
}
