package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.PipelineFault;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.Frames;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.testing.CollectingSink;
import dev.depthcast.testing.FakePipeline;
import dev.depthcast.testing.FakePipeline.Answer;
import dev.depthcast.wire.WireFormat;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the executor does when the pipeline faults for good, and when it is closed under a hung batch. */
class ExecutorFaultAndCloseTest {

    static ResultDelivery delivery(PipelineMetrics metrics) {
        return ResultDelivery.builder()
                .setMetrics(metrics)
                .setModel("relief")
                .setBackend("fake")
                .setFormat(WireFormat.V2)
                .build()
                .start();
    }

    static InferenceExecutor.Builder executor(FakePipeline pipeline, ResultDelivery delivery) {
        return InferenceExecutor.builder()
                .setPipeline(pipeline.maxBatch(4))
                .setPolicy(new SchedulingPolicy(4, Duration.ZERO))
                .setDelivery(delivery);
    }

    @Test
    void aPipelineFaultStopsPlanningAndCompletesTheFaultOnce() throws Exception {
        FakePipeline pipeline = FakePipeline.free().answers(Answer.OK, Answer.FAULT);
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink sink = new CollectingSink();
        try (ResultDelivery delivery = delivery(metrics);
                InferenceExecutor executor =
                        executor(pipeline, delivery).build().start()) {
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(
                    new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            waitFor(() -> sink.results().size() == 1);
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            PipelineFault f = executor.fault().get(10, TimeUnit.SECONDS);
            assertTrue(f.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"));
            waitFor(() -> sink.errors().size() == 1);
            assertEquals(ResultDelivery.MODEL_FAILED, sink.errors().get(0), "the batch's client is told, briefly");
            // Frames keep coming; no further batch is started on the dead pipeline.
            for (int i = 0; i < 5; i++) {
                box.offer(Frames.uniform(8, 8, 100, 128, 128));
                Thread.sleep(20);
            }
            assertEquals(2, pipeline.batches());
        }
        assertTrue(pipeline.closed());
    }

    @Test
    void closeLeavesAPipelineOpenWhoseBatchIsStillRunningAndClosesAnIdleOne() throws Exception {
        FakePipeline hung = FakePipeline.free().answers(Answer.HANG);
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink sink = new CollectingSink();
        try (ResultDelivery delivery = delivery(metrics)) {
            InferenceExecutor executor = executor(hung, delivery)
                    .optCloseWait(Duration.ofMillis(200))
                    .build()
                    .start();
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(
                    new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            waitFor(() -> hung.batches() == 1);
            executor.close();
            assertFalse(hung.closed(), "buffers are not freed under a batch still on the device");
            hung.release();

            FakePipeline idle = FakePipeline.free();
            executor(idle, delivery)
                    .optCloseWait(Duration.ofMillis(200))
                    .build()
                    .start()
                    .close();
            assertTrue(idle.closed());
        }
    }

    @Test
    void buildingStartsNoThreadAndAnExecutorNeverStartedStillClosesItsPipeline() {
        FakePipeline pipeline = FakePipeline.free();
        try (ResultDelivery delivery = ResultDelivery.builder()
                .setMetrics(new PipelineMetrics())
                .setModel("relief")
                .setBackend("fake")
                .setFormat(WireFormat.V2)
                .optDevice(7)
                .build()) {
            InferenceExecutor executor =
                    executor(pipeline, delivery).optDevice(7).build();
            assertFalse(
                    Thread.getAllStackTraces().keySet().stream()
                            .map(Thread::getName)
                            .anyMatch(n -> n.endsWith("-7")),
                    "no depthcast-inference-7 or depthcast-fanout-7 thread");
            executor.close();
        }
        assertTrue(pipeline.closed());
    }

    @Test
    void settingsAreCheckedWhenBuilt() {
        PipelineMetrics metrics = new PipelineMetrics();
        IllegalArgumentException tooBig = assertThrows(
                IllegalArgumentException.class,
                () -> InferenceExecutor.builder()
                        .setPipeline(FakePipeline.free().maxBatch(4).named("cpu-onnxruntime"))
                        .setPolicy(new SchedulingPolicy(8, Duration.ZERO))
                        .setDelivery(delivery(metrics))
                        .build());
        assertEquals("max batch 8 exceeds what the cpu-onnxruntime pipeline was built for (4)", tooBig.getMessage());
        IllegalArgumentException noDelivery = assertThrows(
                IllegalArgumentException.class,
                () -> InferenceExecutor.builder()
                        .setPipeline(FakePipeline.free())
                        .setPolicy(new SchedulingPolicy(4, Duration.ZERO))
                        .build());
        assertEquals("an inference executor needs a delivery stage", noDelivery.getMessage());
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 10 s");
    }
}
