package dev.depthcast.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * A request body must arrive within a deadline of its headers: a client trickling a 64 KiB offer
 * a byte at a time (each byte resets the idle timeout) is answered 408 and its connection closed.
 * Mounted before the body handler on the routes that read a body.
 */
public final class BodyDeadline implements Handler<RoutingContext> {

    private final Vertx vertx;
    private final long timeoutMs;

    public BodyDeadline(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMs = Math.max(1, timeout.toMillis());
    }

    @Override
    public void handle(RoutingContext ctx) {
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (!ctx.request().isEnded() && !ctx.response().ended()) {
                if (ctx.request().version() != HttpVersion.HTTP_2) {
                    ctx.response().putHeader("connection", "close"); // a connection header is illegal in h2
                }
                ctx.response()
                        .setStatusCode(408)
                        .putHeader("content-type", "application/json")
                        .end(new JsonObject()
                                .put("error", "request body not received within " + timeoutMs + " ms")
                                .encode())
                        .onComplete(ar -> ctx.request().connection().close());
            }
        });
        ctx.addEndHandler(ar -> vertx.cancelTimer(timer));
        ctx.next();
    }
}
