package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.DenseMode;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.signaling.SessionFactory;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.depthcast.wire.DenseLayout;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Negotiating the dense video track (docs/protocol.md, "Dense frames") with a real server and a
 * webrtc-java client: an offer with a receive-only video transceiver gets the server's track on
 * it, whose frames carry the seqs of the metadata messages on the results socket; an offer
 * without gets schema 2 as ever; a {@code --dense off} server answers schema 2 and why; and the
 * page's switch (its stall fallback) turns a session to schema 2 and back.
 */
class DenseTrackTest {

    static DepthcastServer denseOn;
    static DepthcastServer denseOff;
    static WebRtcEngine webrtc;

    @BeforeAll
    static void start() throws Exception {
        denseOn = DepthcastServer.start(
                ServerConfig.defaults().toBuilder().dense(DenseMode.ON).build());
        denseOff = DepthcastServer.start(ServerConfig.defaults());
        webrtc = new WebRtcEngine();
    }

    @AfterAll
    static void stop() {
        if (denseOn != null) {
            denseOn.close();
        }
        if (denseOff != null) {
            denseOff.close();
        }
        if (webrtc != null) {
            webrtc.close();
        }
    }

    static URI base(DepthcastServer s) {
        return URI.create("http://127.0.0.1:" + s.port());
    }

    @Test
    void anOfferWithAReceiveOnlyVideoGetsFramesTaggedWithTheMetadataSeqs() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        List<DenseFrameListener.Frame> frames = new CopyOnWriteArrayList<>();
        DepthcastClient.Options options =
                DepthcastClient.Options.of(640, 480, 15).withDense(frames::add);
        try (DepthcastClient client = DepthcastClient.connect(webrtc, base(denseOn), options, results::add)) {
            assertEquals(Boolean.TRUE, client.denseAnswered());
            await(() -> frames.stream().filter(f -> f.tag() >= 0).count() >= 8 && results.size() >= 8, client);
            Set<Long> metaSeqs = ConcurrentHashMap.newKeySet();
            for (DepthcastClient.Result r : results) {
                assertEquals(0, r.message().points().count(), "a dense session's messages carry no points");
                assertEquals(1, r.message().grid().stride(), "the whole grid");
                metaSeqs.add(r.message().origin().seq() & 0xFFFF);
            }
            DenseLayout layout = DenseLayout.of(504, 378);
            long tagged = 0;
            long matched = 0;
            for (DenseFrameListener.Frame f : frames) {
                assertEquals(layout.width(), f.width(), "the frame is the layout's, unscaled");
                assertEquals(layout.height(), f.height());
                if (f.tag() >= 0) {
                    tagged++;
                    matched += metaSeqs.contains((long) f.tag()) ? 1 : 0;
                }
            }
            assertTrue(tagged * 10 >= frames.size() * 9, tagged + " of " + frames.size() + " frames' tags read");
            assertTrue(matched * 10 >= tagged * 8, matched + " of " + tagged + " tags are metadata seqs " + metaSeqs);
        }
    }

    @Test
    void theSwitchTurnsASessionToSchema2AndBack() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        List<DenseFrameListener.Frame> frames = new CopyOnWriteArrayList<>();
        DepthcastClient.Options options =
                DepthcastClient.Options.of(640, 480, 15).withDense(frames::add);
        try (DepthcastClient client = DepthcastClient.connect(webrtc, base(denseOn), options, results::add)) {
            await(() -> frames.size() >= 3 && results.size() >= 3, client);
            client.switchDense(false);
            int from = results.size();
            await(
                    () -> results.subList(from, results.size()).stream()
                            .anyMatch(r -> r.message().points().count() > 0),
                    client);
            int sparseFrom = results.size();
            await(() -> results.size() >= sparseFrom + 3, client);
            int framesThen = frames.size();
            assertTrue(results.subList(sparseFrom, results.size()).stream()
                    .allMatch(r -> r.message().points().count() > 0
                            && r.message().grid().stride() >= 3));
            assertTrue(frames.size() <= framesThen + 2, "the track goes quiet while off");
            client.switchDense(true);
            int back = results.size();
            await(
                    () -> results.subList(back, results.size()).stream()
                            .anyMatch(r -> r.message().points().count() == 0),
                    client);
        }
    }

    @Test
    void anOfferWithoutItGetsSchema2AsEver() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        try (DepthcastClient client = DepthcastClient.connect(
                webrtc, base(denseOn), DepthcastClient.Options.of(640, 480, 15), results::add)) {
            await(() -> results.size() >= 3, client);
            assertNull(client.denseAnswered());
            assertTrue(results.stream()
                    .allMatch(
                            r -> r.message().points().count() > 0 && r.message().version() == 2));
        }
    }

    @Test
    void aDenseOffServerAnswersSchema2AndWhy() throws Exception {
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        List<DenseFrameListener.Frame> frames = new CopyOnWriteArrayList<>();
        DepthcastClient.Options options =
                DepthcastClient.Options.of(640, 480, 15).withDense(frames::add);
        try (DepthcastClient client = DepthcastClient.connect(webrtc, base(denseOff), options, results::add)) {
            assertEquals(Boolean.FALSE, client.denseAnswered());
            assertEquals(SessionFactory.DENSE_OFF, client.denseReason());
            await(() -> results.size() >= 3, client);
            assertTrue(results.stream().allMatch(r -> r.message().points().count() > 0));
            assertEquals(0, frames.size());
        }
    }

    static void await(BooleanSupplier done, DepthcastClient client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out; last error: " + client.lastError());
            Thread.sleep(50);
        }
    }
}
