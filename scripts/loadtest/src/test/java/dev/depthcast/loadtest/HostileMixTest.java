package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.http.SecurityConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One full cycle of the soak's hostile mix against a server with a token and a per-address
 * session limit of 3: every attack gets the answer it should (no 5xx, no silence), the burst
 * runs into 429, and the server still serves a well-behaved request afterwards.
 */
class HostileMixTest {

    static final String TOKEN = "hostile-mix-test-token-0123456789";

    @Test
    void everyAttackGetsItsFourHundredAndTheServerKeepsServing() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .simulated(SimulatedCost.parse("5+1"))
                .maxClients(16)
                .build();
        SecurityConfig security = SecurityConfig.builder()
                .authTokens(List.of(TOKEN))
                .sessionLimits(3, 100)
                .connectionLimits(1000, 100)
                .timeouts(Duration.ofSeconds(30), Duration.ofMillis(1500), Duration.ofMillis(1500))
                .build();
        try (DepthcastServer server = DepthcastServer.start(config, security)) {
            URI url = URI.create("http://127.0.0.1:" + server.port());
            HostileMix mix =
                    new HostileMix(new HostileMix.Settings(url, TOKEN, "127.0.0.2", Duration.ZERO, 6), System.out);
            try {
                for (int n = 0; n < HostileMix.BURST_EVERY; n++) {
                    mix.attack(n);
                }
            } finally {
                mix.close(); // waits for the held (half-open) requests to be answered
            }
            JsonObject r = mix.report();
            System.out.println(r.encodePrettily());
            assertEquals(0, mix.unexpected(), r.encodePrettily());
            JsonObject k = r.getJsonObject("byKind");
            assertTrue(k.getJsonObject("malformed-offer").containsKey("400"), r.encode());
            assertTrue(count(k, "oversized-body", "413") > 0, r.encode());
            assertTrue(count(k, "bad-origin", "403") > 0, r.encode());
            assertTrue(count(k, "not-json", "415") > 0, r.encode());
            assertTrue(count(k, "bad-token", "401") > 0, r.encode());
            assertTrue(count(k, "unknown-session", "404") > 0, r.encode());
            assertTrue(count(k, "half-open-body", "408") + count(k, "half-open-body", "closed") > 0, r.encode());
            assertEquals(3, count(k, "session-burst", "201"), "3 sessions per address: " + r.encode());
            assertEquals(1, count(k, "session-burst", "429"), "then 429: " + r.encode());
            assertTrue(
                    k.getJsonObject("results-socket")
                            .fieldNames()
                            .iterator()
                            .next()
                            .startsWith("close 10"),
                    "the never-reading socket is closed for its big message: " + r.encode());

            // The load clients' address was never touched by any of it.
            HttpResponse<String> ok = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(url.resolve("/api/stats"))
                                    .header("authorization", "Bearer " + TOKEN)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
        }
    }

    static long count(JsonObject byKind, String kind, String status) {
        JsonObject k = byKind.getJsonObject(kind);
        return k == null ? 0 : k.getLong(status, 0L);
    }
}
