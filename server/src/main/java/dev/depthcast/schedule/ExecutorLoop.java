package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.delivery.BatchOutcomes;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.ingest.I420Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's loop, one {@link #step} at a time: scan the clients and plan ({@link ClientScan}),
 * then start and/or collect a batch, or wait — for the planner's deadline, for a frame, or until
 * the pipeline has been idle long enough to give back memory. The clock and the way to wait are
 * given: {@link InferenceExecutor} runs it on its thread with {@link System#nanoTime} and
 * {@link #parking}; the fake-clock tests step it on simulated time, so they test this very loop.
 *
 * <p>Owned by one thread (the executor's, or a test's); only {@link #stop} and {@link #fault} are
 * safe from others.
 */
final class ExecutorLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLoop.class);

    /** How the loop waits when it has nothing to run. */
    interface Waiter {
        /**
         * Returns at {@code deadlineNanos} (never, for {@link Long#MAX_VALUE}) or earlier, when a
         * mailbox was offered a frame.
         */
        void waitUntil(long nowNanos, long deadlineNanos);
    }

    /**
     * Parks the calling thread, with {@code blocker} shown in thread dumps; a mailbox's offer
     * unparks it ({@link InferenceExecutor#wake}).
     */
    static Waiter parking(Object blocker) {
        return (now, deadline) -> {
            if (deadline == Long.MAX_VALUE) {
                LockSupport.park(blocker);
            } else {
                LockSupport.parkNanos(blocker, deadline - now);
            }
        };
    }

    /** A started batch: whose frames it holds, and the pipeline's handle to collect it. */
    private record Started(
            List<Recipient> recipients, List<I420Frame> frames, DepthPipeline.InFlight work, long startNanos) {}

    private final DepthPipeline pipeline;
    private final BatchOutcomes outcomes;
    private final Iterable<ClientSlot> clients;
    private final ClientScan<ClientSlot> scan;
    private final BatchCosts costs;
    private final BusyMeter busy;
    private final LongSupplier clock;
    private final Waiter waiter;
    private final long idleReleaseNanos;
    private final CompletableFuture<PipelineFault> fault = new CompletableFuture<>();
    /** With a pipeline that overlaps batches (the GPU), the batch still on the device; else null. */
    private Started inFlight;
    /** When the last batch was started; and whether the pipeline was told it is idle since. */
    private long lastBatchNanos;

    private boolean idleReleased = true;
    private volatile boolean running = true;

    /**
     * @param clients the registered clients, read at every turn (a live view)
     * @param costs batch costs so far; every collected batch's cost is recorded in it
     * @param busy where each batch's device time is counted
     * @param idleReleaseNanos how long without a batch before the pipeline may give back memory
     */
    ExecutorLoop(
            DepthPipeline pipeline,
            SchedulingPolicy policy,
            BatchCosts costs,
            BatchOutcomes outcomes,
            Iterable<ClientSlot> clients,
            BusyMeter busy,
            long idleReleaseNanos,
            LongSupplier clock,
            Waiter waiter) {
        this.pipeline = pipeline;
        this.outcomes = outcomes;
        this.clients = clients;
        this.costs = costs;
        this.scan = new ClientScan<>(policy, costs, ClientSlot::mailbox);
        this.busy = busy;
        this.idleReleaseNanos = idleReleaseNanos;
        this.clock = clock;
        this.waiter = waiter;
        this.lastBatchNanos = clock.getAsLong();
    }

    /** Steps until {@link #stop} or a fault, then collects the batch still in flight (the executor's thread body). */
    void run() {
        while (running) {
            step();
        }
        // The batch in flight is collected and delivered before the pipeline is closed; waiting
        // for the device's other in-flight work belongs to the pipeline.
        if (inFlight != null) {
            Started last = inFlight;
            inFlight = null;
            complete(last);
        }
    }

    /** One turn; a bug in planning or bookkeeping is logged and must not stop inference for everyone. */
    void step() {
        try {
            inFlight = turn(inFlight);
        } catch (RuntimeException e) {
            LOG.error("inference loop turn failed; continuing", e);
            inFlight = null;
        }
    }

    /** Ends {@link #run} after its current turn. */
    void stop() {
        running = false;
    }

    boolean running() {
        return running;
    }

    /** Completes when the pipeline faulted for good; it never completes otherwise. */
    CompletableFuture<PipelineFault> fault() {
        return fault;
    }

    /** Plans, then starts and/or collects a batch, or waits. Returns the batch in flight. */
    private Started turn(Started inFlight) {
        long now = clock.getAsLong();
        BatchPlanner.Decision<ClientSlot> decision = scan.plan(clients, now);
        if (!decision.runNow()) {
            if (inFlight != null) {
                // Nothing to overlap with: collect the batch in flight now rather than wait.
                complete(inFlight);
            } else if (decision.deadlineNanos() == Long.MAX_VALUE) {
                idle(now);
            } else {
                waiter.waitUntil(now, decision.deadlineNanos());
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
     * Nothing to run and nothing due: wait for a frame — but once no batch has started for the
     * idle-release time, first let the pipeline give back what past batches grew (ONNX Runtime's
     * arena otherwise keeps the memory of the largest batch it ever ran, a burst's ~200 MB).
     */
    private void idle(long now) {
        if (idleReleased) {
            waiter.waitUntil(now, Long.MAX_VALUE);
            return;
        }
        long due = lastBatchNanos + idleReleaseNanos;
        if (now - due < 0) {
            waiter.waitUntil(now, due);
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
                items.add(new BatchItem(frame, slot.paramsNow(), slot.stabiliser()));
            }
        }
        if (items.isEmpty()) {
            return null;
        }
        long takenNanos = clock.getAsLong();
        lastBatchNanos = takenNanos;
        idleReleased = false;
        for (I420Frame frame : frames) {
            frame.times().taken(takenNanos);
        }
        try {
            return new Started(recipients, frames, pipeline.start(items), takenNanos);
        } catch (Exception | LinkageError e) {
            busy.busy(takenNanos, clock.getAsLong());
            outcomes.fail(recipients, frames, e);
            faultIf(e);
            return null;
        }
    }

    /** Waits for a started batch, stamps its stage times on its frames, hands it on. */
    private void complete(Started batch) {
        BatchResult result;
        try {
            result = batch.work().finish();
        } catch (Exception | LinkageError e) {
            busy.busy(batch.startNanos(), clock.getAsLong());
            outcomes.fail(batch.recipients(), batch.frames(), e);
            faultIf(e);
            return;
        }
        long done = clock.getAsLong();
        busy.busy(batch.startNanos(), done);
        for (I420Frame frame : batch.frames()) {
            frame.times().batchStages(result.preprocessMs(), result.inferenceMs(), result.unprojectMs());
            frame.times().stabilised(result.stabiliseMs());
        }
        // What the batch cost the backend (its stages; on an overlapping device, its own device
        // time, not the wait behind the batch before it): the planner's next choices follow it.
        costs.record(
                batch.frames().size(),
                result.preprocessMs()
                        + result.inferenceMs()
                        + (result.stabilised() ? result.stabiliseMs() : 0)
                        + result.unprojectMs(),
                clock.getAsLong());
        outcomes.deliver(batch.recipients(), batch.frames(), result);
    }

    /** A fault ends the loop: no further batch is planned on a pipeline that cannot run one. */
    private void faultIf(Throwable e) {
        if (e instanceof PipelineFault f && fault.complete(f)) {
            running = false;
            LOG.error(
                    "the {} pipeline faulted and can run no further batch: {}", pipeline.backendName(), f.getMessage());
        }
    }
}
