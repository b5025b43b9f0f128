package dev.depthcast.schedule;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * A discrete-event twin of {@link InferenceExecutor}'s loop on a fake clock: the real
 * {@link BatchPlanner} and real {@link LatestFrameMailbox}es, clients offering frames on their own
 * cadence, a model that is busy for {@code cost(n)} ns per batch. Every offer re-plans (the real
 * executor is unparked by each offer), as does the end of a batch and a planner deadline.
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
        final LatestFrameMailbox mailbox = new LatestFrameMailbox(() -> { });
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
            return mailbox.dropped();
        }

        double resultsPerSecond(long from, long to) {
            return results.stream().filter(r -> r.done >= from && r.done < to).count() / ((to - from) / 1e9);
        }
    }

    /** One processed frame: which, when it was ingested, when its batch started and ended, batch size. */
    record Result(long seq, long ingest, long start, long done, int batch) {
        long ageAtDone() {
            return done - ingest;
        }

        long queueWait() {
            return start - ingest;
        }
    }

    /**
     * A batch as run: start, size, the oldest member's ready-since time, and when the model became
     * free before it (the previous batch's end; 0 for the first).
     */
    record Batch(long start, int size, long oldestReadySince, long modelFreeSince) {

        /** Its oldest frame arrived while the model was idle: the only case max wait can bound. */
        boolean arrivedWhileIdle() {
            return oldestReadySince >= modelFreeSince;
        }
    }

    private final BatchPlanner planner;
    private final SchedulingPolicy policy;
    private final IntToLongFunction cost;
    final List<Client> clients = new ArrayList<>();
    final List<Batch> batches = new ArrayList<>();
    private static final byte[] Y = new byte[4];
    private static final byte[] UV = new byte[1];

    FakeClockExecutor(SchedulingPolicy policy, IntToLongFunction costNanos) {
        this.policy = policy;
        this.planner = new BatchPlanner(policy);
        this.cost = costNanos;
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
        long now = 0;
        long busyUntil = -1;
        long deadline = Long.MAX_VALUE;
        long freeSince = 0;
        List<Client> inBatch = List.of();
        List<I420Frame> frames = List.of();
        long batchStart = 0;
        while (true) {
            long nextArrival = Long.MAX_VALUE;
            for (Client c : clients) {
                if (c.next < c.stop) {
                    nextArrival = Math.min(nextArrival, c.next);
                }
            }
            long nextExecutor = busyUntil >= 0 ? busyUntil : deadline;
            now = Math.min(nextArrival, nextExecutor);
            if (now >= end || now == Long.MAX_VALUE) {
                return;
            }
            for (Client c : clients) {
                while (c.next <= now && c.next < c.stop) {
                    c.mailbox.offer(new I420Frame(2, 2, Y, UV, UV, ++c.seq, 0, c.next, 0, 0));
                    c.next += c.period;
                }
            }
            if (busyUntil >= 0) {
                if (now < busyUntil) {
                    continue; // an offer while busy: nothing to plan until the batch ends
                }
                for (int i = 0; i < inBatch.size(); i++) {
                    I420Frame f = frames.get(i);
                    inBatch.get(i).results.add(new Result(f.seq(), f.ingestNanos(), batchStart, now, inBatch.size()));
                }
                busyUntil = -1;
                freeSince = now;
            }
            List<BatchPlanner.Ready<Client>> ready = new ArrayList<>();
            int streaming = 0;
            for (Client c : clients) {
                if (c.mailbox.peek() != null) {
                    ready.add(new BatchPlanner.Ready<>(c, c.mailbox.readySinceNanos()));
                }
                if (c.mailbox.offered() > 0 && now - c.mailbox.lastOfferNanos() < policy.activeWindow().toNanos()) {
                    streaming++;
                }
            }
            BatchPlanner.Decision<Client> d = planner.plan(ready, streaming, now);
            if (!d.runNow()) {
                deadline = d.deadlineNanos();
                continue;
            }
            deadline = Long.MAX_VALUE;
            long oldest = Long.MAX_VALUE;
            inBatch = d.batch();
            frames = new ArrayList<>();
            for (Client c : inBatch) {
                oldest = Math.min(oldest, c.mailbox.readySinceNanos());
                frames.add(c.mailbox.take());
            }
            batches.add(new Batch(now, inBatch.size(), oldest, freeSince));
            batchStart = now;
            busyUntil = now + cost.applyAsLong(inBatch.size());
        }
    }
}
