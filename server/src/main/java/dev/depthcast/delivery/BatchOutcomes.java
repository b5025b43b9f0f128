package dev.depthcast.delivery;

import dev.depthcast.backend.BatchResult;
import dev.depthcast.ingest.I420Frame;
import java.util.List;

/**
 * Where the inference executor hands each batch's outcome: its clouds, or its failure. Called on
 * the executor's thread, so an implementation only enqueues ({@link ResultDelivery}) or records
 * (the fake-clock tests): it must not delay the next batch.
 */
public interface BatchOutcomes {

    /** A batch finished: {@code frames.get(i)} came from {@code to.get(i)}, its cloud is {@code result.clouds().get(i)}. */
    void deliver(List<Recipient> to, List<I420Frame> frames, BatchResult result);

    /** A batch failed (to start or to finish): its clients lose these frames. */
    void fail(List<Recipient> to, List<I420Frame> frames, Throwable cause);
}
