package dev.depthcast.groundtruth;

import dev.depthcast.calibration.Y4m;
import dev.depthcast.client.FramePainter;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One cycle of the {@link RoomScene} rendered to I420 at the camera's picture size, each frame carrying its index
 * as the load tester's {@link FrameTag} in the top strip, so the server returns every result with the frame it was
 * made from. Rendered once, up front (ray casting a frame costs tens of ms: the pacer must not wait on it). As a
 * {@link FramePainter} it sends the cycle over and over; as a file it is a .y4m for Chromium's fake camera
 * ({@code --use-file-for-fake-video-capture}).
 */
public final class Clip implements FramePainter {

    private final RoomScene scene;
    private final int fps;
    private final List<I420Frame> frames;

    private Clip(RoomScene scene, int fps, List<I420Frame> frames) {
        this.scene = scene;
        this.fps = fps;
        this.frames = frames;
    }

    /** Renders every frame of one cycle of {@code scene} (in parallel: frames are independent). */
    public static Clip render(RoomScene scene, int fps) {
        PinholeCamera camera = scene.camera();
        if (!FrameTag.fits(camera.width(), camera.height()) || camera.width() % 2 != 0 || camera.height() % 2 != 0) {
            throw new IllegalArgumentException("a clip of " + camera.width() + "x" + camera.height()
                    + " cannot carry the frame tag: use even sides of at least " + FrameTag.MIN_WIDTH + "x"
                    + FrameTag.MIN_HEIGHT);
        }
        List<I420Frame> frames = IntStream.range(0, scene.cycleFrames())
                .parallel()
                .mapToObj(i -> frame(scene, i))
                .toList();
        return new Clip(scene, fps, frames);
    }

    /** Frame {@code index} of {@code scene}: its picture below the tag strip, the tag of {@code index} in it. */
    static I420Frame frame(RoomScene scene, long index) {
        PinholeCamera camera = scene.camera();
        int w = camera.width();
        int h = camera.height();
        int cw = I420Frame.chromaWidth(w);
        byte[] y = new byte[I420Frame.lumaSize(w, h)];
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        RoomScene.Ball ball = scene.ball(index);
        double[] dx = new double[w];
        for (int x = 0; x < w; x++) {
            dx[x] = camera.rayX((x + 0.5) / w);
        }
        float[] rgb = new float[2 * w * 3]; // a row pair: one chroma row
        for (int pair = 0; pair < h / 2; pair++) {
            for (int r = 0; r < 2; r++) {
                int row = 2 * pair + r;
                double dy = camera.rayY((row + 0.5) / h);
                for (int x = 0; x < w; x++) {
                    int at = (r * w + x) * 3;
                    RoomShading.shade(dx[x], dy, ball, rgb, at);
                    y[row * w + x] = (byte) luma(rgb[at], rgb[at + 1], rgb[at + 2]);
                }
            }
            for (int cx = 0; cx < cw; cx++) {
                float red = 0;
                float green = 0;
                float blue = 0;
                for (int r = 0; r < 2; r++) {
                    for (int k = 0; k < 2; k++) {
                        int at = (r * w + 2 * cx + k) * 3;
                        red += rgb[at] / 4;
                        green += rgb[at + 1] / 4;
                        blue += rgb[at + 2] / 4;
                    }
                }
                u[pair * cw + cx] = (byte) blueDifference(red, green, blue);
                v[pair * cw + cx] = (byte) redDifference(red, green, blue);
            }
        }
        FrameTag.paint(index, w, h, ByteBuffer.wrap(y), w, ByteBuffer.wrap(u), cw, ByteBuffer.wrap(v), cw);
        return new I420Frame(w, h, y, u, v, index, 0, 0, 0, 0);
    }

    // BT.601 limited range, the inverse of what the server's decoder side applies (process/Yuv).
    static int luma(float r, float g, float b) {
        return clampByte(16 + 0.256788 * r + 0.504129 * g + 0.097906 * b);
    }

    static int blueDifference(float r, float g, float b) {
        return clampByte(128 - 0.148223 * r - 0.290993 * g + 0.439216 * b);
    }

    static int redDifference(float r, float g, float b) {
        return clampByte(128 + 0.439216 * r - 0.367788 * g - 0.071427 * b);
    }

    private static int clampByte(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }

    public RoomScene scene() {
        return scene;
    }

    public int fps() {
        return fps;
    }

    public int frameCount() {
        return frames.size();
    }

    /** Frame {@code index} (any index: the clip repeats). */
    public I420Frame frame(long index) {
        return frames.get((int) Math.floorMod(index, (long) frames.size()));
    }

    @Override
    public void paint(
            long index, int w, int h, ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV) {
        I420Frame f = frame(index);
        if (w != f.width() || h != f.height()) {
            throw new IllegalArgumentException(
                    "the clip is " + f.width() + "x" + f.height() + ", the client asked for " + w + "x" + h);
        }
        int cw = f.chromaWidth();
        for (int row = 0; row < h; row++) {
            y.put(row * strideY, f.y(), row * w, w);
        }
        for (int row = 0; row < I420Frame.chromaHeight(h); row++) {
            u.put(row * strideU, f.u(), row * cw, cw);
            v.put(row * strideV, f.v(), row * cw, cw);
        }
    }

    /** Writes the clip as YUV4MPEG2 (4:2:0), at its frame rate. */
    public void writeY4m(Path file) throws IOException {
        Y4m.write(file, frames, fps);
    }
}
