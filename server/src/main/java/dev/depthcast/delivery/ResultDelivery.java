package dev.depthcast.delivery;

import dev.depthcast.backend.BatchResult;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.metrics.WallClock;
import dev.depthcast.process.PointCloud;
import dev.depthcast.wire.ColourSteps;
import dev.depthcast.wire.EncodedMessage;
import dev.depthcast.wire.MessageEncoder;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import dev.depthcast.wire.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The delivery stage: takes a finished (or failed) batch from the inference executor and, on its
 * own fan-out thread, builds each client's message, has it encoded and hands it to the client's
 * sink — or tells the clients of a failed batch, in a short reason, that their frame was lost.
 * Each frame's times are reported to the metrics here, when its walk ends, delivered or not.
 * The executor thread only enqueues, so encoding never delays the next batch.
 */
public final class ResultDelivery implements AutoCloseable {

    /** What a browser is told when its frame's batch failed; the cause goes to the server log only. */
    public static final String MODEL_FAILED = "inference failed on this frame's batch; the server log has the cause";

    private static final Logger LOG = LoggerFactory.getLogger(ResultDelivery.class);

    private final PipelineMetrics metrics;
    private final String model;
    private final String backend;
    private final int device;
    private final ExecutorService fanout;
    /** Used on the fan-out thread only (it reuses buffers). */
    private final MessageEncoder encoder;
    private long failures;
    private long encodeFailures;

    /** Delivery of device 0 in the default schema (2). */
    public ResultDelivery(PipelineMetrics metrics, String model, String backend) {
        this(metrics, model, backend, 0, WireFormat.V2);
    }

    /** Delivery of device {@code device} in the default schema (2). */
    public ResultDelivery(PipelineMetrics metrics, String model, String backend, int device) {
        this(metrics, model, backend, device, WireFormat.V2);
    }

    /**
     * The delivery stage of device {@code device}'s executor ({@code --devices}: one each, so batch
     * sizes count per device).
     *
     * @param model preset name every message carries
     * @param backend backend wire name every message carries
     * @param format the schema messages are encoded in ({@code --wire})
     */
    public ResultDelivery(PipelineMetrics metrics, String model, String backend, int device, WireFormat format) {
        this.metrics = metrics;
        this.device = device;
        this.model = model;
        this.backend = backend;
        this.encoder = new MessageEncoder(format);
        this.fanout = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "depthcast-fanout-" + device);
            t.setDaemon(true);
            return t;
        });
    }

    /** A batch finished: {@code frames.get(i)} came from {@code to.get(i)}, its cloud is {@code result.clouds().get(i)}. */
    public void deliver(List<Recipient> to, List<I420Frame> frames, BatchResult result) {
        fanout.execute(() -> send(to, frames, result));
    }

    /** A batch failed (to start or to finish): count it against each client and tell them. */
    public void fail(List<Recipient> to, List<I420Frame> frames, Throwable cause) {
        fanout.execute(() -> reportFailure(to, frames, cause));
    }

    private void send(List<Recipient> to, List<I420Frame> frames, BatchResult result) {
        metrics.batch(device, frames.size(), result.preprocessMs(), result.inferenceMs(), result.unprojectMs());
        for (int i = 0; i < to.size(); i++) {
            Recipient client = to.get(i);
            I420Frame frame = frames.get(i);
            if (client.sink().clientGone()) {
                metrics.frameEnded(frame.times(), false);
                client.drops().add(Drop.CLIENT_GONE);
                continue;
            }
            PointCloud cloud = result.clouds().get(i);
            int level = client.link().levelOf(cloud.stride());
            PointCloudMessage message = message(frame, cloud, frames.size(), client.drops().replacedOrSuperseded(),
                    level);
            EncodedMessage encoded;
            try {
                encoded = encoder.encode(message, ColourSteps.DEFAULT);
            } catch (RuntimeException e) {
                // A cloud the codec cannot place (a bug upstream) must not stop delivery to everyone.
                encodeFailures++;
                if (encodeFailures == 1 || encodeFailures % 100 == 0) {
                    LOG.error("encoding a result failed ({} so far); it is dropped", encodeFailures, e);
                }
                metrics.frameEnded(frame.times(), false);
                continue;
            }
            frame.times().encoded(encoded.encodeMs());
            metrics.frameEnded(frame.times(), true);
            client.sink().publish(encoded.bytes(), frame.seq(), level);
        }
    }

    private PointCloudMessage message(I420Frame frame, PointCloud cloud, int batch, long dropped, int level) {
        FrameTimes times = frame.times();
        return new PointCloudMessage(encoder.format().version(),
                new Origin(frame.seq(), frame.timestampUs(), times.ingestEpochUs(), WallClock.epochMicros(),
                        FrameTag.read(frame)),
                Grid.of(cloud), Points.of(cloud), Timing.of(times), new Serving(model, backend, batch, dropped, level));
    }

    private void reportFailure(List<Recipient> to, List<I420Frame> frames, Throwable cause) {
        failures++;
        // One line per failure would flood the log at 30 fps; log the first and then every 100th.
        if (failures == 1 || failures % 100 == 0) {
            LOG.error("inference failed on a batch of {} ({} failures so far); the server keeps serving",
                    frames.size(), failures, cause);
        }
        for (int i = 0; i < to.size(); i++) {
            metrics.frameEnded(frames.get(i).times(), false);
            to.get(i).drops().add(Drop.MODEL_ERROR);
            to.get(i).sink().error(MODEL_FAILED);
        }
    }

    /** Delivers what was handed over already (up to 2 s), then stops the fan-out thread. */
    @Override
    public void close() {
        fanout.shutdown();
        try {
            if (fanout.awaitTermination(2, TimeUnit.SECONDS)) {
                encoder.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
