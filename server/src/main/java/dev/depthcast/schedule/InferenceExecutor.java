package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.metrics.WallClock;
import dev.depthcast.metrics.PipelineMetrics.Drop;
import dev.depthcast.metrics.PipelineMetrics.Stage;
import dev.depthcast.process.PointCloud;
import dev.depthcast.wire.PointCloudCodec;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.StageTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that owns the model: gathers the latest frame of every client that has one (as
 * {@link BatchPlanner} decides), runs ONE batched inference, and hands the point clouds to a
 * fan-out thread that encodes them and gives each to its client's sink. Nothing here blocks a
 * WebRTC or Vert.x thread: producers only swap a mailbox slot and unpark this thread.
 */
public final class InferenceExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);

    private final DepthPipeline pipeline;
    private final SchedulingPolicy policy;
    private final BatchPlanner planner;
    private final PipelineMetrics metrics;
    private final Map<String, ClientSlot> clients = new ConcurrentHashMap<>();
    private final ExecutorService fanout;
    private final Thread thread;
    private volatile boolean running = true;
    private long failures;

    public InferenceExecutor(DepthPipeline pipeline, SchedulingPolicy policy, PipelineMetrics metrics) {
        if (policy.maxBatch() > pipeline.maxBatch()) {
            throw new IllegalArgumentException("max batch " + policy.maxBatch() + " exceeds what the "
                    + pipeline.backendName() + " pipeline was built for (" + pipeline.maxBatch() + ")");
        }
        this.pipeline = pipeline;
        this.policy = policy;
        this.planner = new BatchPlanner(policy);
        this.metrics = metrics;
        this.fanout = Executors.newSingleThreadExecutor(r -> daemon(r, "depthcast-fanout"));
        this.thread = daemon(this::loop, "depthcast-inference");
        thread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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

    /** A started batch: who it is for, and when its frames left their mailboxes. */
    private record Started(List<ClientSlot> owners, List<BatchItem> items, long takenNanos,
                           DepthPipeline.InFlight work) {
    }

    private void loop() {
        long activeWindow = policy.activeWindow().toNanos();
        List<BatchPlanner.Ready<ClientSlot>> ready = new ArrayList<>();
        // With a pipeline that overlaps batches (the GPU), one batch stays in flight while the
        // next is queued; otherwise each batch completes before the next is planned.
        Started inFlight = null;
        while (running) {
            try {
                inFlight = step(ready, activeWindow, inFlight);
            } catch (RuntimeException e) {
                // A bug in planning or bookkeeping must not stop inference for everyone.
                LOG.error("inference loop step failed; continuing", e);
                inFlight = null;
            }
        }
        if (inFlight != null) {
            complete(inFlight);
        }
    }

    /** One turn of the loop: plan, then start and/or collect a batch, or wait. Returns the batch in flight. */
    private Started step(List<BatchPlanner.Ready<ClientSlot>> ready, long activeWindow, Started inFlight) {
        long now = System.nanoTime();
        ready.clear();
        int streaming = 0;
        for (ClientSlot c : clients.values()) {
            if (c.mailbox().peek() != null) {
                ready.add(new BatchPlanner.Ready<>(c, c.mailbox().readySinceNanos()));
            }
            if (now - c.mailbox().lastOfferNanos() < activeWindow) {
                streaming++;
            }
        }
        BatchPlanner.Decision<ClientSlot> decision = planner.plan(ready, streaming, now);
        if (!decision.runNow()) {
            if (inFlight != null) {
                // Nothing to overlap with: collect the batch in flight now rather than wait.
                complete(inFlight);
                inFlight = null;
            } else if (decision.deadlineNanos() == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, decision.deadlineNanos() - now);
            }
            return inFlight;
        }
        Started next = start(decision.batch());
        if (inFlight != null) {
            complete(inFlight);
            inFlight = null;
        }
        if (next != null) {
            if (pipeline.overlapsBatches()) {
                inFlight = next;
            } else {
                complete(next);
            }
        }
        return inFlight;
    }

    /** Takes the chosen clients' frames and starts their batch; null if none had a frame or it failed. */
    private Started start(List<ClientSlot> chosen) {
        List<ClientSlot> owners = new ArrayList<>(chosen.size());
        List<BatchItem> items = new ArrayList<>(chosen.size());
        for (ClientSlot slot : chosen) {
            I420Frame frame = slot.mailbox().take();
            if (frame != null) {
                owners.add(slot);
                items.add(new BatchItem(frame, slot.params()));
            }
        }
        if (items.isEmpty()) {
            return null;
        }
        long takenNanos = System.nanoTime();
        try {
            return new Started(owners, items, takenNanos, pipeline.start(items));
        } catch (Exception | LinkageError e) {
            reportFailure(owners, e);
            return null;
        }
    }

    /** Waits for a started batch and hands its clouds to the fan-out thread. */
    private void complete(Started batch) {
        BatchResult result;
        try {
            result = batch.work().finish();
        } catch (Exception | LinkageError e) {
            reportFailure(batch.owners(), e);
            return;
        }
        metrics.batch(batch.items().size());
        metrics.stage(Stage.PREPROCESS, result.preprocessMs());
        metrics.stage(Stage.INFERENCE, result.inferenceMs());
        metrics.stage(Stage.UNPROJECT, result.unprojectMs());
        fanout.execute(() -> deliver(batch.owners(), batch.items(), result, batch.takenNanos()));
    }

    private void deliver(List<ClientSlot> owners, List<BatchItem> items, BatchResult result, long takenNanos) {
        for (int i = 0; i < owners.size(); i++) {
            ClientSlot slot = owners.get(i);
            I420Frame frame = items.get(i).frame();
            PointCloud cloud = result.clouds().get(i);
            double queueMs = (takenNanos - frame.ingestNanos()) / 1e6;
            metrics.stage(Stage.INGEST, frame.ingestMs());
            metrics.stage(Stage.QUEUE, queueMs);
            if (!clients.containsKey(slot.id())) {
                metrics.dropped(Drop.CLIENT_GONE, 1);
                continue;
            }
            StageTimes times = new StageTimes(frame.ingestMs(), queueMs, result.preprocessMs(),
                    result.inferenceMs(), result.unprojectMs(), 0);
            PointCloudCodec.Encoded encoded = PointCloudCodec.encode(message(slot, frame, cloud, times,
                    items.size()));
            metrics.stage(Stage.ENCODE, encoded.encodeMs());
            slot.sink().publish(encoded.bytes());
        }
    }

    private PointCloudMessage message(ClientSlot slot, I420Frame frame, PointCloud cloud, StageTimes times,
                                      int batch) {
        return new PointCloudMessage(PointCloudCodec.VERSION, frame.seq(), frame.timestampUs(),
                frame.ingestEpochUs(), WallClock.epochMicros(), cloud.gridWidth(), cloud.gridHeight(), cloud.stride(),
                cloud.count(), cloud.xyz(), cloud.rgb(), cloud.intrinsics(), cloud.near(), cloud.far(), times,
                batch, slot.mailbox().dropped() + slot.sink().superseded(), pipeline.preset().name(),
                pipeline.backendName());
    }

    private void reportFailure(List<ClientSlot> owners, Throwable e) {
        metrics.dropped(Drop.MODEL_ERROR, owners.size());
        failures++;
        // One line per failure would flood the log at 30 fps; log the first and then every 100th.
        if (failures == 1 || failures % 100 == 0) {
            LOG.error("inference failed on a batch of {} ({} failures so far); the server keeps serving",
                    owners.size(), failures, e);
        }
        String text = "inference failed: " + e;
        for (ClientSlot slot : owners) {
            slot.sink().error(text);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fanout.shutdown();
        try {
            fanout.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pipeline.close();
    }
}
