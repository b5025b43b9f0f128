package dev.depthcast.client;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Point clouds as the server makes them: frames painted by a {@link FramePainter}, the embedded
 * relief model on ONNX Runtime, unprojected at a given stride — schema-1 messages to encode and to
 * compare schema 2 against.
 */
final class WireSamples {

    private WireSamples() {}

    static I420Frame frame(FramePainter painter, long index, int w, int h) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        ByteBuffer y = ByteBuffer.allocate(w * h);
        ByteBuffer u = ByteBuffer.allocate(cw * ch);
        ByteBuffer v = ByteBuffer.allocate(cw * ch);
        painter.paint(index, w, h, y, w, u, cw, v, cw);
        return new I420Frame(w, h, y.array(), u.array(), v.array(), index, index * 33_333, System.nanoTime(), 0, 0);
    }

    /** Messages of {@code frames} consecutive frames (every {@code step}-th index) at {@code stride}. */
    static List<PointCloudMessage> messages(FramePainter painter, int frames, int step, int stride) throws Exception {
        List<PointCloudMessage> out = new ArrayList<>();
        UnprojectParams params = new UnprojectParams(stride, 60f, 0.4f, 4f, 0.1f);
        try (DepthPipeline pipeline = Backends.open(
                ServerConfig.builder().maxBatch(1).inferenceThreads(2).build())) {
            for (int f = 0; f < frames; f++) {
                I420Frame frame = frame(painter, (long) f * step, 640, 480);
                PointCloud c = pipeline.run(List.of(new BatchItem(frame, params)))
                        .clouds()
                        .get(0);
                out.add(new PointCloudMessage(
                        1,
                        new Origin(
                                f, f * 33_333L, 1_700_000_000_000_000L + f, 1_700_000_000_001_000L + f, Origin.NO_TAG),
                        Grid.of(c),
                        new Points(c.count(), c.xyz().clone(), c.rgb().clone()),
                        new Timing(0.1, 0.2, 3, 3, 0.8, 0),
                        new Serving("relief", "cpu-onnxruntime", 1, 0, 0)));
            }
        }
        return out;
    }
}
