package dev.depthcast.schedule;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One look at the clients per executor turn: who has a frame ready (and since when), how many are
 * streaming (sent a frame within the active window) — then {@link BatchPlanner}'s decision, on
 * the batch costs learned so far. Part of {@link ExecutorLoop}'s turn. Used from one thread (it
 * reuses its list).
 *
 * @param <C> the executor's client type
 */
final class ClientScan<C> {

    private final BatchPlanner planner;
    private final long activeWindowNanos;
    private final Function<C, LatestFrameMailbox> mailboxOf;
    private final List<BatchPlanner.Ready<C>> ready = new ArrayList<>();

    ClientScan(SchedulingPolicy policy, BatchCosts costs, Function<C, LatestFrameMailbox> mailboxOf) {
        this.planner = new BatchPlanner(policy, costs);
        this.activeWindowNanos = policy.activeWindow().toNanos();
        this.mailboxOf = mailboxOf;
    }

    /** Scans {@code clients} at {@code nowNanos} and plans: run a batch now, or wait until a deadline. */
    BatchPlanner.Decision<C> plan(Iterable<C> clients, long nowNanos) {
        ready.clear();
        int streaming = 0;
        for (C client : clients) {
            LatestFrameMailbox mailbox = mailboxOf.apply(client);
            I420Frame frame = mailbox.peek();
            if (frame != null) {
                ready.add(new BatchPlanner.Ready<>(client, mailbox.readySinceNanos(), frame.ingestNanos()));
            }
            // offered() first: before its first frame, lastOfferNanos is 0, which is no time at all.
            if (mailbox.offered() > 0 && nowNanos - mailbox.lastOfferNanos() < activeWindowNanos) {
                streaming++;
            }
        }
        return planner.plan(ready, streaming, nowNanos);
    }
}
