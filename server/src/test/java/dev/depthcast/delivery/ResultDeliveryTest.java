package dev.depthcast.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.BatchResult;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.process.Frames;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.PointCloud;
import dev.depthcast.testing.CollectingSink;
import dev.depthcast.wire.MessageDecoder;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.WireFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery stage on its own: message assembly, client-gone, failure notices, per-frame times. */
class ResultDeliveryTest {

    static ResultDelivery delivery(PipelineMetrics metrics) {
        return ResultDelivery.builder()
                .setMetrics(metrics)
                .setModel("relief")
                .setBackend("cpu-onnxruntime")
                .setFormat(WireFormat.V2)
                .build()
                .start();
    }

    /** {@code n} points on the first cells of a 4x3 grid at stride 1, 1 m away, as the unprojector places them. */
    static PointCloud cloud(int n) {
        Intrinsics k = Intrinsics.of(4, 3, 4, 3, 60);
        float[] xyz = new float[n * 3];
        for (int p = 0; p < n; p++) {
            int u = p % 4;
            int v = p / 4;
            xyz[p * 3] = ((u + 0.5f) - k.cx()) / k.fx();
            xyz[p * 3 + 1] = -((v + 0.5f) - k.cy()) / k.fy();
            xyz[p * 3 + 2] = -1f;
        }
        return new PointCloud(n, xyz, new byte[n * 3], 4, 3, 1, k, 0.4f, 4f);
    }

    static I420Frame stampedFrame(long seq) {
        I420Frame f = Frames.uniform(8, 6, 100, 128, 128);
        I420Frame frame = new I420Frame(8, 6, f.y(), f.u(), f.v(), seq, 77, 1_000_000, 1_700_000_000_000_000L, 0.25);
        frame.times().taken(3_000_000);
        frame.times().batchStages(1.5, 20, 0.75);
        return frame;
    }

    @Test
    void eachClientGetsItsOwnMessageWithItsFramesTimesAndDrops() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        ClientDrops dropsA = new ClientDrops(metrics);
        ClientDrops dropsB = new ClientDrops(metrics);
        dropsA.add(Drop.MAILBOX_REPLACED);
        dropsA.add(Drop.RESULT_SUPERSEDED);
        dropsA.add(Drop.MODEL_ERROR); // not in the wire's count (docs/protocol.md)
        try (ResultDelivery delivery = delivery(metrics)) {
            delivery.deliver(
                    List.of(new Recipient(a, dropsA), new Recipient(b, dropsB)),
                    List.of(stampedFrame(5), stampedFrame(9)),
                    new BatchResult(List.of(cloud(2), cloud(3)), 1.5, 20, 0.75));
        }
        PointCloudMessage ma = new MessageDecoder().decode(a.results().get(0));
        PointCloudMessage mb = new MessageDecoder().decode(b.results().get(0));
        assertEquals(5, ma.origin().seq());
        assertEquals(2, ma.points().count());
        assertEquals(9, mb.origin().seq());
        assertEquals(3, mb.points().count());
        assertEquals(2, ma.serving().dropped());
        assertEquals(0, mb.serving().dropped());
        assertEquals(2, ma.serving().batch());
        assertEquals("relief", ma.serving().model());
        assertEquals("cpu-onnxruntime", ma.serving().backend());
        assertEquals(77, ma.origin().timestampUs());
        assertEquals(1_700_000_000_000_000L, ma.origin().ingestEpochUs());
        assertEquals(0.25, ma.timing().ingest(), 1e-6);
        assertEquals(2.0, ma.timing().queue(), 1e-6, "taken 2 ms after ingest");
        assertEquals(20, ma.timing().inference(), 1e-6);
        assertTrue(ma.timing().encode() > 0, "the encoder's own time");
        assertEquals(
                2,
                metrics.registry()
                        .get("depthcast.stage")
                        .tag("stage", "encode")
                        .timer()
                        .count());
        assertEquals(
                1,
                metrics.registry()
                        .get("depthcast.stage")
                        .tag("stage", "inference")
                        .timer()
                        .count(),
                "batch stages once per batch");
    }

    @Test
    void aGoneClientIsCountedNotEncoded() {
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink sink = new CollectingSink();
        sink.leave();
        ClientDrops drops = new ClientDrops(metrics);
        try (ResultDelivery delivery = delivery(metrics)) {
            delivery.deliver(
                    List.of(new Recipient(sink, drops)),
                    List.of(stampedFrame(1)),
                    new BatchResult(List.of(cloud(1)), 1, 1, 1));
        }
        assertTrue(sink.results().isEmpty());
        assertEquals(1, drops.count(Drop.CLIENT_GONE));
        assertEquals(
                1.0,
                metrics.registry()
                        .get("depthcast.dropped")
                        .tag("reason", "client-gone")
                        .counter()
                        .count());
        assertEquals(
                1,
                metrics.registry()
                        .get("depthcast.stage")
                        .tag("stage", "queue")
                        .timer()
                        .count());
        assertEquals(
                0,
                metrics.registry()
                        .get("depthcast.stage")
                        .tag("stage", "encode")
                        .timer()
                        .count());
    }

    @Test
    void aFailedBatchTellsEachClientAShortReasonAndCountsItsFrames() {
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        ClientDrops dropsA = new ClientDrops(metrics);
        ClientDrops dropsB = new ClientDrops(metrics);
        try (ResultDelivery delivery = delivery(metrics)) {
            delivery.fail(
                    List.of(new Recipient(a, dropsA), new Recipient(b, dropsB)),
                    List.of(stampedFrame(1), stampedFrame(2)),
                    new IllegalStateException("CUDA error 700 at 0xdeadbeef"));
        }
        assertEquals(List.of(ResultDelivery.MODEL_FAILED), a.errors());
        assertEquals(List.of(ResultDelivery.MODEL_FAILED), b.errors());
        assertEquals(1, dropsA.count(Drop.MODEL_ERROR));
        assertEquals(1, dropsB.count(Drop.MODEL_ERROR));
        assertEquals(
                2.0,
                metrics.registry()
                        .get("depthcast.dropped")
                        .tag("reason", "model-error")
                        .counter()
                        .count());
        assertEquals(
                2,
                metrics.registry()
                        .get("depthcast.stage")
                        .tag("stage", "ingest")
                        .timer()
                        .count());
    }

    @Test
    void settingsAreCheckedWhenBuiltAndNothingIsHandedOverBeforeStart() {
        IllegalArgumentException noFormat = assertThrows(
                IllegalArgumentException.class,
                () -> ResultDelivery.builder()
                        .setMetrics(new PipelineMetrics())
                        .setModel("relief")
                        .setBackend("cpu-onnxruntime")
                        .build());
        assertEquals("a delivery stage needs a wire format", noFormat.getMessage());
        PipelineMetrics metrics = new PipelineMetrics();
        try (ResultDelivery notStarted = ResultDelivery.builder()
                .setMetrics(metrics)
                .setModel("relief")
                .setBackend("cpu-onnxruntime")
                .setFormat(WireFormat.V2)
                .build()) {
            assertThrows(
                    IllegalStateException.class,
                    () -> notStarted.deliver(List.of(), List.of(), new BatchResult(List.of(), 0, 0, 0)));
        }
    }
}
