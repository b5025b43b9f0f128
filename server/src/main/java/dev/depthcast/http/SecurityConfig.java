package dev.depthcast.http;

import dev.depthcast.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * Who may use the server and how much of it one client may take: the settings of
 * docs/security.md, each with its flag. Kept apart from {@code ServerConfig} (what the server
 * computes) so either can change without the other.
 *
 * @param authTokens bearer tokens accepted on the API and the results WebSocket; empty: no token needed
 * @param allowedOrigins browser origins allowed to POST/DELETE and open the results socket; empty:
 *                       the server's own origin only
 * @param adminPort port for /metrics and /api/stats on 127.0.0.1 (then not on the public port);
 *                  -1: none (they stay on the public port, behind the token when there is one)
 * @param maxSessionsPerIp sessions one address may hold at once
 * @param sessionsPerMinutePerIp new sessions one address may create a minute (also the burst)
 * @param maxConnections open connections in all; past it a connection gets a 503 and is closed
 * @param maxConnectionsPerIp open connections from one address
 * @param idleTimeout a connection with no traffic either way is closed after this
 * @param headerTimeout a request's headers must arrive within this of the connection (or the last response)
 * @param bodyTimeout a request's body must arrive within this of its headers
 * @param serveSourceMaps serve *.map files from the web root (off: 404)
 */
public record SecurityConfig(
        List<String> authTokens,
        List<String> allowedOrigins,
        int adminPort,
        int maxSessionsPerIp,
        int sessionsPerMinutePerIp,
        int maxConnections,
        int maxConnectionsPerIp,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        boolean serveSourceMaps) {

    /** {@code --admin-port}: none, /metrics and /api/stats stay on the public port. */
    public static final int DEFAULT_ADMIN_PORT = -1;

    public static final int DEFAULT_MAX_SESSIONS_PER_IP = 8;
    public static final int DEFAULT_SESSIONS_PER_MINUTE = 30;
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 64;
    public static final int DEFAULT_IDLE_TIMEOUT_S = 60;
    /** {@code --request-timeout-s}: for a request's headers, and then for its body. */
    public static final int DEFAULT_REQUEST_TIMEOUT_S = 10;

    /** @throws ConfigException naming the flag whose value is wrong */
    public SecurityConfig {
        authTokens = List.copyOf(authTokens);
        allowedOrigins = List.copyOf(allowedOrigins);
        for (String token : authTokens) {
            if (token.length() < 16 || !token.matches("[A-Za-z0-9._~+/=-]+")) {
                throw new ConfigException("an auth token must be at least 16 characters of letters, digits "
                        + "and . _ ~ + / = - (e.g. openssl rand -base64 24)");
            }
        }
        for (String origin : allowedOrigins) {
            if (!origin.equals("*") && !origin.matches("https?://[A-Za-z0-9.\\[\\]:-]+")) {
                throw new ConfigException(
                        "--allowed-origin must be scheme://host[:port] with no path, got '" + origin + "'");
            }
        }
        positive(maxSessionsPerIp, "--max-sessions-per-ip");
        positive(sessionsPerMinutePerIp, "--sessions-per-minute");
        positive(maxConnections, "--max-connections");
        positive(maxConnectionsPerIp, "--max-connections-per-ip");
        if (adminPort < -1 || adminPort > 65535) {
            throw new ConfigException("--admin-port must be 0..65535");
        }
    }

    /** The defaults of docs/security.md: no token, own origin only, limits for a small public server. */
    public static SecurityConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    public boolean authRequired() {
        return !authTokens.isEmpty();
    }

    /** Collects the values, each starting at its {@code DEFAULT_*}; {@link #build()} checks them. */
    public static final class Builder {
        private List<String> authTokens = List.of();
        private List<String> allowedOrigins = List.of();
        private int adminPort = DEFAULT_ADMIN_PORT;
        private int maxSessionsPerIp = DEFAULT_MAX_SESSIONS_PER_IP;
        private int sessionsPerMinutePerIp = DEFAULT_SESSIONS_PER_MINUTE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_S);
        private Duration headerTimeout = Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_S);
        private Duration bodyTimeout = Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_S);
        private boolean serveSourceMaps;

        private Builder() {}

        public Builder authTokens(List<String> value) {
            authTokens = value;
            return this;
        }

        public Builder allowedOrigins(List<String> value) {
            allowedOrigins = value;
            return this;
        }

        public Builder adminPort(int value) {
            adminPort = value;
            return this;
        }

        public Builder sessionLimits(int perIp, int perMinute) {
            maxSessionsPerIp = perIp;
            sessionsPerMinutePerIp = perMinute;
            return this;
        }

        public Builder connectionLimits(int total, int perIp) {
            maxConnections = total;
            maxConnectionsPerIp = perIp;
            return this;
        }

        public Builder timeouts(Duration idle, Duration header, Duration body) {
            idleTimeout = idle;
            headerTimeout = header;
            bodyTimeout = body;
            return this;
        }

        public Builder serveSourceMaps(boolean value) {
            serveSourceMaps = value;
            return this;
        }

        /** @throws ConfigException naming the flag whose value is wrong */
        public SecurityConfig build() {
            return new SecurityConfig(
                    authTokens,
                    allowedOrigins,
                    adminPort,
                    maxSessionsPerIp,
                    sessionsPerMinutePerIp,
                    maxConnections,
                    maxConnectionsPerIp,
                    idleTimeout,
                    headerTimeout,
                    bodyTimeout,
                    serveSourceMaps);
        }
    }

    private static void positive(int value, String flag) {
        if (value < 1) {
            throw new ConfigException(flag + " must be >= 1");
        }
    }
}
