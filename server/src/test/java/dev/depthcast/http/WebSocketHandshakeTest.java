package dev.depthcast.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Sec-WebSocket-Key rule of RFC 6455 §4.1/§4.2.1: one header, the base64 of 16 bytes. */
class WebSocketHandshakeTest {

    @Test
    void theRfcsExampleKeyIsUsable() {
        assertNull(WebSocketHandshake.keyRefusal(List.of("dGhlIHNhbXBsZSBub25jZQ==")));
    }

    @Test
    void aKeyWithoutItsPaddingIsRefused() {
        assertNotNull(WebSocketHandshake.keyRefusal(List.of("dGhlIHNhbXBsZSBub25jZQ")));
    }

    @Test
    void aKeyOutsideTheBase64AlphabetIsRefused() {
        assertNotNull(WebSocketHandshake.keyRefusal(List.of("dGhlIHNhbXBsZSBub25jZQ!=")));
    }

    @Test
    void twoKeysAreRefusedEvenWhenBothAreUsable() {
        assertNotNull(WebSocketHandshake.keyRefusal(List.of("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ==")));
    }

    @Test
    void noKeyIsRefused() {
        assertNotNull(WebSocketHandshake.keyRefusal(List.of()));
    }
}
