package dev.depthcast.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who may use the API: the bearer token (when one is configured), the browser Origin allow-list,
 * the Host check that defeats DNS rebinding on a loopback server, and JSON-only POSTs.
 *
 * <ul>
 *   <li><b>Token</b> on every {@code /api/*} request and {@code /metrics}: {@code Authorization:
 *       Bearer T}; the results WebSocket may carry it as {@code ?token=T} instead (a browser cannot
 *       set headers on a WebSocket). Compared in constant time.</li>
 *   <li><b>Origin</b> on every state-changing request (POST, DELETE, …) and the WebSocket upgrade:
 *       a request from a browser carries an Origin, and it must be an allowed one — by default the
 *       server's own (scheme + the Host the browser used). Requests without an Origin are not from
 *       a web page (curl, the load tester) and are left to the token.</li>
 *   <li><b>Host</b>, on a loopback server without an explicit origin list: only localhost,
 *       127.0.0.0/8 and [::1] — a page on evil.example whose DNS now points at 127.0.0.1 would
 *       otherwise be "same origin" with us.</li>
 *   <li><b>POST bodies are application/json</b>: a cross-site form or {@code text/plain} fetch
 *       cannot send that without a CORS preflight, which this server never grants.</li>
 * </ul>
 */
public final class AccessControl {

    private final List<byte[]> tokenDigests = new ArrayList<>();
    private final List<String> allowedOrigins;
    private final boolean anyOrigin;
    private final boolean loopbackHostsOnly;
    private final boolean tls;

    public AccessControl(SecurityConfig config, boolean loopbackServer, boolean tls) {
        for (String token : config.authTokens()) {
            tokenDigests.add(sha256(token));
        }
        this.anyOrigin = config.allowedOrigins().contains("*");
        this.allowedOrigins = config.allowedOrigins().stream()
                .map(o -> o.toLowerCase(Locale.ROOT))
                .toList();
        this.loopbackHostsOnly = loopbackServer && config.allowedOrigins().isEmpty();
        this.tls = tls;
    }

    /** On every route: the DNS-rebinding guard. */
    public void checkHost(RoutingContext ctx) {
        if (loopbackHostsOnly && !isLoopbackName(hostName(ctx.request()))) {
            refuse(
                    ctx,
                    403,
                    "this server answers only to localhost, 127.0.0.1 or [::1] (it listens on loopback); "
                            + "start it with --allowed-origin to serve other names");
            return;
        }
        ctx.next();
    }

    /** On /api/* and /metrics: token, origin, JSON bodies. */
    public void checkApi(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!tokenDigests.isEmpty() && !hasValidToken(request)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"depthcast\"");
            refuse(
                    ctx,
                    401,
                    "this server needs a token: send 'Authorization: Bearer <token>' "
                            + "(the page takes it from its URL: /#token=<token>)");
            return;
        }
        boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
        boolean changesState = request.method() != HttpMethod.GET
                && request.method() != HttpMethod.HEAD
                && request.method() != HttpMethod.OPTIONS;
        if (changesState || upgrade) {
            String origin = request.getHeader(HttpHeaders.ORIGIN);
            if (origin != null && !originAllowed(origin, request)) {
                refuse(
                        ctx,
                        403,
                        "requests from another web site are not allowed (its origin is not in " + "--allowed-origin)");
                return;
            }
        }
        if (request.method() == HttpMethod.POST) {
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                refuse(ctx, 415, "POST bodies must be JSON with 'Content-Type: application/json'");
                return;
            }
        }
        ctx.next();
    }

    boolean originAllowed(String origin, HttpServerRequest request) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (anyOrigin || allowedOrigins.contains(o)) {
            return true;
        }
        if (!allowedOrigins.isEmpty()) {
            return false;
        }
        HostAndPort authority = request.authority();
        if (authority == null) {
            return false;
        }
        int port = authority.port();
        boolean defaultPort = port < 0 || port == (tls ? 443 : 80);
        String self = (tls ? "https://" : "http://") + bracketed(authority.host()) + (defaultPort ? "" : ":" + port);
        return o.equals(self);
    }

    boolean hasValidToken(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String presented = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        } else if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            presented = request.getParam("token");
        }
        if (presented == null || presented.isEmpty() || presented.length() > 512) {
            return false;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : tokenDigests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    /** The host the client addressed (Host header, or :authority over HTTP/2), lower case, IPv6 in brackets. */
    static String hostName(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        return authority == null ? "" : bracketed(authority.host().toLowerCase(Locale.ROOT));
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    static boolean isLoopbackName(String host) {
        return host.equals("localhost")
                || host.endsWith(".localhost")
                || host.equals("[::1]")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    static void refuse(RoutingContext ctx, int status, String reason) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", reason).encode());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
