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
import dev.depthcast.wire.DenseFrame;
import dev.depthcast.wire.DenseFramePacker;
import dev.depthcast.wire.DenseMetaEncoder;
import dev.depthcast.wire.EncodedMessage;
import dev.depthcast.wire.MessageEncoder;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import dev.depthcast.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery stage: takes a finished (or failed) batch from the inference executor and, on its
 * own fan-out thread, builds each client's message, has it encoded and hands it to the client's
 * sink — or tells the clients of a failed batch, in a short reason, that their frame was lost.
 * Each frame's times are reported to the metrics here, when its walk ends, delivered or not.
 * The executor thread only enqueues, so encoding never delays the next batch.
 *
 * <p>One per device ({@code --devices}), so batch sizes count per device. Built by
 * {@link #builder()}; its thread starts in {@link #start()}.
 */
public final class ResultDelivery implements BatchOutcomes, AutoCloseable {

    /** What a browser is told when its frame's batch failed; the cause goes to the server log only. */
    public static final String MODEL_FAILED = "inference failed on this frame's batch; the server log has the cause";

    private static final Logger LOG = LoggerFactory.getLogger(ResultDelivery.class);

    /** The device ordinal of a server with one device (the CPU's, or {@code --devices} unset). */
    public static final int DEFAULT_DEVICE = 0;
    /** How long {@link #close} lets the fan-out thread deliver what was handed over already. */
    public static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(2);

    private final PipelineMetrics metrics;
    private final String model;
    private final String backend;
    private final int device;
    private final Duration closeWait;
    /** Used on the fan-out thread only (it reuses buffers). */
    private final MessageEncoder encoder;
    /** Used on the fan-out thread only (it reuses its frame). */
    private final DenseFramePacker densePacker = new DenseFramePacker();

    private final DenseMetaEncoder denseMeta = new DenseMetaEncoder();

    private volatile ExecutorService fanout;
    private long failures;
    private long encodeFailures;

    private ResultDelivery(Builder b) {
        this.metrics = b.metrics;
        this.model = b.model;
        this.backend = b.backend;
        this.device = b.device;
        this.closeWait = b.closeWait;
        this.encoder = new MessageEncoder(b.format);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the fan-out thread, {@code depthcast-fanout-<device>}; once only, before the first
     * batch is handed over.
     *
     * @return this delivery stage
     */
    public synchronized ResultDelivery start() {
        if (fanout != null) {
            throw new IllegalStateException("the delivery stage of device " + device + " is already started");
        }
        fanout = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "depthcast-fanout-" + device);
            t.setDaemon(true);
            return t;
        });
        return this;
    }

    @Override
    public void deliver(List<Recipient> to, List<I420Frame> frames, BatchResult result) {
        fanout().execute(() -> send(to, frames, result));
    }

    /** Counts the lost frames against each client and tells them, briefly. */
    @Override
    public void fail(List<Recipient> to, List<I420Frame> frames, Throwable cause) {
        fanout().execute(() -> reportFailure(to, frames, cause));
    }

    private ExecutorService fanout() {
        ExecutorService running = fanout;
        if (running == null) {
            throw new IllegalStateException("the delivery stage of device " + device + " is not started");
        }
        return running;
    }

    private void send(List<Recipient> to, List<I420Frame> frames, BatchResult result) {
        metrics.batch(device, frames.size(), result.preprocessMs(), result.inferenceMs(), result.unprojectMs());
        if (result.stabilised()) {
            metrics.stage(PipelineMetrics.Stage.STABILIZE, result.stabiliseMs());
        }
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
            PointCloudMessage message =
                    message(frame, cloud, frames.size(), client.drops().replacedOrSuperseded(), level);
            EncodedMessage encoded;
            try {
                encoded = client.dense().active()
                        ? sendDense(client.dense(), message, frame)
                        : encoder.encode(message, ColourSteps.DEFAULT);
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

    /**
     * Packs the points into the session's video track and returns the metadata message that goes
     * on the results socket instead of them; its encode time covers both.
     */
    private EncodedMessage sendDense(DenseChannel dense, PointCloudMessage message, I420Frame frame) {
        long t0 = System.nanoTime();
        DenseFrame packed = densePacker.pack(message);
        // The source frame's own timestamp: the track keeps the camera's cadence.
        dense.push(packed, frame.timestampUs() * 1000);
        double packMs = (System.nanoTime() - t0) / 1e6;
        EncodedMessage meta = denseMeta.encode(message, packed.layout());
        return new EncodedMessage(meta.bytes(), meta.encodeMs() + packMs);
    }

    private PointCloudMessage message(I420Frame frame, PointCloud cloud, int batch, long dropped, int level) {
        FrameTimes times = frame.times();
        return new PointCloudMessage(
                encoder.format().version(),
                new Origin(
                        frame.seq(),
                        frame.timestampUs(),
                        times.ingestEpochUs(),
                        WallClock.epochMicros(),
                        FrameTag.read(frame)),
                Grid.of(cloud),
                Points.of(cloud),
                Timing.of(times),
                cloud.stabiliser(),
                new Serving(model, backend, batch, dropped, level));
    }

    private void reportFailure(List<Recipient> to, List<I420Frame> frames, Throwable cause) {
        failures++;
        // One line per failure would flood the log at 30 fps; log the first and then every 100th.
        if (failures == 1 || failures % 100 == 0) {
            LOG.error(
                    "inference failed on a batch of {} ({} failures so far); the server keeps serving",
                    frames.size(),
                    failures,
                    cause);
        }
        for (int i = 0; i < to.size(); i++) {
            metrics.frameEnded(frames.get(i).times(), false);
            to.get(i).drops().add(Drop.MODEL_ERROR);
            to.get(i).sink().error(MODEL_FAILED);
        }
    }

    /** Delivers what was handed over already (up to the close wait), then stops the fan-out thread. */
    @Override
    public void close() {
        ExecutorService running = fanout;
        if (running == null) {
            encoder.close();
            return;
        }
        running.shutdown();
        try {
            if (running.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
                encoder.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The delivery stage's settings: {@code set…} are required, {@code opt…} have the
     * {@code DEFAULT_*} above; {@link #build()} checks them all ({@link #validate()}).
     */
    public static final class Builder {

        private PipelineMetrics metrics;
        private String model;
        private String backend;
        private int device = DEFAULT_DEVICE;
        private WireFormat format;
        private Duration closeWait = DEFAULT_CLOSE_WAIT;

        private Builder() {}

        /** Where each frame's times, drops and batch sizes are reported. */
        public Builder setMetrics(PipelineMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The preset name every message carries. */
        public Builder setModel(String model) {
            this.model = model;
            return this;
        }

        /** The backend wire name every message carries. */
        public Builder setBackend(String backend) {
            this.backend = backend;
            return this;
        }

        /** The device ordinal whose batches this stage delivers (metrics and thread name). */
        public Builder optDevice(int device) {
            this.device = device;
            return this;
        }

        /** The schema messages are encoded in ({@code --wire}). */
        public Builder setFormat(WireFormat format) {
            this.format = format;
            return this;
        }

        public Builder optCloseWait(Duration closeWait) {
            this.closeWait = closeWait;
            return this;
        }

        /** Every check of the settings, in one place. */
        void validate() {
            required(metrics, "metrics");
            required(model, "a model name");
            required(backend, "a backend name");
            required(format, "a wire format");
            required(closeWait, "a close wait");
            if (device < 0) {
                throw new IllegalArgumentException("device ordinal " + device + " is negative");
            }
            if (closeWait.isNegative()) {
                throw new IllegalArgumentException("close wait " + closeWait + " is negative");
            }
        }

        private static void required(Object value, String what) {
            if (value == null) {
                throw new IllegalArgumentException("a delivery stage needs " + what);
            }
        }

        /** The delivery stage, its thread not started. */
        public ResultDelivery build() {
            validate();
            return new ResultDelivery(this);
        }
    }
}
