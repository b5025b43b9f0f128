package dev.depthcast.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How the server and its pages authenticate to TURN: either coturn's time-limited "TURN REST API"
 * scheme ({@code use-auth-secret} + {@code static-auth-secret}: username {@code EXPIRY:ID} with
 * EXPIRY in Unix seconds, password {@code base64(HMAC-SHA1(secret, username))}), or one static
 * long-term user ({@code --turn-user/--turn-pass}, coturn's {@code user=}).
 *
 * <p>The secret never leaves the server: pages get minted, expiring credentials from
 * {@code GET /api/config}. A static user is handed to pages as it is, so it suits closed setups only.
 */
public final class TurnCredentials {

    /** How long a minted credential is valid: coturn refuses refreshes after it, so it bounds a session's life on TURN. */
    public static final Duration REST_LIFETIME = Duration.ofHours(24);

    /** A username/password pair for one client. */
    public record Credential(String username, String password) {}

    private final String secret;
    private final String user;
    private final String pass;

    private TurnCredentials(String secret, String user, String pass) {
        this.secret = secret;
        this.user = user;
        this.pass = pass;
    }

    /** coturn's REST scheme with this shared secret ({@code --turn-secret}). */
    public static TurnCredentials restSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new ConfigException("--turn-secret must not be empty");
        }
        return new TurnCredentials(secret, null, null);
    }

    /** One static long-term user ({@code --turn-user/--turn-pass}). */
    public static TurnCredentials staticUser(String user, String pass) {
        if (user == null || user.isEmpty() || pass == null || pass.isEmpty()) {
            throw new ConfigException("--turn-user and --turn-pass go together, neither empty");
        }
        if (user.indexOf(':') >= 0) {
            throw new ConfigException("--turn-user must not contain ':' (TURN splits user:password on it)");
        }
        return new TurnCredentials(null, user, pass);
    }

    public boolean isRestSecret() {
        return secret != null;
    }

    /** Credentials for {@code id} (who asks: "server", "page"), valid from {@code now} for {@link #REST_LIFETIME}. */
    public Credential issue(String id, Instant now) {
        if (secret == null) {
            return new Credential(user, pass);
        }
        Objects.requireNonNull(id, "id");
        String username = (now.getEpochSecond() + REST_LIFETIME.toSeconds()) + ":" + id;
        return new Credential(username, restPassword(secret, username));
    }

    /** {@code base64(HMAC-SHA1(secret, username))}, as coturn computes it under {@code use-auth-secret}. */
    static String restPassword(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return secret != null ? "TURN REST secret (hidden)" : "TURN user " + user;
    }
}
