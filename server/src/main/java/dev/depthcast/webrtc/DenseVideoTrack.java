package dev.depthcast.webrtc;

import dev.depthcast.delivery.DenseVideoOut;
import dev.depthcast.wire.DenseFrame;
import dev.depthcast.wire.DenseLayout;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.nio.ByteBuffer;

/**
 * A session's dense video track, server → browser: each {@link DenseFrame} copied into a native
 * I420 buffer and pushed into a {@link CustomVideoSource}, which libwebrtc encodes with the codec
 * the browser's offer put first (VP8 in Chromium) at the bitrate its congestion control allows.
 * Push and close hold one lock: a frame the fan-out thread pushes while the session closes must
 * not reach a disposed source.
 */
public final class DenseVideoTrack implements DenseVideoOut {

    private final CustomVideoSource source = new CustomVideoSource();
    private final VideoTrack track;
    private boolean closed;
    private long lastTimestampNanos = Long.MIN_VALUE;

    public DenseVideoTrack(PeerConnectionFactory factory, String id) {
        this.track = factory.createVideoTrack(id, source);
    }

    public VideoTrack track() {
        return track;
    }

    @Override
    public synchronized void push(DenseFrame frame, long timestampNanos) {
        if (closed) {
            return;
        }
        DenseLayout l = frame.layout();
        NativeI420Buffer buffer = NativeI420Buffer.allocate(l.width(), l.height());
        try {
            copy(frame.y(), l.width(), l.height(), buffer.getDataY(), buffer.getStrideY());
            copy(frame.u(), l.chromaWidth(), l.chromaHeight(), buffer.getDataU(), buffer.getStrideU());
            copy(frame.v(), l.chromaWidth(), l.chromaHeight(), buffer.getDataV(), buffer.getStrideV());
            // libwebrtc drops a frame whose timestamp does not advance.
            long ts = Math.max(timestampNanos, lastTimestampNanos + 1_000_000);
            lastTimestampNanos = ts;
            VideoFrame videoFrame = new VideoFrame(buffer, ts);
            source.pushFrame(videoFrame);
        } finally {
            buffer.release();
        }
    }

    private static void copy(byte[] plane, int width, int height, ByteBuffer into, int stride) {
        if (stride == width) {
            into.put(0, plane, 0, width * height);
            return;
        }
        for (int row = 0; row < height; row++) {
            into.put(row * stride, plane, row * width, width);
        }
    }

    /** Stops the track: frames pushed after this are dropped. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Frees the native track and source; only once the peer connection that sent them is closed. */
    synchronized void dispose() {
        closed = true;
        track.dispose();
        source.dispose();
    }
}
