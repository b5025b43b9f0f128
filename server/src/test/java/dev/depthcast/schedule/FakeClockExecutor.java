package dev.depthcast.schedule;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * A discrete-event twin of {@link InferenceExecutor}'s loop on a fake clock: the same
 * {@link ClientScan} (and so the same {@link BatchPlanner}), real {@link LatestFrameMailbox}es,
 * clients offering frames on their own cadence, and a device that is busy for {@code cost(n)} ns
 * per batch. Each executor turn mirrors {@code InferenceExecutor.turn}: every offer re-plans
 * while the executor is free (the real one is unparked by each offer), as do a planner deadline
 * and the executor's return from collecting a batch.
 *
 * <p>{@code overlapping} mirrors a pipeline whose {@code overlapsBatches()} is true (the GPU's):
 * batch k+1 is started — its frames taken and its device work queued behind batch k — before k
 * is collected, and a batch in flight is collected at once when nothing is ready to run.
 * Deterministic: no threads, no sleeping, hours of traffic in milliseconds.
 */
final class FakeClockExecutor {

    static final long MS = 1_000_000L;

    /** A camera: first frame at {@code phase}, then every {@code period}, while in [start, stop). */
    static final class Client {
        final String name;
        final long period;
        final long start;
        final long stop;
        long dropped;
        final LatestFrameMailbox mailbox = new LatestFrameMailbox(() -> { }, () -> dropped++);
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

    /** A started batch: its clients, their frames, when it was started, its device cost and when the device finishes it. */
    private record Started(List<Client> clients, List<I420Frame> frames, long start, long cost, long done) {
    }

    private final ClientScan<Client> scan;
    private final IntToLongFunction cost;
    final BatchCosts costs;
    private boolean learning = true;
    private final boolean overlapping;
    final List<Client> clients = new ArrayList<>();
    final List<Batch> batches = new ArrayList<>();
    private static final byte[] Y = new byte[4];
    private static final byte[] UV = new byte[1];
    private long deviceFreeAt;
    private long clock;
    private Started inFlight;

    FakeClockExecutor(SchedulingPolicy policy, IntToLongFunction costNanos) {
        this(policy, costNanos, false);
    }

    FakeClockExecutor(SchedulingPolicy policy, IntToLongFunction costNanos, boolean overlapping) {
        this(policy, costNanos, overlapping, new BatchCosts(policy.maxBatch()));
    }

    /**
     * @param costs what the planner starts from (e.g. a calibration's curve); like the real
     *              executor, the twin records every batch's device cost into it
     */
    FakeClockExecutor(SchedulingPolicy policy, IntToLongFunction costNanos, boolean overlapping, BatchCosts costs) {
        this.costs = costs;
        this.scan = new ClientScan<>(policy, costs, c -> c.mailbox);
        this.cost = costNanos;
        this.overlapping = overlapping;
    }

    /**
     * Records no batch cost, so the planner never learns one: with no calibration either, it
     * batches all that is ready up to max batch — the executor as it was before it learned costs.
     */
    FakeClockExecutor greedy() {
        learning = false;
        return this;
    }

    /** The fake clock's time (a cost function may read it, to change the curve mid-run as load on a machine does). */
    long now() {
        return clock;
    }

    Client client(String name, double fps, long phaseNanos) {
        return client(name, fps, phaseNanos, 0, Long.MAX_VALUE);
    }

    Client client(String name, double fps, long phaseNanos, long start, long stop) {
        Client c = new Client(name, (long) (1e9 / fps), phaseNanos, start, stop);
        clients.add(c);
        return c;
    }

    /** Runs until {@code end} (fake ns). */
    void run(long end) {
        long busyUntil = -1; // the executor thread is blocked collecting a batch until then
        long deadline = Long.MAX_VALUE;
        while (true) {
            long nextArrival = Long.MAX_VALUE;
            for (Client c : clients) {
                if (c.next < c.stop) {
                    nextArrival = Math.min(nextArrival, c.next);
                }
            }
            long nextExecutor = busyUntil >= 0 ? busyUntil : deadline;
            long now = Math.min(nextArrival, nextExecutor);
            if (now >= end || now == Long.MAX_VALUE) {
                return;
            }
            clock = now;
            for (Client c : clients) {
                while (c.next <= now && c.next < c.stop) {
                    c.mailbox.offer(new I420Frame(2, 2, Y, UV, UV, ++c.seq, 0, c.next, 0, 0));
                    c.next += c.period;
                }
            }
            if (busyUntil > now) {
                continue; // an offer while the executor is blocked: it plans when it returns
            }
            busyUntil = -1;
            deadline = Long.MAX_VALUE;
            // One turn, as InferenceExecutor.turn: plan; start and/or collect, or wait.
            BatchPlanner.Decision<Client> d = scan.plan(clients, now);
            if (!d.runNow()) {
                if (inFlight != null) {
                    busyUntil = collect(inFlight, now);
                    inFlight = null;
                } else {
                    deadline = d.deadlineNanos();
                }
                continue;
            }
            Started next = start(d.batch(), now);
            long back = now;
            if (inFlight != null) {
                back = collect(inFlight, back);
                inFlight = null;
            }
            if (overlapping) {
                inFlight = next;
            } else {
                back = collect(next, back);
            }
            busyUntil = back;
        }
    }

    /** Takes the batch's frames at {@code now} and queues its device work behind what is queued. */
    private Started start(List<Client> chosen, long now) {
        long oldest = Long.MAX_VALUE;
        long oldestFrame = Long.MAX_VALUE;
        List<I420Frame> frames = new ArrayList<>();
        for (Client c : chosen) {
            oldest = Math.min(oldest, c.mailbox.readySinceNanos());
            I420Frame f = c.mailbox.take();
            oldestFrame = Math.min(oldestFrame, f.ingestNanos());
            frames.add(f);
        }
        batches.add(new Batch(now, chosen.size(), oldest, deviceFreeAt, oldestFrame));
        long batchCost = cost.applyAsLong(chosen.size());
        long done = Math.max(now, deviceFreeAt) + batchCost;
        deviceFreeAt = done;
        return new Started(chosen, frames, now, batchCost, done);
    }

    /** The executor waits for the batch from {@code from}; returns when it has it (and records its results). */
    private long collect(Started batch, long from) {
        long at = Math.max(from, batch.done());
        if (learning) {
            costs.record(batch.clients().size(), batch.cost() / 1e6, at);
        }
        for (int i = 0; i < batch.clients().size(); i++) {
            I420Frame f = batch.frames().get(i);
            batch.clients().get(i).results.add(new Result(f.seq(), f.ingestNanos(), batch.start(), at,
                    batch.clients().size()));
        }
        return at;
    }
}
