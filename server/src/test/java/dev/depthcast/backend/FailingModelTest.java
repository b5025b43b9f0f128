package dev.depthcast.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.delivery.ResultSink;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Frames;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.wire.MessageDecoder;
import dev.depthcast.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A model that fails on a batch costs that batch only: its clients get a short reason (the cause
 * goes to the log, never to a browser), its frames are still timed and counted, serving goes on.
 */
class FailingModelTest {

    /** Fails every call while {@code failing} is positive. */
    static final class FlakyRuntime implements ModelRuntime {
        final AtomicInteger failing = new AtomicInteger(1);

        @Override
        public String backendName() {
            return "flaky";
        }

        @Override
        public DepthMaps infer(float[] input, int n) {
            if (failing.getAndDecrement() > 0) {
                throw new IllegalStateException("CUDA error 700 (simulated)");
            }
            int h = Preset.RELIEF.inputHeight();
            int w = Preset.RELIEF.inputWidth();
            float[] d = new float[n * h * w];
            for (int i = 0; i < d.length; i++) {
                d[i] = 1f + (i % w) * 1e-4f;
            }
            return new DepthMaps(d, n, h, w);
        }

        @Override
        public void close() {}
    }

    static final class Collector implements ResultSink {
        final List<byte[]> results = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void publish(byte[] message) {
            results.add(message);
        }

        @Override
        public void error(String message) {
            errors.add(message);
        }
    }

    @Test
    void failureIsReportedAndTheNextFrameIsServed() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics();
        FlakyRuntime runtime = new FlakyRuntime();
        ClientDrops drops = new ClientDrops(metrics);
        try (ResultDelivery delivery = ResultDelivery.builder()
                        .setMetrics(metrics)
                        .setModel("relief")
                        .setBackend("flaky")
                        .setFormat(WireFormat.V2)
                        .build()
                        .start();
                InferenceExecutor executor = InferenceExecutor.builder()
                        .setPipeline(new HostPipeline(Preset.RELIEF, runtime, 4))
                        .setPolicy(new SchedulingPolicy(4, Duration.ZERO))
                        .setDelivery(delivery)
                        .build()
                        .start()) {
            Collector sink = new Collector();
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, drops)));
            box.offer(Frames.uniform(64, 48, 120, 128, 128));
            waitFor(() -> !sink.errors.isEmpty());
            assertEquals(ResultDelivery.MODEL_FAILED, sink.errors.get(0));
            assertFalse(sink.errors.get(0).contains("CUDA"), "no exception text to the browser");
            box.offer(Frames.uniform(64, 48, 120, 128, 128));
            waitFor(() -> !sink.results.isEmpty());
            assertEquals(
                    168 * 126,
                    new MessageDecoder().decode(sink.results.get(0)).points().count());
            assertEquals(
                    1.0,
                    metrics.registry()
                            .get("depthcast.dropped")
                            .tag("reason", "model-error")
                            .counter()
                            .count());
            assertEquals(1, drops.count(Drop.MODEL_ERROR), "counted against the client too");
            // The failed batch's frame was timed as far as it went: ingest and queue count both frames.
            assertEquals(
                    2,
                    metrics.registry()
                            .get("depthcast.stage")
                            .tag("stage", "queue")
                            .timer()
                            .count());
            assertEquals(
                    1,
                    metrics.registry()
                            .get("depthcast.stage")
                            .tag("stage", "encode")
                            .timer()
                            .count());
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
