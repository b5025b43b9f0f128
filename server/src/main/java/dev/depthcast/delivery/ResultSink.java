package dev.depthcast.delivery;

/** Where one client's encoded results go (its WebSocket, or a test's collector). */
public interface ResultSink {

    /** Hands over an encoded message; must not block. Older unsent results may be dropped for it. */
    void publish(byte[] message);

    /** Tells the client a frame could not be processed (e.g. the model failed). Must not block. */
    void error(String message);

    /** Results this sink dropped because a newer one replaced them before they could be sent. */
    default long superseded() {
        return 0;
    }
}
