package dev.depthcast.client;

/**
 * Told of every frame the server's dense video track delivers (docs/protocol.md, "Dense
 * frames"), on libwebrtc's decoder thread: must be quick.
 */
@FunctionalInterface
public interface DenseFrameListener {

    /**
     * A decoded frame: its size, its luma plane ({@code width} bytes a row, a copy the listener
     * may keep), the tag its strip carries ({@code seq mod 65536}, or -1 when unreadable), and
     * when it arrived (System.nanoTime).
     */
    record Frame(int width, int height, byte[] luma, int tag, long arrivedNanos) {}

    void received(Frame frame);
}
