package dev.depthcast.testing;

import dev.depthcast.delivery.ResultSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A client's results socket that keeps what it is handed: encoded results and error reasons. Any thread. */
public final class CollectingSink implements ResultSink {

    private final List<byte[]> results = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private volatile boolean gone;

    @Override
    public void publish(byte[] message) {
        results.add(message);
    }

    @Override
    public void error(String reason) {
        errors.add(reason);
    }

    @Override
    public boolean clientGone() {
        return gone;
    }

    /** From now on the client counts as gone (its results are dropped, not encoded). */
    public CollectingSink leave() {
        gone = true;
        return this;
    }

    /** The encoded results so far, in order (a live view). */
    public List<byte[]> results() {
        return results;
    }

    /** The error reasons so far, in order (a live view). */
    public List<String> errors() {
        return errors;
    }
}
