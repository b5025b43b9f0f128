package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.delivery.ClientLink;
import dev.depthcast.delivery.DenseChannel;
import dev.depthcast.delivery.StrideLadder;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Delivery paced by the client's acks, over a real loopback WebSocket: a 30 fps producer, a client
 * that acks late, and the server's sink with a real {@link ClientLink}. At most the ack window
 * (2) is ever unacknowledged, results arrive fresh rather than queued, and the link adaptation
 * steps the sampling down while the client is slow and back up when it is quick again.
 */
class PacedDeliveryTest {

    static Vertx vertx;
    static HttpServer server;
    static volatile WebSocketResultSink sink;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(req -> req.toWebSocket().onSuccess(ws -> sink.attach(ws)))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** A client that acks each result {@code ackDelayMs} after it arrived (changeable while running). */
    static final class LateAcker {
        final AtomicLong ackDelayMs;
        final AtomicInteger received = new AtomicInteger();
        final AtomicLong lastSeq = new AtomicLong(-1);
        final AtomicInteger lastBytes = new AtomicInteger();
        final AtomicInteger maxStaleness = new AtomicInteger();
        final ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor();
        final AtomicLong published;
        WebSocket ws;
        CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        LateAcker(long delayMs, AtomicLong published) {
            this.ackDelayMs = new AtomicLong(delayMs);
            this.published = published;
        }

        void connect() throws Exception {
            WholeMessages listener = new WholeMessages(
                    bytes -> {
                        long seq = ByteBuffer.wrap(bytes).getLong();
                        received.incrementAndGet();
                        lastSeq.set(seq);
                        lastBytes.set(bytes.length);
                        maxStaleness.accumulateAndGet((int) (published.get() - seq), Math::max);
                        acks.schedule(
                                () -> {
                                    sending = sending.thenCompose(
                                            v -> ws.sendText("{\"type\":\"ack\",\"seq\":" + seq + "}", true));
                                },
                                ackDelayMs.get(),
                                TimeUnit.MILLISECONDS);
                    },
                    text -> {});
            ws = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.actualPort() + "/"), listener)
                    .get(10, TimeUnit.SECONDS);
        }

        void close() {
            acks.shutdownNow();
            ws.abort();
        }
    }

    /** Publishes at 30 fps, as the delivery stage does: the size follows the link's stride (~30 KB at 3). */
    static ScheduledExecutorService produce(ClientLink link, AtomicLong published) {
        ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
        producer.scheduleAtFixedRate(
                () -> {
                    long seq = published.incrementAndGet();
                    int stride = link.stride();
                    byte[] bytes = new byte[270_000 / (stride * stride)];
                    ByteBuffer.wrap(bytes).putLong(seq);
                    sink.publish(bytes, seq, link.levelOf(stride));
                },
                0,
                33_333,
                TimeUnit.MICROSECONDS);
        return producer;
    }

    @Test
    void atMostTheWindowIsUnacknowledgedAndResultsArriveFresh() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics();
        ClientLink link = new ClientLink(new StrideLadder(new int[] {3}), metrics, "paced");
        sink = new WebSocketResultSink(vertx, metrics, new ClientDrops(metrics), link, DenseChannel.none());
        AtomicLong published = new AtomicLong();
        LateAcker client = new LateAcker(150, published);
        client.connect();
        ScheduledExecutorService producer = produce(link, published);
        int maxUnacked = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            maxUnacked = Math.max(maxUnacked, (Integer) link.summary().get("unacked"));
            Thread.sleep(2);
        }
        producer.shutdownNow();
        client.close();
        long made = published.get();
        int got = client.received.get();
        Map<String, Object> summary = link.summary();
        assertTrue(maxUnacked <= ClientLink.WINDOW, "unacknowledged at most the window, saw " + maxUnacked);
        assertTrue(
                got < made * 0.6, "a client acking every 150 ms gets fewer results than made: " + got + " of " + made);
        assertTrue(got >= 10, "but it gets results: " + got);
        // One result in the client's hands, one on its way, the newest waiting: never a backlog of old ones.
        assertTrue(client.maxStaleness.get() <= 8, "results arrive fresh, staleness " + client.maxStaleness.get());
        assertEquals(true, summary.get("acking"));
        assertTrue((Double) summary.get("deliveredPerSec") > 3, "delivered rate measured: " + summary);
        assertTrue(
                metrics.scrape().contains("depthcast_client_ack_rtt_seconds_count{session=\"paced\"}"),
                "per-client ack RTT on /metrics");
        link.close();
        assertTrue(!metrics.scrape().contains("session=\"paced\""), "a closed client's series are removed");
    }

    @Test
    void aSlowClientIsSteppedDownAndBackUpWhenItRecovers() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics();
        ClientLink link = new ClientLink(StrideLadder.from(3), metrics, "adapt");
        sink = new WebSocketResultSink(vertx, metrics, new ClientDrops(metrics), link, DenseChannel.none());
        AtomicLong published = new AtomicLong();
        LateAcker client = new LateAcker(150, published);
        client.connect();
        ScheduledExecutorService producer = produce(link, published);
        try {
            int denseBytes = 270_000 / 9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (link.level() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(link.level() >= 1, "a client that can take only ~13 of 30 results/s is stepped down");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (client.lastBytes.get() >= denseBytes && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(client.lastBytes.get() < denseBytes, "its results got smaller: " + client.lastBytes.get());

            // The client keeps up again: one level up per hold (3 s; doubled after a step up that had to
            // be taken back, which a starved machine can cause — so here: at least one step up).
            client.ackDelayMs.set(0);
            // The last second of slow acks may still take it one level lower: the lowest it goes
            // in the 1.5 s after the switch is where the climb starts.
            int low = link.level();
            long settle = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < settle) {
                low = Math.max(low, link.level());
                Thread.sleep(20);
            }
            int smallest = client.lastBytes.get();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (link.level() >= low && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(link.level() < low, "stepped back up once the client keeps up: " + link.summary());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (client.lastBytes.get() <= smallest && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(client.lastBytes.get() > smallest, "denser results again: " + client.lastBytes.get());
        } finally {
            producer.shutdownNow();
            client.close();
            link.close();
        }
    }
}
