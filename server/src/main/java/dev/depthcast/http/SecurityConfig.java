package dev.depthcast.http;

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
public record SecurityConfig(List<String> authTokens, List<String> allowedOrigins, int adminPort,
                             int maxSessionsPerIp, int sessionsPerMinutePerIp, int maxConnections,
                             int maxConnectionsPerIp, Duration idleTimeout, Duration headerTimeout,
                             Duration bodyTimeout, boolean serveSourceMaps) {

    public SecurityConfig {
        authTokens = List.copyOf(authTokens);
        allowedOrigins = List.copyOf(allowedOrigins);
        for (String token : authTokens) {
            if (token.length() < 16 || !token.matches("[A-Za-z0-9._~+/=-]+")) {
                throw new IllegalArgumentException("an auth token must be at least 16 characters of letters, digits "
                        + "and . _ ~ + / = - (e.g. openssl rand -base64 24)");
            }
        }
        for (String origin : allowedOrigins) {
            if (!origin.equals("*") && !origin.matches("https?://[A-Za-z0-9.\\[\\]:-]+")) {
                throw new IllegalArgumentException("--allowed-origin must be scheme://host[:port] with no path, got '"
                        + origin + "'");
            }
        }
        positive(maxSessionsPerIp, "--max-sessions-per-ip");
        positive(sessionsPerMinutePerIp, "--sessions-per-minute");
        positive(maxConnections, "--max-connections");
        positive(maxConnectionsPerIp, "--max-connections-per-ip");
        if (adminPort < -1 || adminPort > 65535) {
            throw new IllegalArgumentException("--admin-port must be 0..65535");
        }
    }

    /** The defaults of docs/security.md: no token, own origin only, limits for a small public server. */
    public static SecurityConfig defaults() {
        return new SecurityConfig(List.of(), List.of(), -1, 8, 30, 1024, 64, Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(10), false);
    }

    public boolean authRequired() {
        return !authTokens.isEmpty();
    }

    public SecurityConfig withAuthTokens(List<String> tokens) {
        return new SecurityConfig(tokens, allowedOrigins, adminPort, maxSessionsPerIp, sessionsPerMinutePerIp,
                maxConnections, maxConnectionsPerIp, idleTimeout, headerTimeout, bodyTimeout, serveSourceMaps);
    }

    public SecurityConfig withAllowedOrigins(List<String> origins) {
        return new SecurityConfig(authTokens, origins, adminPort, maxSessionsPerIp, sessionsPerMinutePerIp,
                maxConnections, maxConnectionsPerIp, idleTimeout, headerTimeout, bodyTimeout, serveSourceMaps);
    }

    public SecurityConfig withAdminPort(int port) {
        return new SecurityConfig(authTokens, allowedOrigins, port, maxSessionsPerIp, sessionsPerMinutePerIp,
                maxConnections, maxConnectionsPerIp, idleTimeout, headerTimeout, bodyTimeout, serveSourceMaps);
    }

    public SecurityConfig withSessionLimits(int perIp, int perMinute) {
        return new SecurityConfig(authTokens, allowedOrigins, adminPort, perIp, perMinute,
                maxConnections, maxConnectionsPerIp, idleTimeout, headerTimeout, bodyTimeout, serveSourceMaps);
    }

    public SecurityConfig withConnectionLimits(int total, int perIp, Duration idle, Duration header, Duration body) {
        return new SecurityConfig(authTokens, allowedOrigins, adminPort, maxSessionsPerIp, sessionsPerMinutePerIp,
                total, perIp, idle, header, body, serveSourceMaps);
    }

    public SecurityConfig withSourceMaps(boolean serve) {
        return new SecurityConfig(authTokens, allowedOrigins, adminPort, maxSessionsPerIp, sessionsPerMinutePerIp,
                maxConnections, maxConnectionsPerIp, idleTimeout, headerTimeout, bodyTimeout, serve);
    }

    private static void positive(int value, String flag) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + " must be >= 1");
        }
    }
}
