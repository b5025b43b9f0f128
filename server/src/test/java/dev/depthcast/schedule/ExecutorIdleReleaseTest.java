package dev.depthcast.schedule;

import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.Frames;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.ExecutorFaultAndCloseTest.ScriptedPipeline;
import dev.depthcast.schedule.ExecutorFaultAndCloseTest.Sink;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The executor lets the pipeline give back memory once it has been idle, and only then (issue 9). */
class ExecutorIdleReleaseTest {

    @Test
    void thePipelineIsToldOncePerIdleSpellAndNeverUnderLoad() throws Exception {
        ScriptedPipeline pipeline = new ScriptedPipeline();
        PipelineMetrics metrics = new PipelineMetrics();
        Sink sink = new Sink();
        try (ResultDelivery delivery = new ResultDelivery(metrics, "relief", "scripted");
             InferenceExecutor executor = new InferenceExecutor(pipeline, new SchedulingPolicy(4, Duration.ZERO), delivery,
                     Duration.ofSeconds(5), Duration.ofMillis(300))) {
            LatestFrameMailbox box = new LatestFrameMailbox(executor::wake);
            executor.register(new ClientSlot("a", box, UnprojectParams.DEFAULT, new Recipient(sink, new ClientDrops(metrics))));
            Thread.sleep(600);
            assertEquals(0, pipeline.idleReleases.get(), "nothing ran yet: nothing to give back");

            box.offer(Frames.uniform(8, 8, 100, 128, 128));
            ExecutorFaultAndCloseTest.waitFor(() -> pipeline.idleReleases.get() == 1);
            Thread.sleep(600);
            assertEquals(1, pipeline.idleReleases.get(), "once per idle spell, not every 300 ms");

            // A steady load (a frame every 100 ms, under the idle time) is never idle.
            for (int i = 0; i < 12; i++) {
                box.offer(Frames.uniform(8, 8, 100, 128, 128));
                Thread.sleep(100);
            }
            assertEquals(1, pipeline.idleReleases.get(), "not under load");
            ExecutorFaultAndCloseTest.waitFor(() -> pipeline.idleReleases.get() == 2);
            assertEquals(13, pipeline.batches.get(), "every frame ran");
        }
    }
}
