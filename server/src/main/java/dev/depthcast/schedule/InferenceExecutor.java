package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.ingest.I420Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that owns the model: each turn it scans the clients ({@link ClientScan}), takes
 * the frames of the batch {@link BatchPlanner} chose, runs it on the pipeline and hands the
 * outcome — clouds or failure — to the {@link ResultDelivery}. Each batch's cost is recorded in
 * the {@link BatchCosts} the planner chooses sizes by. Nothing here blocks a WebRTC or
 * Vert.x thread: producers only swap a mailbox slot and unpark this thread.
 *
 * <p>A failed batch costs that batch; a {@link PipelineFault} (the GPU context is poisoned) ends
 * the pipeline: the executor stops planning and completes {@link #fault()}, and the server decides
 * what follows (it stops, see README "When the GPU fails").
 */
public final class InferenceExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);

    /** How long without a batch before the pipeline gives back memory its past batches grew. */
    public static final Duration IDLE_RELEASE = Duration.ofSeconds(30);

    private final DepthPipeline pipeline;
    private final ResultDelivery delivery;
    private final ClientScan<ClientSlot> scan;
    private final BatchCosts costs;
    private final Map<String, ClientSlot> clients = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Duration closeWait;
    private final CompletableFuture<PipelineFault> fault = new CompletableFuture<>();
    private final BusyMeter busy = new BusyMeter();
    private final long idleReleaseNanos;
    /** When the last batch was started; and whether the pipeline was told it is idle since. */
    private long lastBatchNanos = System.nanoTime();
    private boolean idleReleased = true;
    private volatile boolean running = true;

    /** An executor that learns batch costs from its first batches on (nothing calibrated). */
    public InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, ResultDelivery delivery) {
        this(pipeline, policy, new BatchCosts(policy.maxBatch()), delivery, Duration.ofSeconds(5), "depthcast-inference");
    }

    /** @param costs batch costs measured so far (e.g. by {@link BatchCostCalibration}); updated after every batch */
    public InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, BatchCosts costs, ResultDelivery delivery) {
        this(pipeline, policy, costs, delivery, Duration.ofSeconds(5), "depthcast-inference");
    }

    /** One executor of several ({@code --devices}): its thread is named after its device. */
    public InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, ResultDelivery delivery, int device) {
        this(pipeline, policy, new BatchCosts(policy.maxBatch()), delivery, device);
    }

    /** One executor of several, with its device's measured batch costs. */
    public InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, BatchCosts costs, ResultDelivery delivery,
                             int device) {
        this(pipeline, policy, costs, delivery, Duration.ofSeconds(5), "depthcast-inference-" + device);
    }

    InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, ResultDelivery delivery, Duration closeWait) {
        this(pipeline, policy, new BatchCosts(policy.maxBatch()), delivery, closeWait, "depthcast-inference");
    }

    private InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, BatchCosts costs, ResultDelivery delivery,
                              Duration closeWait, String threadName) {
        this(pipeline, policy, costs, delivery, closeWait, IDLE_RELEASE, threadName);
    }

    /** For tests: a short idle time before {@link DepthPipeline#releaseIdleMemory}. */
    InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, ResultDelivery delivery, Duration closeWait,
                      Duration idleRelease) {
        this(pipeline, policy, new BatchCosts(policy.maxBatch()), delivery, closeWait, idleRelease, "depthcast-inference");
    }

    /**
     * @param closeWait how long {@link #close} waits for the loop to finish its batch in flight
     * @param idleRelease how long without a batch before the pipeline may give back memory
     */
    private InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, BatchCosts costs, ResultDelivery delivery,
                              Duration closeWait, Duration idleRelease, String threadName) {
        if (policy.maxBatch() > pipeline.maxBatch()) {
            throw new IllegalArgumentException("max batch " + policy.maxBatch() + " exceeds what the "
                    + pipeline.backendName() + " pipeline was built for (" + pipeline.maxBatch() + ")");
        }
        this.pipeline = pipeline;
        this.delivery = delivery;
        this.costs = costs;
        this.scan = new ClientScan<>(policy, costs, ClientSlot::mailbox);
        this.closeWait = closeWait;
        this.idleReleaseNanos = idleRelease.toNanos();
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
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
        return fault;
    }

    /** A started batch: whose frames it holds, and the pipeline's handle to collect it. */
    private record Started(List<Recipient> recipients, List<I420Frame> frames, DepthPipeline.InFlight work,
                           long startNanos) {
    }

    private void loop() {
        // With a pipeline that overlaps batches (the GPU), one batch stays in flight while the
        // next is queued; otherwise each batch completes before the next is planned.
        Started inFlight = null;
        while (running) {
            try {
                inFlight = turn(inFlight);
            } catch (RuntimeException e) {
                // A bug in planning or bookkeeping must not stop inference for everyone.
                LOG.error("inference loop turn failed; continuing", e);
                inFlight = null;
            }
        }
        // Seam for close(): the batch still in flight is collected and delivered before the
        // pipeline is closed; waiting for the device's other in-flight work belongs to the pipeline.
        if (inFlight != null) {
            complete(inFlight);
        }
    }

    /** One turn of the loop: plan, then start and/or collect a batch, or wait. Returns the batch in flight. */
    private Started turn(Started inFlight) {
        long now = System.nanoTime();
        BatchPlanner.Decision<ClientSlot> decision = scan.plan(clients.values(), now);
        if (!decision.runNow()) {
            if (inFlight != null) {
                // Nothing to overlap with: collect the batch in flight now rather than wait.
                complete(inFlight);
            } else if (decision.deadlineNanos() == Long.MAX_VALUE) {
                idle(now);
            } else {
                LockSupport.parkNanos(this, decision.deadlineNanos() - now);
            }
            return null;
        }
        Started next = start(decision.batch());
        if (inFlight != null) {
            complete(inFlight);
        }
        if (next != null && !pipeline.overlapsBatches()) {
            complete(next);
            return null;
        }
        return next;
    }

    /**
     * Nothing to run and nothing due: wait for a frame — but once no batch has started for
     * {@code idleRelease}, first let the pipeline give back what past batches grew (ONNX Runtime's
     * arena keeps the memory of the largest batch it ever ran, a burst's ~200 MB, otherwise).
     */
    private void idle(long now) {
        if (idleReleased) {
            LockSupport.park(this);
            return;
        }
        long due = lastBatchNanos + idleReleaseNanos;
        if (now - due < 0) {
            LockSupport.parkNanos(this, due - now);
            return;
        }
        idleReleased = true;
        try {
            pipeline.releaseIdleMemory();
        } catch (Exception | LinkageError e) {
            // Memory kept is no reason to stop serving; a fault shows on the next batch.
            LOG.warn("the {} pipeline could not give back its idle memory: {}", pipeline.backendName(), e.toString());
        }
    }

    /** Takes the chosen clients' frames and starts their batch; null if none had a frame or it failed. */
    private Started start(List<ClientSlot> chosen) {
        List<Recipient> recipients = new ArrayList<>(chosen.size());
        List<I420Frame> frames = new ArrayList<>(chosen.size());
        List<BatchItem> items = new ArrayList<>(chosen.size());
        for (ClientSlot slot : chosen) {
            I420Frame frame = slot.mailbox().take();
            if (frame != null) {
                recipients.add(slot.recipient());
                frames.add(frame);
                items.add(new BatchItem(frame, slot.paramsNow()));
            }
        }
        if (items.isEmpty()) {
            return null;
        }
        long takenNanos = System.nanoTime();
        lastBatchNanos = takenNanos;
        idleReleased = false;
        for (I420Frame frame : frames) {
            frame.times().taken(takenNanos);
        }
        try {
            return new Started(recipients, frames, pipeline.start(items), takenNanos);
        } catch (Exception | LinkageError e) {
            busy.busy(takenNanos, System.nanoTime());
            delivery.fail(recipients, frames, e);
            faultIf(e);
            return null;
        }
    }

    /** Waits for a started batch, stamps its stage times on its frames, hands it to delivery. */
    private void complete(Started batch) {
        BatchResult result;
        try {
            result = batch.work().finish();
        } catch (Exception | LinkageError e) {
            busy.busy(batch.startNanos(), System.nanoTime());
            delivery.fail(batch.recipients(), batch.frames(), e);
            faultIf(e);
            return;
        }
        busy.busy(batch.startNanos(), System.nanoTime());
        for (I420Frame frame : batch.frames()) {
            frame.times().batchStages(result.preprocessMs(), result.inferenceMs(), result.unprojectMs());
        }
        // What the batch cost the backend (its stages; on an overlapping device, its own device
        // time, not the wait behind the batch before it): the planner's next choices follow it.
        costs.record(batch.frames().size(), result.preprocessMs() + result.inferenceMs() + result.unprojectMs(),
                System.nanoTime());
        delivery.deliver(batch.recipients(), batch.frames(), result);
    }

    /** A fault ends the loop: no further batch is planned on a pipeline that cannot run one. */
    private void faultIf(Throwable e) {
        if (e instanceof PipelineFault f && fault.complete(f)) {
            running = false;
            LOG.error("the {} pipeline faulted and can run no further batch: {}", pipeline.backendName(), f.getMessage());
        }
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
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(closeWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the inference thread did not stop within {} ms (a batch still running on the {} backend): "
                    + "leaving the pipeline open rather than freeing buffers under it", closeWait.toMillis(),
                    pipeline.backendName());
            return;
        }
        pipeline.close();
    }
}
