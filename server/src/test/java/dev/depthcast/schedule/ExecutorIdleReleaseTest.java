package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.Frames;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.testing.CollectingSink;
import dev.depthcast.testing.FakePipeline;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The executor lets the pipeline give back memory once it has been idle, and only then. */
class ExecutorIdleReleaseTest {

    @Test
    void thePipelineIsToldOncePerIdleSpellAndNeverUnderLoad() throws Exception {
        FakePipeline pipeline = FakePipeline.free();
        PipelineMetrics metrics = new PipelineMetrics();
        CollectingSink sink = new CollectingSink();
        try (ResultDelivery delivery = ExecutorFaultAndCloseTest.delivery(metrics);
                InferenceExecutor executor = ExecutorFaultAndCloseTest.executor(pipeline, delivery)
                        .optIdleRelease(Duration.ofMillis(300))
                        .build()
                        .start()) {
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(
                    new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            Thread.sleep(600);
            assertEquals(0, pipeline.idleReleases(), "nothing ran yet: nothing to give back");

            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            ExecutorFaultAndCloseTest.waitFor(() -> pipeline.idleReleases() == 1);
            Thread.sleep(600);
            assertEquals(1, pipeline.idleReleases(), "once per idle spell, not every 300 ms");

            // A steady load (a frame every 100 ms, under the idle time) is never idle.
            for (int i = 0; i < 12; i++) {
                box.offer(Frames.uniform(8, 8, 100, 128, 128));
                Thread.sleep(100);
            }
            assertEquals(1, pipeline.idleReleases(), "not under load");
            ExecutorFaultAndCloseTest.waitFor(() -> pipeline.idleReleases() == 2);
            assertEquals(13, pipeline.batches(), "every frame ran");
        }
    }
}
