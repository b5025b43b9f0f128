package dev.depthcast.schedule;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.delivery.BatchOutcomes;
import dev.depthcast.delivery.ClientLink;
import dev.depthcast.delivery.Recipient;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.testing.CollectingSink;
import dev.depthcast.testing.FakeClock;
import dev.depthcast.testing.FakePipeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * Drives the real {@link ExecutorLoop} on a {@link FakeClock}: cameras offer frames into real
 * {@link LatestFrameMailbox}es on their own cadence, the device is a {@link FakePipeline} busy for
 * {@code cost(n)} ns per batch, and the loop's waits advance the clock — to its deadline or to the
 * next camera's frame, whichever comes first (an offer wakes the real executor the same way).
 * While a batch is collected the clock advances to the device's completion and the frames due by
 * then wait in their mailboxes. Deterministic: no threads, no sleeping, hours of traffic in
 * milliseconds.
 */
final class FakeClockDriver {

    static final long MS = 1_000_000L;

    /** A camera: first frame at {@code phase}, then every {@code period}, while in [start, stop). */
    static final class Client {
        final String name;
        final long period;
        final long start;
        final long stop;
        long dropped;
        final LatestFrameMailbox mailbox = new LatestFrameMailbox(() -> {}, () -> dropped++, frame -> {});
        final List<Result> results = new ArrayList<>();
        long next;
        long seq;

        Client(String name, long period, long phase, long start, long stop) {
            this.name = name;
            this.period = period;
            this.start = start;
            this.stop = stop;
            this.next = start + phase;
        }

        long offered() {
            return mailbox.offered();
        }

        long dropped() {
            return dropped;
        }

        double resultsPerSecond(long from, long to) {
            return results.stream().filter(r -> r.done >= from && r.done < to).count() / ((to - from) / 1e9);
        }
    }

    /** One processed frame: which, when it was ingested, when it was taken into a batch, when collected, batch size. */
    record Result(long seq, long ingest, long start, long done, int batch) {
        long ageAtDone() {
            return done - ingest;
        }

        long queueWait() {
            return start - ingest;
        }
    }

    /**
     * A batch as run: start (frames taken), size, the oldest member's ready-since time, when the
     * device became free before it (the previous batch's end; 0 for the first), and when its
     * oldest frame arrived.
     */
    record Batch(long start, int size, long oldestReadySince, long modelFreeSince, long oldestFrame) {

        /** Its oldest frame arrived while the model was idle: the only case max wait can bound. */
        boolean arrivedWhileIdle() {
            return oldestReadySince >= modelFreeSince;
        }
    }

    private static final byte[] Y = new byte[4];
    private static final byte[] UV = new byte[1];

    private final SchedulingPolicy policy;
    private final FakeClock clock = new FakeClock();
    private final FakePipeline device;
    private final PipelineMetrics metrics = new PipelineMetrics();
    final List<Client> clients = new ArrayList<>();
    final List<Batch> batches = new ArrayList<>();
    private final List<ClientSlot> slots = new ArrayList<>();
    private final Map<Recipient, Client> byRecipient = new HashMap<>();
    private final Map<I420Frame, Client> byFrame = new IdentityHashMap<>();
    private final Map<I420Frame, Long> takenAt = new IdentityHashMap<>();
    BatchCosts costs;
    private long end;

    /** @param costNanos what a batch of n costs the device */
    FakeClockDriver(SchedulingPolicy policy, IntToLongFunction costNanos) {
        this.policy = policy;
        this.costs = new BatchCosts(policy.maxBatch());
        this.device = new FakePipeline(costNanos)
                .maxBatch(policy.maxBatch())
                .on(clock)
                .onStart(this::started);
        clock.onAdvance(this::offerDue);
    }

    /** The device overlaps batches as the GPU pipeline does: the next batch is queued before the one in flight is collected. */
    FakeClockDriver overlapping() {
        device.overlapping();
        return this;
    }

