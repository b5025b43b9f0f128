package dev.depthcast.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.HSTSHandler;
import io.vertx.ext.web.handler.XFrameHandler;

/**
 * Response headers for every route. The CSP allows only this origin's own files: the page is one
 * bundled script and one stylesheet, with no inline script or style, so no {@code unsafe-inline};
 * {@code connect-src 'self'} covers the API and the same-origin results WebSocket; the camera
 * preview is a {@code mediastream:}/{@code blob:} source. Framing is refused (clickjacking a page
 * that holds the camera), MIME sniffing is off, referrers are not sent (the page URL may carry a
 * token in its fragment, which browsers never send, but keep the path private too). HSTS only over
 * TLS (RFC 6797 says to ignore it on http, and it would pin localhost to https).
 */
public final class SecurityHeaders {

    private SecurityHeaders() {}

    public static void install(Router router, boolean tls, boolean serveSourceMaps) {
        router.route()
                .handler(CSPHandler.create()
                        .setDirective("default-src", "'self'")
                        .addDirective("script-src", "'self'")
                        .addDirective("style-src", "'self'")
                        .addDirective("img-src", "'self' data: blob:")
                        .addDirective("media-src", "'self' blob: mediastream:")
                        .addDirective("connect-src", "'self'")
                        .addDirective("object-src", "'none'")
                        .addDirective("base-uri", "'none'")
                        .addDirective("form-action", "'none'")
                        .addDirective("frame-ancestors", "'none'"));
        router.route().handler(XFrameHandler.create(XFrameHandler.DENY));
        router.route().handler(ctx -> {
            ctx.response()
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cross-Origin-Opener-Policy", "same-origin")
                    .putHeader("Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
            ctx.next();
        });
        if (tls) {
            router.route().handler(HSTSHandler.create(HSTSHandler.DEFAULT_MAX_AGE, false));
        }
        if (!serveSourceMaps) {
            // Source maps show the page's unminified source: not served unless asked (--serve-source-maps).
            router.routeWithRegex(".*\\.map$")
                    .handler(ctx -> ctx.response().setStatusCode(404).end());
        }
    }
}
