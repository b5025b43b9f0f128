package dev.depthcast.out;

import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.metrics.PipelineMetrics.Stage;
import dev.depthcast.metrics.WallClock;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client's results WebSocket with latest-result-wins delivery: one result in flight at most, and
 * while the socket is busy (or not yet open) only the newest unsent result is kept — a slow
 * client sees fresh clouds at a lower rate, never a growing queue. Results are handed over from
 * the fan-out thread; all socket work happens on the socket's event loop.
 */
public final class WebSocketResultSink implements ResultSink {

    private final Vertx vertx;
    private final PipelineMetrics metrics;
    private final AtomicReference<byte[]> newest = new AtomicReference<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicLong superseded = new AtomicLong();
    private volatile ServerWebSocket socket;
    private volatile Context context;
    private boolean inFlight;
    private boolean replyPending;
    private final AtomicLong repliesSkipped = new AtomicLong();
    private long lastErrorNanos;

    public WebSocketResultSink(Vertx vertx, PipelineMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** Attaches the client's socket (on its event loop). A second socket replaces the first. */
    public void attach(ServerWebSocket ws) {
        ServerWebSocket previous = socket;
        context = vertx.getOrCreateContext();
        socket = ws;
        inFlight = false;
        if (previous != null && previous != ws) {
            previous.close((short) 4000, "replaced by a newer connection");
        }
        ws.textMessageHandler(text -> answerPing(ws, text));
        replyPending = false;
        ws.closeHandler(v -> {
            if (socket == ws) {
                socket = null;
            }
        });
        ws.drainHandler(v -> flush());
        // First write on the next turn of the loop, after the upgrade has fully completed.
        context.runOnContext(v -> flush());
    }

    @Override
    public void publish(byte[] message) {
        if (newest.getAndSet(message) != null) {
            superseded.incrementAndGet();
            metrics.dropped(Drop.RESULT_SUPERSEDED, 1);
        }
        scheduleFlush();
    }

    @Override
    public void error(String message) {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.runOnContext(v -> {
            ServerWebSocket ws = socket;
            long now = System.nanoTime();
            // At most one error a second: a failing model at 30 fps must not flood the page.
            if (ws != null && !ws.isClosed() && !replyPending && now - lastErrorNanos > 1_000_000_000L) {
                lastErrorNanos = now;
                replyPending = true;
                ws.writeTextMessage(new JsonObject().put("type", "error").put("message", message).encode())
                        .onComplete(ar -> replyPending = false);
            }
        });
    }

    @Override
    public long superseded() {
        return superseded.get();
    }

    public void close() {
        ServerWebSocket ws = socket;
        Context ctx = context;
        if (ws != null && ctx != null) {
            ctx.runOnContext(v -> ws.close((short) 1000, "session closed"));
        }
    }

    private void scheduleFlush() {
        Context ctx = context;
        if (ctx != null && flushScheduled.compareAndSet(false, true)) {
            ctx.runOnContext(v -> {
                flushScheduled.set(false);
                flush();
            });
        }
    }

    /** On the socket's event loop: send the newest result if the socket can take it. */
    private void flush() {
        ServerWebSocket ws = socket;
        if (ws == null || ws.isClosed() || inFlight || ws.writeQueueFull()) {
            return;
        }
        byte[] message = newest.getAndSet(null);
        if (message == null) {
            return;
        }
        inFlight = true;
        long t0 = System.nanoTime();
        ws.writeBinaryMessage(Buffer.buffer(message)).onComplete(ar -> {
            inFlight = false;
            if (ar.succeeded()) {
                metrics.stage(Stage.SEND, (System.nanoTime() - t0) / 1e6);
                metrics.resultSent();
            }
            flush();
        });
    }

    /**
     * On the socket's event loop. At most one reply is ever waiting to be sent: a client that sends
     * pings and never reads gets no more replies, so its pings cannot grow the server's buffers.
     */
    private void answerPing(ServerWebSocket ws, String text) {
        if (replyPending || ws.writeQueueFull()) {
            repliesSkipped.incrementAndGet();
            return;
        }
        JsonObject reply;
        try {
            JsonObject ping = new JsonObject(text);
            if (!"ping".equals(ping.getValue("type"))) {
                return;
            }
            Object t = ping.getValue("t");
            // Echo a number only: the reply stays small whatever the client put in its ping.
            reply = new JsonObject().put("type", "pong").put("t", t instanceof Number ? t : null)
                    .put("server", WallClock.epochMicros());
        } catch (RuntimeException e) {
            reply = new JsonObject().put("type", "error").put("message", "text messages must be JSON pings");
        }
        replyPending = true;
        ws.writeTextMessage(reply.encode()).onComplete(ar -> replyPending = false);
    }

    /** Ping replies not sent because the client had not read the previous one. */
    public long repliesSkipped() {
        return repliesSkipped.get();
    }
}
