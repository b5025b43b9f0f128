package dev.depthcast.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Base64;
import java.util.List;

/**
 * The check RFC 6455 §4.2.1 asks of a server before it answers an upgrade, which Vert.x (Netty)
 * leaves out: the request carries exactly one {@code Sec-WebSocket-Key}, the base64 of 16 bytes.
 * Netty refuses a missing key but upgrades an empty or malformed one; such a client is broken or
 * probing, and answering it 101 tells it nothing.
 */
public final class WebSocketHandshake {

    /** A key is the base64 of this many bytes (RFC 6455 §4.1), 24 characters with its padding. */
    static final int KEY_BYTES = 16;

    private static final int KEY_CHARS = 24;
    private static final String KEY_HEADER = "Sec-WebSocket-Key";

    private WebSocketHandshake() {}

    /**
     * Why {@code request} may not be upgraded, for a 400, or null when its key is usable. HTTP/2
     * requests pass: a WebSocket over HTTP/2 (RFC 8441) carries no key.
     */
    public static String refusal(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return null;
        }
        return keyRefusal(request.headers().getAll(KEY_HEADER));
    }

    /** The check on the request's {@code Sec-WebSocket-Key} values, in the order they came. */
    static String keyRefusal(List<String> keys) {
        if (keys.size() != 1) {
            return keys.isEmpty()
                    ? "a WebSocket handshake needs a Sec-WebSocket-Key header (RFC 6455 4.1)"
                    : "a WebSocket handshake has one Sec-WebSocket-Key header, this one has " + keys.size();
        }
        String key = keys.get(0).strip();
        boolean usable = key.length() == KEY_CHARS;
        if (usable) {
            try {
                usable = Base64.getDecoder().decode(key).length == KEY_BYTES;
            } catch (IllegalArgumentException e) {
                usable = false;
            }
        }
        return usable ? null : "Sec-WebSocket-Key must be the base64 of 16 bytes (RFC 6455 4.1)";
    }
}
