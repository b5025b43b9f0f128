package dev.depthcast.delivery;

import dev.depthcast.wire.DenseFrame;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session's dense delivery (docs/protocol.md, "Dense frames"): whether its offer negotiated the
 * video track and whether its page wants frames on it now. The page turns it off when its user
 * switches to sparse or when the track stalls (no frame for 2 s), and on again; while it is off
 * the session gets schema 2 as if it had never asked. Read on the executor and fan-out threads,
 * switched on the socket's event loop.
 */
public final class DenseChannel implements AutoCloseable {

    private static final DenseChannel NONE = new DenseChannel(null, "");

    private final DenseVideoOut out;
    private final String refusal;
    private final AtomicLong framesSent = new AtomicLong();
    private volatile boolean wanted = true;
    private volatile boolean closed;

    /**
     * @param out the negotiated track, or null when the session has none
     * @param refusal why a session that asked has no track (shown by its page), or "" when it did not ask
     */
    public DenseChannel(DenseVideoOut out, String refusal) {
        this.out = out;
        this.refusal = refusal;
    }

    /** A session that did not ask for dense frames. */
    public static DenseChannel none() {
        return NONE;
    }

    /** Whether the session's offer negotiated the track. */
    public boolean negotiated() {
        return out != null;
    }

    /** Whether this session's next frame goes out dense. */
    public boolean active() {
        return out != null && wanted && !closed;
    }

    /** The page's wish: dense frames (true) or schema 2 (false). */
    public void want(boolean dense) {
        wanted = dense;
    }

    /** Why a session that asked got no track; "" otherwise. */
    public String refusal() {
        return refusal;
    }

    public long framesSent() {
        return framesSent.get();
    }

    /** Sends one frame on the track (only while {@link #active()}). */
    void push(DenseFrame frame, long timestampNanos) {
        if (active()) {
            out.push(frame, timestampNanos);
            framesSent.incrementAndGet();
        }
    }

    /** The track ends with its session. */
    @Override
    public void close() {
        closed = true;
        if (out != null) {
            out.close();
        }
    }
}
