package dev.depthcast.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Frames;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * With a pipeline that overlaps batches (the GPU's), the executor queues batch k+1 before it
 * collects batch k when frames are waiting, and collects at once when none are — so overlap never
 * costs latency. Tested with a recording fake pipeline, on the CPU.
 */
class OverlappedPipelineTest {

    static final class RecordingPipeline implements DepthPipeline {
        final List<String> events = new CopyOnWriteArrayList<>();
        int started;

        @Override
        public String backendName() {
            return "recording";
        }

        @Override
        public Preset preset() {
            return Preset.RELIEF;
        }

        @Override
        public int maxBatch() {
            return 4;
        }

        @Override
        public BatchResult run(List<BatchItem> items) {
            throw new AssertionError("an overlapping pipeline is driven through start/finish");
        }

        @Override
        public InFlight start(List<BatchItem> items) throws Exception {
            int k = ++started;
            events.add("start " + k);
            Thread.sleep(30);
            return () -> {
                events.add("finish " + k);
                List<PointCloud> clouds = new ArrayList<>();
                for (BatchItem item : items) {
                    clouds.add(new PointCloud(
                            0,
                            new float[0],
                            new byte[0],
                            4,
                            4,
                            1,
                            dev.depthcast.process.Intrinsics.of(4, 4, 4, 4, 60),
                            0.4f,
                            4f));
                }
                return new BatchResult(clouds, 0.1, 1, 0.1);
            };
        }

        @Override
        public boolean overlapsBatches() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void nextBatchStartsBeforeThePreviousFinishes() throws Exception {
        RecordingPipeline pipeline = new RecordingPipeline();
        FailingModelTest.Collector sink = new FailingModelTest.Collector();
        PipelineMetrics metrics = new PipelineMetrics();
        try (ResultDelivery delivery = ResultDelivery.builder()
                        .setMetrics(metrics)
                        .setModel("relief")
                        .setBackend("recording")
                        .setFormat(WireFormat.V2)
                        .build()
                        .start();
                InferenceExecutor executor = InferenceExecutor.builder()
                        .setPipeline(pipeline)
                        .setPolicy(new SchedulingPolicy(4, Duration.ZERO))
                        .setDelivery(delivery)
                        .build()
                        .start()) {
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(
                    new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            // A camera faster than the 30 ms batches: a frame is always waiting when one starts.
            for (int i = 0; i < 12; i++) {
                box.offer(Frames.uniform(8, 8, 100, 128, 128));
                Thread.sleep(10);
            }
            FailingModelTest.waitFor(() -> sink.results.size() >= 3);
            int start2 = pipeline.events.indexOf("start 2");
            int finish1 = pipeline.events.indexOf("finish 1");
            assertTrue(start2 >= 0 && start2 < finish1, "overlap: " + pipeline.events);
            // When the camera stops, the last batch is collected without waiting for another.
            int before = pipeline.started;
            FailingModelTest.waitFor(() -> pipeline.events.contains("finish " + before));
            FailingModelTest.waitFor(() -> sink.results.size() == pipeline.started);
            assertEquals(
                    pipeline.started,
                    pipeline.events.stream().filter(e -> e.startsWith("finish")).count(),
                    "every started batch collected");
        }
    }
}
