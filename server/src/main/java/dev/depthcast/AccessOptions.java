package dev.depthcast;

import dev.depthcast.config.ConfigException;
import dev.depthcast.http.SecurityConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags of docs/security.md — tokens, origins, the admin port, per-address and connection
 * limits, timeouts — as a picocli mixin of {@link ServeCommand}, and the {@link SecurityConfig}
 * they describe. Each default is the {@code SecurityConfig.DEFAULT_*} its builder starts from.
 */
final class AccessOptions {

    @Option(
            names = "--auth-token",
            paramLabel = "TOKEN",
            description = "require this bearer token on the API and the results socket (repeatable; the page takes "
                    + "it from its URL: /#token=TOKEN). Prefer --auth-file: a flag shows in ps")
    List<String> authTokens = new ArrayList<>();

    @Option(names = "--auth-file", paramLabel = "FILE", description = "read tokens from FILE, one a line (# comments)")
    Path authFile;

    @Option(names = "--no-auth", description = "serve a non-loopback --host without a token (not recommended)")
    boolean noAuth;

    @Option(
            names = "--allowed-origin",
            paramLabel = "ORIGIN",
            description = "browser origin allowed to create sessions and open results sockets, e.g. "
                    + "https://cam.example.org (repeatable; default: the server's own origin)")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(
            names = "--admin-port",
            defaultValue = "" + SecurityConfig.DEFAULT_ADMIN_PORT,
            description = "serve /metrics and /api/stats on 127.0.0.1:PORT only, not on --port (default: off)")
    int adminPort;

    @Option(
            names = "--max-sessions-per-ip",
            defaultValue = "" + SecurityConfig.DEFAULT_MAX_SESSIONS_PER_IP,
            description = "sessions one address may hold at once (default: ${DEFAULT-VALUE})")
    int maxSessionsPerIp;

    @Option(
            names = "--sessions-per-minute",
            defaultValue = "" + SecurityConfig.DEFAULT_SESSIONS_PER_MINUTE,
            description = "new sessions one address may create a minute (default: ${DEFAULT-VALUE})")
    int sessionsPerMinute;

    @Option(
            names = "--max-connections",
            defaultValue = "" + SecurityConfig.DEFAULT_MAX_CONNECTIONS,
            description = "open connections in all, kept under half of ulimit -n (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(
            names = "--max-connections-per-ip",
            defaultValue = "" + SecurityConfig.DEFAULT_MAX_CONNECTIONS_PER_IP,
            description = "open connections from one address (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerIp;

    @Option(
            names = "--idle-timeout-s",
            defaultValue = "" + SecurityConfig.DEFAULT_IDLE_TIMEOUT_S,
            description = "close a connection silent both ways this long (default: ${DEFAULT-VALUE})")
    int idleTimeoutS;

    @Option(
            names = "--request-timeout-s",
            defaultValue = "" + SecurityConfig.DEFAULT_REQUEST_TIMEOUT_S,
            description =
                    "a request's headers, and then its body, must each arrive within this (default: ${DEFAULT-VALUE})")
    int requestTimeoutS;

    @Option(names = "--serve-source-maps", description = "serve the page's *.map files (default: 404)")
    boolean serveSourceMaps;

    /** {@code --auth-token}s and the tokens of {@code --auth-file}, one a line (# comments). */
    List<String> authTokens() throws IOException {
        List<String> tokens = new ArrayList<>(authTokens);
        if (authFile != null) {
            if (!Files.isReadable(authFile)) {
                throw new ConfigException("--auth-file " + authFile + ": no such readable file");
            }
            for (String line : Files.readAllLines(authFile)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    tokens.add(t);
                }
            }
            if (tokens.isEmpty()) {
                throw new ConfigException("--auth-file " + authFile + " has no token in it");
            }
        }
        return tokens;
    }

    /** The access settings the flags describe. */
    SecurityConfig toSecurityConfig() throws IOException {
        Duration request = Duration.ofSeconds(requestTimeoutS);
        return SecurityConfig.builder()
                .authTokens(authTokens())
                .allowedOrigins(allowedOrigins)
                .adminPort(adminPort)
                .sessionLimits(maxSessionsPerIp, sessionsPerMinute)
                .connectionLimits(maxConnections, maxConnectionsPerIp)
                .timeouts(Duration.ofSeconds(idleTimeoutS), request, request)
                .serveSourceMaps(serveSourceMaps)
                .build();
    }
}
