package dev.depthcast.signaling;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable session ids: 128 random bits, base64url. */
final class SessionIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionIds() {}

    public static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static boolean wellFormed(String id) {
        return id != null && id.length() == 22 && id.matches("[A-Za-z0-9_-]+");
    }
}
