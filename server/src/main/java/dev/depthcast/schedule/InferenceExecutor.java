package dev.depthcast.schedule;

import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.delivery.BatchOutcomes;
import dev.depthcast.delivery.ResultDelivery;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the model: it runs the {@link ExecutorLoop} — each turn it scans the
 * clients ({@link ClientScan}), takes the frames of the batch {@link BatchPlanner} chose, runs it
 * on the pipeline and hands the outcome — clouds or failure — to the delivery stage
 * ({@link ResultDelivery}). Each batch's cost is recorded in the {@link BatchCosts} the planner
 * chooses sizes by. Nothing here blocks a WebRTC or Vert.x thread: producers only swap a mailbox
 * slot and unpark this thread.
 *
 * <p>Built by {@link #builder()}; its thread starts in {@link #start()}.
 *
 * <p>A failed batch costs that batch; a {@link PipelineFault} (the GPU context is poisoned) ends
 * the pipeline: the executor stops planning and completes {@link #fault()}, and the server decides
 * what follows (it stops, see README "When the GPU fails").
 */
public final class InferenceExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);

    /** How long without a batch before the pipeline gives back memory its past batches grew. */
    public static final Duration DEFAULT_IDLE_RELEASE = Duration.ofSeconds(30);
    /**
     * How long {@link #close} waits for the loop to finish its batch in flight: longer than any
     * batch a working device runs, short enough not to hold up the process's exit.
     */
    public static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);

    private final DepthPipeline pipeline;
    private final BatchCosts costs;
    private final int device;
    private final Duration closeWait;
    private final Map<String, ClientSlot> clients = new ConcurrentHashMap<>();
    private final BusyMeter busy = new BusyMeter();
    private final ExecutorLoop loop;
    private volatile Thread thread;

    private InferenceExecutor(Builder b) {
        this.pipeline = b.pipeline;
        this.costs = b.costs;
        this.device = b.device;
        this.closeWait = b.closeWait;
        this.loop = new ExecutorLoop(
                b.pipeline,
                b.policy,
                b.costs,
                b.delivery,
                clients.values(),
                busy,
                b.idleRelease.toNanos(),
                System::nanoTime,
                ExecutorLoop.parking(this));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the executor's thread, {@code depthcast-inference-<device>}; once only.
     *
     * @return this executor
     */
    public synchronized InferenceExecutor start() {
        if (thread != null) {
            throw new IllegalStateException("the inference executor of device " + device + " is already started");
        }
        Thread t = new Thread(loop::run, "depthcast-inference-" + device);
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    public void register(ClientSlot slot) {
        clients.put(slot.id(), slot);
    }

    public void unregister(String id) {
        clients.remove(id);
    }

    /** Called by a mailbox after every offer; never blocks. */
    public void wake() {
        LockSupport.unpark(thread);
    }

    public DepthPipeline pipeline() {
        return pipeline;
    }

    /** The batch cost curve as learned so far (for {@code /api/stats}). */
    public BatchCosts.Snapshot costs() {
        return costs.snapshot();
    }

    /** How busy the device was recently: each batch counts from its start until its clouds are collected. */
    public BusyMeter busy() {
        return busy;
    }

    /** Clients registered here. */
    public int clients() {
        return clients.size();
    }

    /** Completes when the pipeline faulted for good; it never completes otherwise. */
    public CompletableFuture<PipelineFault> fault() {
        return loop.fault();
    }

    /**
     * Stops the loop (which collects the batch in flight and hands it to delivery), then closes
     * the pipeline. The delivery stage is closed by its owner, after this. If the loop does not
     * stop in time (a batch hung on the device), the pipeline is deliberately left open: freeing
     * device and pinned buffers under work still queued on the GPU could fault, and this runs at
     * process exit, which releases them anyway.
     */
    @Override
    public void close() {
        loop.stop();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(closeWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn(
                        "the inference thread did not stop within {} ms (a batch still running on the {} backend): "
                                + "leaving the pipeline open rather than freeing buffers under it",
                        closeWait.toMillis(),
                        pipeline.backendName());
                return;
            }
        }
        pipeline.close();
    }

    /**
     * The executor's settings: {@code set…} are required, {@code opt…} have the {@code DEFAULT_*}
     * above (the device: {@link ResultDelivery#DEFAULT_DEVICE}); {@link #build()} checks them all
     * ({@link #validate()}).
     */
    public static final class Builder {

        private DepthPipeline pipeline;
        private SchedulingPolicy policy;
        private BatchOutcomes delivery;
        private BatchCosts costs;
        private int device = ResultDelivery.DEFAULT_DEVICE;
        private Duration closeWait = DEFAULT_CLOSE_WAIT;
        private Duration idleRelease = DEFAULT_IDLE_RELEASE;

        private Builder() {}

        /** The pipeline this executor owns (and closes). */
        public Builder setPipeline(DepthPipeline pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        public Builder setPolicy(SchedulingPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Where each batch's outcome goes: the device's {@link ResultDelivery}. */
        public Builder setDelivery(BatchOutcomes delivery) {
            this.delivery = delivery;
            return this;
        }

        /**
         * Batch costs measured so far (e.g. by {@link BatchCostCalibration}), updated after every
         * batch; without, the executor learns them from its first batches on.
         */
        public Builder optCosts(BatchCosts costs) {
            this.costs = costs;
            return this;
        }

        /** The device ordinal ({@code --devices}): the thread is named after it. */
        public Builder optDevice(int device) {
            this.device = device;
            return this;
        }

        /** How long {@link InferenceExecutor#close} waits for the batch in flight. */
        public Builder optCloseWait(Duration closeWait) {
            this.closeWait = closeWait;
            return this;
        }

        /** How long without a batch before the pipeline may give back memory. */
        public Builder optIdleRelease(Duration idleRelease) {
            this.idleRelease = idleRelease;
            return this;
        }

        /** Every check of the settings, in one place. */
        void validate() {
            required(pipeline, "a pipeline");
            required(policy, "a scheduling policy");
            required(delivery, "a delivery stage");
            required(closeWait, "a close wait");
            required(idleRelease, "an idle release time");
            if (policy.maxBatch() > pipeline.maxBatch()) {
                throw new IllegalArgumentException("max batch " + policy.maxBatch() + " exceeds what the "
                        + pipeline.backendName() + " pipeline was built for (" + pipeline.maxBatch() + ")");
            }
            if (costs != null && costs.maxBatch() < policy.maxBatch()) {
                throw new IllegalArgumentException("batch costs for batches up to " + costs.maxBatch()
                        + ", but max batch is " + policy.maxBatch());
            }
            if (device < 0) {
                throw new IllegalArgumentException("device ordinal " + device + " is negative");
            }
            if (closeWait.isNegative()) {
                throw new IllegalArgumentException("close wait " + closeWait + " is negative");
            }
            if (idleRelease.isNegative()) {
                throw new IllegalArgumentException("idle release " + idleRelease + " is negative");
            }
        }

        private static void required(Object value, String what) {
            if (value == null) {
                throw new IllegalArgumentException("an inference executor needs " + what);
            }
        }

        /** The executor, its thread not started. */
        public InferenceExecutor build() {
            validate();
            if (costs == null) {
                costs = new BatchCosts(policy.maxBatch());
            }
            return new InferenceExecutor(this);
        }
    }
}
