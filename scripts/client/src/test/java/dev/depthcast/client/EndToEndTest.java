package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.process.Yuv;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.depthcast.wire.PointCloudMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path on the CPU: a webrtc-java client sends synthetic video to the running server and
 * gets point clouds back whose count and colours follow from the frames it sent.
 */
class EndToEndTest {

    static DepthcastServer server;
    static WebRtcEngine clientWebRtc;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = DepthcastServer.start(ServerConfig.defaults());
        base = URI.create("http://127.0.0.1:" + server.port());
        clientWebRtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (clientWebRtc != null) {
            clientWebRtc.close();
        }
    }

    // Left: light grey (Y=180, neutral chroma). Right: saturated blue-ish (Y=80, U=200, V=100).
    static final int[] LEFT = {180, 128, 128};
    static final int[] RIGHT = {80, 200, 100};

    @Test
    void pointCloudsFollowTheFramesSent() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        DepthcastClient.Options options = DepthcastClient.Options.of(640, 480, 15)
                .withPainter(FramePainter.split(LEFT[0], LEFT[1], LEFT[2], RIGHT[0], RIGHT[1], RIGHT[2]));
        io.vertx.core.json.JsonObject delivery = null;
        try (DepthcastClient client = DepthcastClient.connect(clientWebRtc, base, options, results::add)) {
            awaitResults(results, 5, client);
            // The client's acks reach the server: its delivery is measured per session.
            HttpResponse<String> stats = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(base.resolve("/api/stats"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            for (Object o : new io.vertx.core.json.JsonObject(stats.body()).getJsonArray("sessions")) {
                io.vertx.core.json.JsonObject session = (io.vertx.core.json.JsonObject) o;
                if (client.sessionId().startsWith(session.getString("id").replace("…", ""))) {
                    delivery = session.getJsonObject("delivery");
                }
            }
        }
        assertTrue(delivery != null, "the session is in /api/stats");
        assertEquals(true, delivery.getBoolean("acking"), "the Java client acks: " + delivery);
        assertTrue(delivery.getDouble("deliveredPerSec") > 0 && delivery.getLong("bytesPerSec") > 0, delivery.encode());
        assertTrue(delivery.getJsonObject("ackRttMs").getDouble("last") >= 0, delivery.encode());
        assertTrue(delivery.getInteger("unacked") <= delivery.getInteger("window"), delivery.encode());
        PointCloudMessage m = results.get(results.size() - 1).message();
        assertEquals(504, m.grid().width());
        assertEquals(378, m.grid().height());
        assertEquals(2, m.version(), "schema 2 by default");
        // Stride 3 (--stride) unless the link adaptation stepped this client down (a loaded machine).
        assertEquals(
                dev.depthcast.delivery.StrideLadder.from(3).stride(m.serving().level()),
                m.grid().stride());
        int stride = m.grid().stride();
        int grid = ((504 + stride - 1) / stride) * ((378 + stride - 1) / stride);
        int count = m.points().count();
        assertTrue(count > grid * 0.8 && count <= grid, "point count " + count + " of " + grid);
        assertEquals("cpu-onnxruntime", m.serving().backend());
        assertEquals("relief", m.serving().model());
        assertTrue(m.timing().inference() > 0
                && m.timing().preprocess() > 0
                && m.timing().unproject() > 0);
        assertTrue(m.timing().encode() > 0, "encode time is measured");

        int[] leftRgb = rgb(LEFT);
        int[] rightRgb = rgb(RIGHT);
        int leftChecked = 0;
        int rightChecked = 0;
        for (int i = 0; i < m.points().count(); i++) {
            float x = m.points().xyz()[i * 3];
            float z = -m.points().xyz()[i * 3 + 2];
            assertTrue(z >= m.grid().near() - 1e-3 && z <= m.grid().far() + 1e-3, "depth in range");
            // Away from the seam (the codec blurs colour there), colours must match the side.
            if (x < -0.1f * z) {
                assertColour(leftRgb, m.points().rgb(), i);
                leftChecked++;
            } else if (x > 0.1f * z) {
                assertColour(rightRgb, m.points().rgb(), i);
                rightChecked++;
            }
        }
        assertTrue(leftChecked > grid / 4 && rightChecked > grid / 4, leftChecked + " / " + rightChecked);
    }

    @Test
    void oddResolutionWithoutTrickle() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        DepthcastClient.Options options =
                DepthcastClient.Options.of(321, 241, 15).withTrickle(false);
        try (DepthcastClient client = DepthcastClient.connect(clientWebRtc, base, options, results::add)) {
            awaitResults(results, 3, client);
        }
        PointCloudMessage m = results.get(results.size() - 1).message();
        assertTrue(
                m.points().count() > 1000,
                "points from an odd-sized frame: " + m.points().count());
        assertTrue(m.origin().seq() >= 3);
    }

    /**
     * Stride 2 in schema 1 ({@code --wire v1}, still served for one release) makes ~47k points,
     * ~714 KB a message: over the 256 KiB a data channel would take, and the Java client reads it.
     */
    @Test
    void largeCloudsArriveWhole() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .wire(dev.depthcast.wire.WireFormat.V1)
                .unproject(new dev.depthcast.process.UnprojectParams(2, 60f, 0.4f, 4f, 0.1f))
                .build();
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        try (DepthcastServer big = DepthcastServer.start(config);
                DepthcastClient client = DepthcastClient.connect(
                        clientWebRtc,
                        URI.create("http://127.0.0.1:" + big.port()),
                        DepthcastClient.Options.of(640, 480, 10),
                        results::add)) {
            awaitResults(results, 2, client);
        }
        DepthcastClient.Result r = results.get(results.size() - 1);
        assertTrue(r.bytes() > 320_000, "message of " + r.bytes() + " bytes");
        assertEquals(1, r.message().version());
        assertTrue(
                r.message().points().count() > 252 * 189 * 0.8,
                "points " + r.message().points().count());
    }

    /** A client that disappears without a word loses its session; the others are served throughout. */
    @Test
    void vanishedClientIsReapedWhileOthersAreServed() throws Exception {
        List<DepthcastClient.Result> stays = new CopyOnWriteArrayList<>();
        int before = server.metrics().sessions();
        try (DepthcastClient staying =
                DepthcastClient.connect(clientWebRtc, base, DepthcastClient.Options.of(320, 240, 15), stays::add)) {
            DepthcastClient leaving =
                    DepthcastClient.connect(clientWebRtc, base, DepthcastClient.Options.of(320, 240, 15), r -> {});
            awaitResults(stays, 3, staying);
            assertEquals(before + 2, server.metrics().sessions());
            leaving.vanish();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (server.metrics().sessions() > before + 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(before + 1, server.metrics().sessions(), "the vanished session was closed");
            int served = stays.size();
            awaitResults(stays, served + 5, staying);
        }
    }

    @Test
    void unknownSessionIs404() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/candidates"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("no such session"));
    }

    static void awaitResults(List<DepthcastClient.Result> results, int count, DepthcastClient client)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (results.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(
                results.size() >= count,
                "got " + results.size() + " results; state " + client.state() + ", frames pushed "
                        + client.framesPushed() + ", last error " + client.lastError());
    }

    static int[] rgb(int[] yuv) {
        return new int[] {
            Yuv.toByte(Yuv.red(yuv[0], yuv[1], yuv[2])),
            Yuv.toByte(Yuv.green(yuv[0], yuv[1], yuv[2])),
            Yuv.toByte(Yuv.blue(yuv[0], yuv[1], yuv[2]))
        };
    }

    static void assertColour(int[] expected, byte[] rgb, int i) {
        for (int c = 0; c < 3; c++) {
            int got = rgb[i * 3 + c] & 0xff;
            assertTrue(
                    Math.abs(got - expected[c]) <= 12,
                    "point " + i + " channel " + c + ": " + got + " vs " + expected[c]);
        }
    }
}
