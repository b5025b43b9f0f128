package dev.depthcast.delivery;

import dev.depthcast.wire.DenseFrame;

/** Where a session's dense frames go: its WebRTC video track (or a test's collector). */
public interface DenseVideoOut extends AutoCloseable {

    /** Hands one frame to the video encoder; must not block. {@code timestampNanos}: its capture time. */
    void push(DenseFrame frame, long timestampNanos);

    /** Ends the track: no frame goes out after this. */
    @Override
    void close();
}
