package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offer carries the camera's horizontal field of view as {@code hfov} when the client was given one, and
 * nothing when not (the server's {@code --fov} then holds); a server's 400 for it reaches the caller with its reason.
 * Against a stub that records the offer and refuses it.
 */
class OfferFieldOfViewTest {

    static final String REASON = "'hfov' must be 20..150 degrees (horizontal), got 200";
    static HttpServer stub;
    static WebRtcEngine webrtc;
    static URI base;
    static final AtomicReference<JsonObject> offer = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/api/sessions", exchange -> {
            offer.set(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] body = new JsonObject().put("error", REASON).encode().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        base = URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
        webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        if (stub != null) {
            stub.stop(0);
        }
        if (webrtc != null) {
            webrtc.close();
        }
    }

    @Test
    void theOfferCarriesTheFieldOfViewItWasGivenAndTheRefusalComesBackWithItsReason() {
        RefusedException refused = assertThrows(
                RefusedException.class,
                () -> DepthcastClient.connect(
                        webrtc, base, DepthcastClient.Options.of(160, 120, 10).withHfov(70), r -> {}));
        assertEquals(70.0, offer.get().getDouble("hfov"));
        assertEquals("offer", offer.get().getString("type"));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().contains(REASON), refused.getMessage());
    }

    @Test
    void withoutAFieldOfViewTheOfferLeavesItToTheServer() {
        assertThrows(
                RefusedException.class,
                () -> DepthcastClient.connect(webrtc, base, DepthcastClient.Options.of(160, 120, 10), r -> {}));
        assertFalse(offer.get().containsKey("hfov"), offer.get().encode());
    }
}
