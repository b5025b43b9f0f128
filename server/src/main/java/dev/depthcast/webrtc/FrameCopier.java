package dev.depthcast.webrtc;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.FrameTimes;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the decoder's native thread for every frame: copies the I420 planes into a tight
 * {@link I420Frame}, drops it into the client's mailbox, releases the native frame, returns.
 * No inference, no locks, no waiting: blocking here slows the whole stream (measured: a 50 ms
 * block cut a 30 fps stream to 20 fps and grew memory).
 */
final class FrameCopier implements VideoTrackSink {

    private static final Logger LOG = LoggerFactory.getLogger(FrameCopier.class);

    private final LatestFrameMailbox mailbox;
    private long seq;
    private boolean reportedBadFrame;

    FrameCopier(LatestFrameMailbox mailbox) {
        this.mailbox = mailbox;
    }

    @Override
    public void onVideoFrame(VideoFrame frame) {
        long t0 = System.nanoTime();
        try {
            I420Buffer buffer = frame.buffer.toI420();
            int w = buffer.getWidth();
            int h = buffer.getHeight();
            if (w < 2 || h < 2) {
                if (!reportedBadFrame) {
                    LOG.warn("ignoring {}x{} frames: too small to process", w, h);
                    reportedBadFrame = true;
                }
                return;
            }
            int cw = I420Frame.chromaWidth(w);
            int ch = I420Frame.chromaHeight(h);
            byte[] y = copyPlane(buffer.getDataY(), buffer.getStrideY(), w, h);
            byte[] u = copyPlane(buffer.getDataU(), buffer.getStrideU(), cw, ch);
            byte[] v = copyPlane(buffer.getDataV(), buffer.getStrideV(), cw, ch);
            long t1 = System.nanoTime();
            mailbox.offer(new I420Frame(w, h, y, u, v, ++seq, frame.timestampNs / 1000, FrameTimes.copied(t0, t1)));
        } finally {
            frame.release();
        }
    }

    /** Row-by-row copy from a strided plane into a tight array. */
    static byte[] copyPlane(ByteBuffer src, int stride, int width, int height) {
        byte[] out = new byte[width * height];
        if (stride == width) {
            src.get(0, out, 0, width * height);
            return out;
        }
        for (int row = 0; row < height; row++) {
            src.get(row * stride, out, row * width, width);
        }
        return out;
    }
}
