package dev.depthcast.delivery;

import dev.depthcast.http.WebSocketMessageLimit;
import dev.depthcast.metrics.ClientDrops;
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

/**
 * A client's results WebSocket, paced by what the client has really received: a result is written
 * only when the client has room in its ack window ({@link ClientLink}, docs/protocol.md "Acks")
 * and the socket has taken the previous write; until then only the newest unsent result is kept
 * ({@link LatestWins}) — never a queue. Results are handed over from the fan-out thread; all
 * socket work happens on the socket's event loop.
 */
public final class WebSocketResultSink implements ResultSink {

    /** An encoded result and what its ack is matched against. */
    private record Outgoing(byte[] bytes, long seq, int level) {}

    private final Vertx vertx;
    private final PipelineMetrics metrics;
    private final ClientDrops drops;
    private final ClientLink link;
    private final DenseChannel dense;
    private final LatestWins<Outgoing> results = new LatestWins<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean closed;
    private volatile ServerWebSocket socket;
    private volatile Context context;
    private boolean replyPending;
    private final AtomicLong repliesSkipped = new AtomicLong();
    private long lastErrorNanos;

    /**
     * Close code: this node is draining (shutting down or scaled in); reconnect at once — a new
     * session through the load balancer lands on another node. docs/protocol.md.
     */
    public static final short CLOSE_DRAINING = 4001;

    /** A sink whose link never adapts the sampling (tests). */
    public WebSocketResultSink(Vertx vertx, PipelineMetrics metrics, ClientDrops drops) {
        this(vertx, metrics, drops, ClientLink.fixed(), DenseChannel.none());
    }

    /** @param dense the session's dense channel, which the page's {@code dense} messages switch */
    public WebSocketResultSink(
            Vertx vertx, PipelineMetrics metrics, ClientDrops drops, ClientLink link, DenseChannel dense) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.drops = drops;
        this.link = link;
        this.dense = dense;
    }

    public ClientLink link() {
        return link;
    }

    /** Attaches the client's socket (on its event loop). A second socket replaces the first. */
    public void attach(ServerWebSocket ws) {
        ServerWebSocket previous = socket;
        context = vertx.getOrCreateContext();
        socket = ws;
        results.release();
        if (previous != null && previous != ws) {
            previous.close((short) 4000, "replaced by a newer connection");
        }
        // Not textMessageHandler: past Vert.x's message limit the client would get no close frame.
        WebSocketMessageLimit.install(ws, text -> onText(ws, text));
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
        publish(message, -1, 0);
    }

    @Override
    public void publish(byte[] message, long seq, int level) {
        long now = System.nanoTime();
        link.produced(now);
        if (results.offer(new Outgoing(message, seq, level))) {
            drops.add(Drop.RESULT_SUPERSEDED);
            link.superseded(now);
        }
        scheduleFlush();
    }

    @Override
    public void error(String reason) {
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
                ws.writeTextMessage(new JsonObject()
                                .put("type", "error")
                                .put("message", reason)
                                .encode())
                        .onComplete(ar -> replyPending = false);
            }
        });
    }

    /** True once the session closed ({@link #close}). */
    @Override
    public boolean clientGone() {
        return closed;
    }

    /** The session ended: close the socket; results still on their way are dropped as client-gone. */
    public void close() {
        close((short) 1000, "session closed");
    }

    /**
     * The server cannot go on (the GPU faulted): close with 1011 and the reason, which the page
     * shows (a close reason is at most 123 bytes, so it is cut to fit).
     */
    public void fail(String reason) {
        close((short) 1011, reason);
    }

    /**
     * Closes the socket with {@code code} and {@code reason} (at most 123 bytes: cut to fit), e.g.
     * {@link #CLOSE_DRAINING}; results still on their way are dropped as client-gone.
     */
    public void close(short code, String reason) {
        closed = true;
        String fitted = reason.length() > 120 ? reason.substring(0, 119) + "…" : reason;
        link.close();
        ServerWebSocket ws = socket;
        Context ctx = context;
        if (ws != null && ctx != null) {
            ctx.runOnContext(v -> {
                if (!ws.isClosed()) {
                    ws.close(code, fitted);
                }
            });
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

    /** On the socket's event loop: send the newest result if the client and the socket have room. */
    private void flush() {
        ServerWebSocket ws = socket;
        if (ws == null || ws.isClosed()) {
            return;
        }
        long now = System.nanoTime();
        Outgoing next = results.next(!ws.writeQueueFull() && link.hasRoom(now));
        if (next == null) {
            return;
        }
        link.sent(next.seq(), next.bytes().length, next.level(), now);
        ws.writeBinaryMessage(Buffer.buffer(next.bytes())).onComplete(ar -> {
            results.release();
            if (ar.succeeded()) {
                metrics.stage(Stage.SEND, (System.nanoTime() - now) / 1e6);
                metrics.resultSent();
            }
            flush();
        });
    }

    /**
     * Text from the client: result acks and dense switches (answered with nothing) and clock-sync
     * pings (docs/protocol.md).
     */
    private void onText(ServerWebSocket ws, String text) {
        JsonObject message = null;
        try {
            message = new JsonObject(text);
        } catch (RuntimeException e) {
            // answered by answerPing as not JSON
        }
        if (message != null && "ack".equals(message.getValue("type"))) {
            Object seq = message.getValue("seq");
            link.ack(seq instanceof Number number ? number.longValue() : -1, System.nanoTime());
            flush();
            return;
        }
        if (message != null && "dense".equals(message.getValue("type"))) {
            // The page's switch, or its fallback when the track stalled: schema 2 until it asks again.
            dense.want(Boolean.TRUE.equals(message.getValue("on")));
            return;
        }
        answerPing(ws, text);
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
            reply = new JsonObject()
                    .put("type", "pong")
                    .put("t", t instanceof Number ? t : null)
                    .put("server", WallClock.epochMicros());
        } catch (RuntimeException e) {
            reply = new JsonObject().put("type", "error").put("message", "text messages must be JSON pings or acks");
        }
        replyPending = true;
        ws.writeTextMessage(reply.encode()).onComplete(ar -> replyPending = false);
    }

    /** Ping replies not sent because the client had not read the previous one. */
    public long repliesSkipped() {
        return repliesSkipped.get();
    }
}
