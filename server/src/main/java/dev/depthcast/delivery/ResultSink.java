package dev.depthcast.delivery;

/** Where one client's encoded results go (its WebSocket, or a test's collector). */
public interface ResultSink {

    /** Hands over an encoded message; must not block. Older unsent results may be dropped for it. */
    void publish(byte[] message);

    /**
     * {@link #publish(byte[])} of the result of frame {@code seq} at link level {@code level}, which
     * a sink that waits for the client's acks matches them against.
     */
    default void publish(byte[] message, long seq, int level) {
        publish(message);
    }

    /**
     * Tells the client a frame could not be processed, in a short reason fit for a browser (never
     * exception text: that goes to the server log). Must not block.
     */
    void error(String reason);

    /** True once the client has left: its results are dropped as client-gone, not encoded. */
    default boolean clientGone() {
        return false;
    }
}
