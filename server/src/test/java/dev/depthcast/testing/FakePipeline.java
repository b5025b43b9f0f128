package dev.depthcast.testing;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.PointCloud;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntToLongFunction;

/**
 * A {@link DepthPipeline} whose batches cost {@code cost(n)} ns — reported as the inference stage —
 * and answer as scripted ({@link Answer}); one empty cloud per frame. Time passes as configured:
 * not at all (the default), asleep in real time ({@link #sleeping()}), or on a {@link FakeClock}
 * ({@link #on}), where batches queue on one device and an {@link #overlapping()} pipeline returns
 * from {@code start} before its batch is done, as the GPU's does.
 *
 * <p>Configure before use; then called from the executor's thread, observed from any.
 */
public final class FakePipeline implements DepthPipeline {

    /** What a batch does. */
    public enum Answer {
        /** Its clouds, after its cost. */
        OK,
        /** Throws an ordinary exception: the batch is lost, the pipeline serves on. */
        FAIL,
        /** Throws a {@link PipelineFault}: the pipeline can run no further batch. */
        FAULT,
        /** Blocks until {@link #release()} (at most 30 s), then answers. */
        HANG
    }

    /** Sees each batch as it starts on the fake clock's device. */
    public interface StartListener {
        /** @param deviceFreeSinceNanos when the device finished the batch before (0 for the first) */
        void started(List<BatchItem> items, long deviceFreeSinceNanos);
    }

    private static final PointCloud EMPTY =
            new PointCloud(0, new float[0], new byte[0], 4, 4, 1, Intrinsics.of(4, 4, 4, 4, 60), 0.4f, 4f);

    private final IntToLongFunction costNanos;
    private String backendName = "fake";
    private int maxBatch = 8;
    private List<Answer> script = List.of();
    private boolean sleeping;
    private FakeClock clock;
    private boolean overlapping;
    private boolean reportsStageTimes = true;
    private double firstRunExtraMs;
    private StartListener startListener = (items, free) -> {};
    private long deviceFreeAt;

    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger idleReleases = new AtomicInteger();
    private final List<Integer> runs = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean closed;

    /** @param costNanos what a batch of n costs the device, ns */
    public FakePipeline(IntToLongFunction costNanos) {
        this.costNanos = costNanos;
    }

    /** A pipeline whose batches cost nothing. */
    public static FakePipeline free() {
        return new FakePipeline(n -> 0);
    }

    /** A batch of n costs {@code fixedMs + perItemMs x n}. */
    public static FakePipeline costing(double fixedMs, double perItemMs) {
        return new FakePipeline(n -> (long) ((fixedMs + perItemMs * n) * 1e6));
    }

    public FakePipeline named(String backendName) {
        this.backendName = backendName;
        return this;
    }

    public FakePipeline maxBatch(int maxBatch) {
        this.maxBatch = maxBatch;
        return this;
    }

    /** Batch k (from 0) answers {@code answers[k]}; every batch after the script answers OK. */
    public FakePipeline answers(Answer... answers) {
        this.script = List.of(answers);
        return this;
    }

    /** Each batch sleeps its cost in real time (a device that is busy while the CPU is free). */
    public FakePipeline sleeping() {
        this.sleeping = true;
        return this;
    }

    /** Each batch's cost passes on {@code clock}, on one device that runs its batches in order. */
    public FakePipeline on(FakeClock clock) {
        this.clock = clock;
        return this;
    }

    /** {@code start} queues the batch and returns; its clouds are collected when the device is done (needs {@link #on}). */
    public FakePipeline overlapping() {
        this.overlapping = true;
        return this;
    }

    /** Reports no stage times (NaN), as a backend that cannot time its stages: nothing learns a cost from it. */
    public FakePipeline reportingNoStageTimes() {
        this.reportsStageTimes = false;
        return this;
    }

    /** The first batch of each size reports {@code ms} more than its cost (a runtime planning memory for a new shape). */
    public FakePipeline firstRunOfEachSizeSlowerBy(double ms) {
        this.firstRunExtraMs = ms;
        return this;
    }

    public FakePipeline onStart(StartListener listener) {
        this.startListener = listener;
        return this;
    }

    /** The clock given to {@link #on}, or null. */
    public FakeClock clock() {
        return clock;
    }

    /** Batches started so far, failed ones included. */
    public int batches() {
        return batches.get();
    }

    /** The sizes of the batches that answered, in order. */
    public List<Integer> runs() {
        return runs;
    }

    /** How often the executor told it to give back idle memory. */
    public int idleReleases() {
        return idleReleases.get();
    }

    public boolean closed() {
        return closed;
    }

    /** Lets a {@link Answer#HANG}ing batch finish. */
    public void release() {
        release.countDown();
    }

    @Override
    public String backendName() {
        return backendName;
    }

    @Override
    public Preset preset() {
        return Preset.RELIEF;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public boolean overlapsBatches() {
        return overlapping;
    }

    @Override
    public BatchResult run(List<BatchItem> items) throws Exception {
        return start(items).finish();
    }

    @Override
    public InFlight start(List<BatchItem> items) throws Exception {
        int k = batches.getAndIncrement();
        Answer answer = k < script.size() ? script.get(k) : Answer.OK;
        switch (answer) {
            case FAIL -> throw new IllegalStateException("scripted failure of batch " + k);
            case FAULT ->
                throw new PipelineFault("GPU fault: cuEventSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)", null);
            case HANG -> release.await(30, TimeUnit.SECONDS);
            default -> {}
        }
        long cost = costNanos.applyAsLong(items.size());
        if (clock == null) {
            if (sleeping) {
                sleep(cost);
            }
            BatchResult result = answer(items, cost);
            return () -> result;
        }
        long now = clock.now();
        startListener.started(items, deviceFreeAt);
        long done = Math.max(now, deviceFreeAt) + cost;
        deviceFreeAt = done;
        BatchResult result = answer(items, cost);
        if (!overlapping) {
            clock.advanceTo(done);
            return () -> result;
        }
        return () -> {
            clock.advanceTo(done);
            return result;
        };
    }

    private BatchResult answer(List<BatchItem> items, long cost) {
        runs.add(items.size());
        double ms = cost / 1e6;
        if (firstRunExtraMs != 0 && Collections.frequency(runs, items.size()) == 1) {
            ms += firstRunExtraMs;
        }
        if (!reportsStageTimes) {
            ms = Double.NaN;
        }
        return new BatchResult(new ArrayList<>(Collections.nCopies(items.size(), EMPTY)), 0, ms, 0);
    }

    private static void sleep(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    @Override
    public void releaseIdleMemory() {
        idleReleases.incrementAndGet();
    }

    @Override
    public void close() {
        closed = true;
    }
}
