package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token, origins, Host check, JSON-only POSTs, security headers, admin port — against a running server. */
class AccessControlTest {

    static final String TOKEN = "test-token-0123456789abcdef";
    static DepthcastServer server;
    static URI base;
    static Path webRoot;
    static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        webRoot = Files.createTempDirectory("depthcast-web");
        Files.writeString(webRoot.resolve("index.html"), "<!doctype html><title>t</title>");
        Files.writeString(webRoot.resolve("app.js.map"), "{}");
        server = DepthcastServer.start(
                ServerConfig.builder().webRoot(webRoot).build(),
                SecurityConfig.builder().authTokens(List.of(TOKEN)).adminPort(0).build());
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        for (Path p : List.of(webRoot.resolve("index.html"), webRoot.resolve("app.js.map"), webRoot)) {
            Files.deleteIfExists(p);
        }
    }

    static HttpResponse<String> send(String method, String path, String token, String origin, String type, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiNeedsTheToken() throws Exception {
        HttpResponse<String> none = send("POST", "/api/sessions", null, null, "application/json", "{}");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
        assertTrue(new JsonObject(none.body()).getString("error").contains("token"));
        assertEquals(
                401,
                send("POST", "/api/sessions", "wrong-token-0123456789", null, "application/json", "{}")
                        .statusCode());
        assertEquals(
                401,
                send("DELETE", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", null, null, null, null)
                        .statusCode());
        // With the token, the request reaches the API (and its own 400 for an empty offer).
        HttpResponse<String> ok = send("POST", "/api/sessions", TOKEN, null, "application/json", "{}");
        assertEquals(400, ok.statusCode(), ok.body());
        // The page itself is public: it has to load before it can read its token from the URL.
        assertEquals(200, send("GET", "/", null, null, null, null).statusCode());
    }

    @Test
    void metricsAndStatsLiveOnTheAdminPortOnly() throws Exception {
        assertEquals(404, send("GET", "/metrics", TOKEN, null, null, null).statusCode());
        assertEquals(404, send("GET", "/api/stats", TOKEN, null, null, null).statusCode());
        URI admin = URI.create("http://127.0.0.1:" + server.adminPort());
        HttpResponse<String> metrics = HTTP.send(
                HttpRequest.newBuilder(admin.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("depthcast"), "Prometheus text");
        assertEquals(
                200,
                HTTP.send(
                                HttpRequest.newBuilder(admin.resolve("/api/stats"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    @Test
    void foreignOriginsAndNonJsonPostsAreRefused() throws Exception {
        HttpResponse<String> evil =
                send("POST", "/api/sessions", TOKEN, "http://evil.example", "application/json", "{}");
        assertEquals(403, evil.statusCode());
        assertTrue(evil.body().contains("--allowed-origin"), evil.body());
        assertEquals(
                403,
                send("DELETE", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", TOKEN, "null", null, null)
                        .statusCode());
        // The server's own origin (as the browser addressed it) is fine.
        assertEquals(
                400,
                send("POST", "/api/sessions", TOKEN, "http://127.0.0.1:" + server.port(), "application/json", "{}")
                        .statusCode());
        assertEquals(
                403,
                send("POST", "/api/sessions", TOKEN, "http://127.0.0.1:1", "application/json", "{}")
                        .statusCode());
        // text/plain is what a cross-site "simple request" can send without a preflight.
        HttpResponse<String> plain = send("POST", "/api/sessions", TOKEN, null, "text/plain", "{}");
        assertEquals(415, plain.statusCode());
    }

    @Test
    void theResultsSocketChecksTokenAndOrigin() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WebSocketClient ws = vertx.createWebSocketClient();
            String path = "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/results";
            assertEquals(401, upgradeStatus(ws, path, null));
            assertEquals(403, upgradeStatus(ws, path + "?token=" + TOKEN, "http://evil.example"));
            // Past both checks, an unknown session is the API's own 404.
            assertEquals(404, upgradeStatus(ws, path + "?token=" + TOKEN, "http://127.0.0.1:" + server.port()));
        } finally {
            vertx.close().await(5, TimeUnit.SECONDS);
        }
    }

    static int upgradeStatus(WebSocketClient ws, String uri, String origin) throws Exception {
        WebSocketConnectOptions o = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(server.port())
                .setURI(uri);
        if (origin != null) {
            o.addHeader("Origin", origin);
        }
        try {
            ws.connect(o).await(5, TimeUnit.SECONDS).close();
            return 101;
        } catch (io.vertx.core.http.UpgradeRejectedException e) {
            return e.getStatus();
        }
    }

    @Test
    void aLoopbackServerAnswersOnlyToLoopbackNames() throws Exception {
        // DNS rebinding: evil.example now resolves to 127.0.0.1, so its page is "same origin" with us.
        String rebound = RawHttp.exchange(
                server.port(),
                "GET / HTTP/1.1\r\nHost: evil.example:" + server.port() + "\r\nConnection: close\r\n\r\n",
                5000);
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        for (String host : new String[] {"localhost", "127.0.0.1", "[::1]"}) {
            String ok = RawHttp.exchange(
                    server.port(),
                    "GET / HTTP/1.1\r\nHost: " + host + ":" + server.port() + "\r\nConnection: close\r\n\r\n",
                    5000);
            assertTrue(ok.startsWith("HTTP/1.1 200"), host + ": " + ok);
        }
    }

    @Test
    void securityHeadersOnEveryResponseAndNoSourceMaps() throws Exception {
        for (String path : new String[] {"/", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/candidates"}) {
            HttpResponse<String> r = send("GET", path, TOKEN, null, null, null);
            String csp = r.headers().firstValue("content-security-policy").orElse("");
            assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
            assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
            assertEquals(
                    "nosniff", r.headers().firstValue("x-content-type-options").orElse(""));
            assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""));
            assertTrue(r.headers().firstValue("strict-transport-security").isEmpty(), "no HSTS over plain http");
        }
        assertEquals(404, send("GET", "/app.js.map", null, null, null, null).statusCode());
    }
}