    /**
     * The device reports no stage times (NaN, which {@link BatchCosts#record} skips), so the planner
     * never learns a cost: with no calibration either, it batches all that is ready up to max batch
     * (greedy, as Triton's batcher does).
     */
    FakeClockDriver greedy() {
        device.reportingNoStageTimes();
        return this;
    }

    /** The planner starts from {@code calibrated} (e.g. a start-up calibration's curve); every batch updates it. */
    FakeClockDriver from(BatchCosts calibrated) {
        this.costs = calibrated;
        return this;
    }

    /** The fake clock's time (a cost function may read it, to change the curve mid-run as load on a machine does). */
    long now() {
        return clock.now();
    }

    Client client(String name, double fps, long phaseNanos) {
        return client(name, fps, phaseNanos, 0, Long.MAX_VALUE);
    }

    Client client(String name, double fps, long phaseNanos, long start, long stop) {
        Client c = new Client(name, (long) (1e9 / fps), phaseNanos, start, stop);
        Recipient recipient = new Recipient(
                new CollectingSink(),
                new ClientDrops(metrics),
                ClientLink.fixed(),
                dev.depthcast.delivery.DenseChannel.none());
        clients.add(c);
        slots.add(new ClientSlot(name, c.mailbox, UnprojectParams.DEFAULT, recipient));
        byRecipient.put(recipient, c);
        return c;
    }

    /** Runs the executor, started at time 0, until {@code end} (fake ns). */
    void run(long end) {
        this.end = end;
        ExecutorLoop loop = new ExecutorLoop(
                device,
                policy,
                costs,
                new Recorder(),
                slots,
                new BusyMeter(),
                InferenceExecutor.DEFAULT_IDLE_RELEASE.toNanos(),
                clock,
                this::waitUntil);
        offerDue(clock.now());
        while (clock.now() < end) {
            loop.step();
        }
    }

    /** The executor waits: until its deadline, or until the next frame arrives (an offer wakes it). */
    private void waitUntil(long now, long deadline) {
        long wake = Math.min(deadline, nextArrival());
        clock.advanceTo(wake == Long.MAX_VALUE ? end : wake);
    }

    private long nextArrival() {
        long next = Long.MAX_VALUE;
        for (Client c : clients) {
            if (c.next < c.stop && c.next < end) {
                next = Math.min(next, c.next);
            }
        }
        return next;
    }

    /** Every camera offers the frames it has sent by {@code now} (none from {@code end} on). */
    private void offerDue(long now) {
        for (Client c : clients) {
            while (c.next <= now && c.next < c.stop && c.next < end) {
                I420Frame frame = new I420Frame(2, 2, Y, UV, UV, ++c.seq, 0, c.next, 0, 0);
                byFrame.put(frame, c);
                c.mailbox.offer(frame);
                c.next += c.period;
            }
        }
    }

    /** A batch starts on the device: what its frames waited since, and how long the device had been free. */
    private void started(List<BatchItem> items, long deviceFreeSince) {
        long oldestReady = Long.MAX_VALUE;
        long oldestFrame = Long.MAX_VALUE;
        for (BatchItem item : items) {
            Client c = byFrame.remove(item.frame());
            takenAt.put(item.frame(), clock.now());
            oldestReady = Math.min(oldestReady, c.mailbox.readySinceNanos());
            oldestFrame = Math.min(oldestFrame, item.frame().ingestNanos());
        }
        batches.add(new Batch(clock.now(), items.size(), oldestReady, deviceFreeSince, oldestFrame));
    }

    /** The delivery stage's place: each collected frame becomes its client's result at the time it was collected. */
    private final class Recorder implements BatchOutcomes {

        @Override
        public void deliver(List<Recipient> to, List<I420Frame> frames, BatchResult result) {
            for (int i = 0; i < to.size(); i++) {
                I420Frame f = frames.get(i);
                byRecipient
                        .get(to.get(i))
                        .results
                        .add(new Result(f.seq(), f.ingestNanos(), takenAt.remove(f), clock.now(), frames.size()));
            }
        }

        @Override
        public void fail(List<Recipient> to, List<I420Frame> frames, Throwable cause) {
            throw new AssertionError("the fake device does not fail", cause);
        }
    }
}
