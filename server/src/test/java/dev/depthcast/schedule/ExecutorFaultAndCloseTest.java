package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.delivery.ResultSink;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Frames;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the executor does when the pipeline faults for good, and when it is closed under a hung batch (issue 13). */
class ExecutorFaultAndCloseTest {

    /** A pipeline scripted per batch: "ok", "fault" (a sticky GPU error), or "hang" (finish blocks). */
    static final class ScriptedPipeline implements DepthPipeline {
        final List<String> script;
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger idleReleases = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean closed;

        ScriptedPipeline(String... script) {
            this.script = List.of(script);
        }

        @Override
        public String backendName() {
            return "scripted";
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
        public BatchResult run(List<BatchItem> items) throws Exception {
            int k = batches.getAndIncrement();
            String what = k < script.size() ? script.get(k) : "ok";
            if (what.equals("fault")) {
                throw new PipelineFault("GPU fault: cuEventSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)", null);
            }
            if (what.equals("hang")) {
                release.await(30, TimeUnit.SECONDS);
            }
            List<PointCloud> clouds = new ArrayList<>();
            for (BatchItem ignored : items) {
                clouds.add(new PointCloud(0, new float[0], new byte[0], 4, 4, 1, Intrinsics.of(4, 4, 4, 4, 60), 0.4f, 4f));
            }
            return new BatchResult(clouds, 0.1, 1, 0.1);
        }

        @Override
        public void releaseIdleMemory() {
            idleReleases.incrementAndGet();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Sink implements ResultSink {
        final List<byte[]> results = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void publish(byte[] message) {
            results.add(message);
        }

        @Override
        public void error(String reason) {
            errors.add(reason);
        }
    }

    @Test
    void aPipelineFaultStopsPlanningAndCompletesTheFaultOnce() throws Exception {
        ScriptedPipeline pipeline = new ScriptedPipeline("ok", "fault");
        PipelineMetrics metrics = new PipelineMetrics();
        Sink sink = new Sink();
        try (ResultDelivery delivery = new ResultDelivery(metrics, "relief", "scripted");
             InferenceExecutor executor = new InferenceExecutor(pipeline, new SchedulingPolicy(4, Duration.ZERO), delivery)) {
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            waitFor(() -> sink.results.size() == 1);
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            PipelineFault f = executor.fault().get(10, TimeUnit.SECONDS);
            assertTrue(f.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"));
            waitFor(() -> sink.errors.size() == 1);
            assertEquals(ResultDelivery.MODEL_FAILED, sink.errors.get(0), "the batch's client is told, briefly");
            // Frames keep coming; no further batch is started on the dead pipeline.
            for (int i = 0; i < 5; i++) {
                box.offer(Frames.uniform(8, 8, 100, 128, 128));
                Thread.sleep(20);
            }
            assertEquals(2, pipeline.batches.get());
        }
        assertTrue(pipeline.closed);
    }

    @Test
    void closeLeavesAPipelineOpenWhoseBatchIsStillRunningAndClosesAnIdleOne() throws Exception {
        ScriptedPipeline hung = new ScriptedPipeline("hang");
        PipelineMetrics metrics = new PipelineMetrics();
        Sink sink = new Sink();
        try (ResultDelivery delivery = new ResultDelivery(metrics, "relief", "scripted")) {
            InferenceExecutor executor = new InferenceExecutor(hung, new SchedulingPolicy(4, Duration.ZERO), delivery,
                    Duration.ofMillis(200));
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            waitFor(() -> hung.batches.get() == 1);
            executor.close();
            assertFalse(hung.closed, "buffers are not freed under a batch still on the device");
            hung.release.countDown();

            ScriptedPipeline idle = new ScriptedPipeline();
            new InferenceExecutor(idle, new SchedulingPolicy(4, Duration.ZERO), delivery, Duration.ofMillis(200)).close();
            assertTrue(idle.closed);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 10 s");
    }
}
