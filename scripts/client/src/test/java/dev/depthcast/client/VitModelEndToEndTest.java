package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.depthcast.wire.PointCloudMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A model with Depth Anything V2's architecture (ViT/14 + DPT, tiny widths, random weights, made by
 * scripts/make-models.py) given by path with the depth-anything-v2 preset, as a user would: it
 * loads, the batch costs are measured, and clouds at the model's size come back over WebRTC —
 * each carrying the tag of the frame it was made from, however noisy the random net's depth.
 */
class VitModelEndToEndTest {

    static final Path MODEL = Path.of("..", "..", "server", "src", "test", "resources", "models", "da2-vit-tiny.onnx");

    /** The moving disc with the frame tag on top, as the load tester paints it. */
    static final FramePainter TAGGED = (i, w, h, y, sy, u, su, v, sv) -> {
        FramePainter.movingDisc().paint(i, w, h, y, sy, u, su, v, sv);
        FrameTag.paint(i, w, h, y, sy, u, su, v, sv);
    };

    @Test
    void aVitShapedModelStreamsThroughTheDepthAnythingPreset() throws Exception {
        assertTrue(Files.isRegularFile(MODEL), MODEL.toAbsolutePath() + " (scripts/make-models.py)");
        ServerConfig config = ServerConfig.builder()
                .model(MODEL)
                .preset(BuiltInPreset.parse("depth-anything-v2").preset().withInputSize(266, 350))
                .build();
        List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
        List<long[]> pushed = new CopyOnWriteArrayList<>();
        try (DepthcastServer server = DepthcastServer.start(config);
                WebRtcEngine engine = new WebRtcEngine()) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            DepthcastClient.Options options =
                    DepthcastClient.Options.of(640, 480, 15).withPainter(TAGGED);
            try (DepthcastClient client = DepthcastClient.connect(
                    engine, base, options, results::add, (index, ts) -> pushed.add(new long[] {index, ts}))) {
                EndToEndTest.awaitResults(results, 8, client);
                JsonObject stats = new JsonObject(HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(base.resolve("/api/stats"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                assertEquals("depth-anything-v2", stats.getString("preset"));
                assertEquals("da2-vit-tiny.onnx", stats.getString("modelFile"));
                assertEquals("266x350", stats.getString("input"));
                // No engine built for this model where the test runs: the model is served as given.
                assertEquals("fp32, the model as given (no engine built for it)", stats.getString("engine"));
                JsonArray measured = stats.getJsonArray("batchCostMeasured");
                assertEquals(8, measured.size());
                assertTrue(measured.getBoolean(0), "a batch of one was measured at start-up: " + stats);
            }
        }
        long newest = pushed.stream().mapToLong(p -> p[0]).max().orElseThrow();
        int tagged = 0;
        for (DepthcastClient.Result r : results) {
            PointCloudMessage m = r.message();
            assertEquals("depth-anything-v2", m.serving().model());
            assertEquals(350, m.grid().width());
            assertEquals(266, m.grid().height());
            assertTrue(m.points().count() > 0, "points");
            if (m.origin().tagged()) {
                tagged++;
                long index = FrameTag.unwrap(m.origin().tag(), newest);
                assertTrue(index >= 0 && index <= newest, "tag " + m.origin().tag() + " names a frame that was sent");
            }
        }
        assertEquals(results.size(), tagged, "every result carries its source frame's tag");
        // Tags name distinct frames, in order: each result is matched to its own frame.
        long last = -1;
        for (DepthcastClient.Result r : results) {
            long index = FrameTag.unwrap(r.message().origin().tag(), newest);
            assertTrue(index > last, "frame " + index + " after " + last);
            last = index;
        }
    }
}
