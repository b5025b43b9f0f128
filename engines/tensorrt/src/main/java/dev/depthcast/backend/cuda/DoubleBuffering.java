package dev.depthcast.backend.cuda;

/**
 * Bookkeeping of the two buffer sets (A, B). Batch k uses set {@code k % 2}; at most two batches
 * are in flight (submitted, not yet finished) and they finish in submission order. So when batch
 * k+2 starts staging into set k%2, batch k has been finished — its upload done and its results
 * read out of the pinned buffers — and the set is free. Pure Java; not thread-safe (the inference
 * executor is the only caller).
 */
public final class DoubleBuffering {

    /** A submitted batch: its sequence number and buffer set. */
    public record Ticket(long seq, int set) {}

    private final long[] holder = {-1, -1};
    private long nextSeq;
    private long nextToFinish;

    /** Claims the next set for a new batch; throws when two batches are already in flight. */
    public Ticket begin() {
        int set = (int) (nextSeq % BufferPlan.SETS);
        if (holder[set] >= 0) {
            throw new IllegalStateException(
                    "both buffer sets are in flight: finish batch " + holder[set] + " before submitting another");
        }
        holder[set] = nextSeq;
        return new Ticket(nextSeq++, set);
    }

    /** Releases a batch's set; batches finish in the order they were submitted. */
    public void finish(Ticket t) {
        if (t.seq() != nextToFinish || holder[t.set()] != t.seq()) {
            throw new IllegalStateException(
                    "batch " + t.seq() + " finished out of order (next is " + nextToFinish + ")");
        }
        holder[t.set()] = -1;
        nextToFinish++;
    }

    /** Forgets a batch that failed before it was submitted to the device. */
    public void abandon(Ticket t) {
        if (t.seq() != nextSeq - 1 || holder[t.set()] != t.seq()) {
            throw new IllegalStateException("only the newest batch can be abandoned");
        }
        holder[t.set()] = -1;
        nextSeq--;
    }

    public int inFlight() {
        return (int) (nextSeq - nextToFinish);
    }

    /** The oldest unfinished batch's sequence number, or -1. */
    public long oldest() {
        return inFlight() == 0 ? -1 : nextToFinish;
    }
}
