package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's results socket ({@link WebSocketResultSink}) against real WebSocket clients: a client
 * that stops reading gets the newest result when it resumes, never a backlog. (Its latest-wins
 * state machine is unit-tested in the server module; here the socket, the JDK client and Vert.x.)
 */
class ResultSocketTest {

    static final int MESSAGE = 330_000;
    static Vertx vertx;
    static HttpServer server;
    static volatile WebSocketResultSink sink;
    static ClientDrops drops;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        // As the server does: attach once the upgrade is complete.
        server = vertx.createHttpServer()
                .requestHandler(req -> req.toWebSocket().onSuccess(ws -> sink.attach(ws)))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void newSink() {
        drops = new ClientDrops(new PipelineMetrics());
        sink = new WebSocketResultSink(vertx, new PipelineMetrics(), drops);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    static byte[] message(int index) {
        byte[] m = new byte[MESSAGE];
        ByteBuffer.wrap(m).putInt(index);
        m[MESSAGE - 1] = (byte) index;
        return m;
    }

    /**
     * A client that reads nothing for a while: the JDK client reads from its socket only while it has
     * demand, so holding back {@code request} stalls the TCP stream as a slow link does.
     */
    @Test
    void slowClientGetsTheNewestResultNotAQueue() throws Exception {
        List<Integer> received = new CopyOnWriteArrayList<>();
        WholeMessages whole = new WholeMessages(
                b -> {
                    assertEquals(MESSAGE, b.length, "whole message, however large");
                    assertEquals((byte) ByteBuffer.wrap(b).getInt(), b[MESSAGE - 1]);
                    received.add(ByteBuffer.wrap(b).getInt());
                },
                text -> {});
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.actualPort() + "/"), new PausedAtOpen(whole))
                .get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        int published = 200;
        for (int i = 1; i <= published; i++) {
            sink.publish(message(i));
            Thread.sleep(1);
        }
        Thread.sleep(300);
        ws.request(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((received.isEmpty() || received.get(received.size() - 1) != published) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(published, received.get(received.size() - 1), "the newest result arrives last");
        assertTrue(received.size() < published / 4, "most stale results were superseded, got " + received.size());
        assertTrue(drops.count(Drop.RESULT_SUPERSEDED) >= published - received.size() - 1);
        for (int i = 1; i < received.size(); i++) {
            assertTrue(received.get(i) > received.get(i - 1), "in order, none repeated");
        }
        ws.abort();
    }

    /** Opens without asking for a message; the test's first {@code request} starts the reading. */
    private record PausedAtOpen(WholeMessages whole) implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket ws) {}

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            return whole.onBinary(ws, data, last);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            return whole.onText(ws, data, last);
        }
    }

    /**
     * The server writes the pending result right after the upgrade; a client must take data that
     * follows the 101 at once (browsers and the JDK client do).
     */
    @Test
    void resultsWaitForTheSocketOnlyAsTheNewestOne() throws Exception {
        sink.publish(message(1));
        sink.publish(message(2));
        assertEquals(1, drops.count(Drop.RESULT_SUPERSEDED));
        List<Integer> received = new CopyOnWriteArrayList<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + server.actualPort() + "/"),
                        new WholeMessages(
                                whole -> {
                                    assertEquals(MESSAGE, whole.length);
                                    received.add(ByteBuffer.wrap(whole).getInt());
                                },
                                text -> {}))
                .get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertEquals(List.of(2), received);
        ws.abort();
    }
}
