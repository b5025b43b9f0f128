package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connection caps, timeouts, per-address session limits and the results socket's bounds, over loopback. */
class LimitsTest {

    static DepthcastServer server;
    static URI base;
    static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = DepthcastServer.start(
                ServerConfig.defaults(),
                SecurityConfig.builder()
                        .sessionLimits(1, 100)
                        .connectionLimits(1000, 100)
                        .timeouts(Duration.ofSeconds(30), Duration.ofMillis(1500), Duration.ofMillis(800))
                        .build());
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Socket from(String localAddress) throws IOException {
        return from(localAddress, server.port());
    }

    static Socket from(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(5000);
        return s;
    }

    static String get(Socket s) throws IOException {
        s.getOutputStream()
                .write(("GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        return RawHttp.readAll(s.getInputStream());
    }

    @Test
    void connectionCapsRefuseWithAReasonAndFreeOnClose() throws Exception {
        // A server of its own: no other test's pooled connections count against these caps.
        try (DepthcastServer capped = DepthcastServer.start(
                ServerConfig.defaults(),
                SecurityConfig.builder()
                        .connectionLimits(5, 3)
                        .timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(10))
                        .build())) {
            int port = capped.port();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(from("127.0.0.1", port));
                }
                Socket fourth = from("127.0.0.1", port);
                held.add(fourth);
                String perAddress = get(fourth);
                assertTrue(
                        perAddress.startsWith("HTTP/1.1 503") && perAddress.contains("--max-connections-per-ip"),
                        perAddress);
                // The refused fourth is closed after its 503: 3 open; two more from another address make 5.
                for (int i = 0; i < 50 && capped.connections().open() > 3; i++) {
                    Thread.sleep(20);
                }
                held.add(from("127.0.0.2", port));
                held.add(from("127.0.0.2", port));
                String global = get(from("127.0.0.3", port));
                assertTrue(global.startsWith("HTTP/1.1 503") && global.contains("--max-connections)"), global);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            for (int i = 0; i < 50 && capped.connections().open() > 0; i++) {
                Thread.sleep(50);
            }
            String ok = get(from("127.0.0.1", port));
            assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
            assertEquals(2, capped.connections().refused());
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeaderDeadline() throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = from("127.0.0.4")) {
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "closed by the server, nothing sent");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 1.2 && seconds < 4.5, "closed after " + seconds + " s (deadline 1.5 s)");
    }

    @Test
    void aBodyThatNeverFinishesGets408() throws Exception {
        try (Socket s = from("127.0.0.5")) {
            s.getOutputStream()
                    .write(("POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                                    + "\r\nContent-Length: 1000\r\n\r\n{\"sdp\":\"v=0")
                            .getBytes(StandardCharsets.ISO_8859_1));
            long t0 = System.nanoTime();
            String answer = RawHttp.readAll(s.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue((System.nanoTime() - t0) / 1e9 < 4, "answered at the 0.8 s body deadline");
        }
    }

    @Test
    void oneAddressHoldsAtMostItsSessionsAndTheResultsSocketStaysBounded() throws Exception {
        String chromiumOffer;
        try (InputStream in = LimitsTest.class.getResourceAsStream("/sdp/chromium-video-only.sdp")) {
            chromiumOffer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        String offer = new JsonObject().put("sdp", chromiumOffer).encode();
        HttpResponse<String> first = post(offer);
        assertEquals(201, first.statusCode(), first.body());
        String id = new JsonObject(first.body()).getString("id");
        HttpResponse<String> second = post(offer);
        assertEquals(429, second.statusCode(), second.body());
        assertTrue(second.body().contains("--max-sessions-per-ip"), second.body());
        assertTrue(second.headers().firstValue("retry-after").isPresent());

        Vertx vertx = Vertx.vertx();
        try {
            // The client offers both kinds of WebSocket compression, as browsers offer permessage-deflate.
            WebSocket ws = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
                            .setTryUsePerMessageCompression(true)
                            .setTryUsePerFrameCompression(true))
                    .connect(new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(server.port())
                            .setURI("/api/sessions/" + id + "/results"))
                    .await(5, TimeUnit.SECONDS);
            // Declined: compressing results would run on an event loop (it held one for seconds under load).
            assertEquals(null, ws.headers().get("sec-websocket-extensions"), "the results socket is not compressed");
            // Never read: pings whose replies would pile up in the server if it kept answering.
            ws.pause();
            String ping = new JsonObject().put("type", "ping").put("t", 1.5).encode();
            for (int i = 0; i < 100_000; i++) {
                ws.writeTextMessage(ping);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (ws.writeQueueFull()) {
                    assertTrue(System.nanoTime() < deadline, "the server stopped reading pings");
                    Thread.sleep(1);
                }
            }
            long skipped = 0;
            for (int i = 0; i < 50 && skipped == 0; i++) {
                Thread.sleep(100);
                io.vertx.core.json.JsonArray sessions = stats().getJsonArray("sessions");
                assertEquals(1, sessions.size(), "the session is still open (no video reaps it after 30 s)");
                skipped = sessions.getJsonObject(0).getLong("pingRepliesSkipped");
            }
            assertTrue(skipped > 0, "replies to a client that does not read are skipped, not queued");

            // Inbound messages are small pings: a 10 KB one closes the socket (1009, message too big).
            ws.resume();
            CompletableFuture<Short> closed = new CompletableFuture<>();
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            ws.writeTextMessage("x".repeat(10_000));
            short code = closed.get(10, TimeUnit.SECONDS);
            assertEquals((short) 1009, code, "closed with a close frame saying the message was too big");
        } finally {
            vertx.close(); // a test client with 100k unread pings behind it: no need to wait for its threads
        }
        // 204, or 404 when the session already ended: its offer has no browser behind it, so its peer
        // connection fails 10-15 s in, which a loaded machine can reach before this line.
        int deleted = HTTP.send(
                        HttpRequest.newBuilder(base.resolve("/api/sessions/" + id))
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
        assertTrue(deleted == 204 || deleted == 404, "DELETE answered " + deleted);
        assertEquals(201, post(offer).statusCode(), "the address's slot is free again");
    }

    static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve("/api/sessions"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject stats() throws Exception {
        return new JsonObject(HTTP.send(
                        HttpRequest.newBuilder(base.resolve("/api/stats")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }
}
