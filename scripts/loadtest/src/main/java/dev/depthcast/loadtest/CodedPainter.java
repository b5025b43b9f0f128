package dev.depthcast.loadtest;

import dev.depthcast.client.FramePainter;
import dev.depthcast.ingest.FrameTag;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The load tester's synthetic camera: {@link FramePainter#movingDisc()}'s drifting bright disc over
 * a dark gradient (motion keeps the encoder sending real frames), with the {@link FrameTag} strip
 * on top, so the server returns each result with the index of the frame it was made from.
 * Paints whole rows with bulk puts (cheap enough for many clients on two cores). One instance per
 * client: it reuses row buffers.
 */
public final class CodedPainter implements FramePainter {

    private byte[] row = new byte[0];
    private byte[] uGradient = new byte[0];
    private byte[] chromaRow = new byte[0];

    @Override
    public void paint(
            long index, int w, int h, ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        if (row.length < w) {
            row = new byte[w];
            uGradient = new byte[cw];
            chromaRow = new byte[cw];
            for (int x = 0; x < cw; x++) {
                uGradient[x] = (byte) (128 + 40 * x / w);
            }
        }
        double t = index / 30.0;
        int cx = (int) (w / 2 + w / 4 * Math.cos(t));
        int cy = (int) (h / 2 + h / 4 * Math.sin(t * 1.3));
        int r = Math.min(w, h) / 5;
        int strip = FrameTag.stripRows(h);
        for (int yy = strip; yy < h; yy++) {
            Arrays.fill(row, 0, w, (byte) (40 + 80 * yy / h));
            int dy = yy - cy;
            if (dy * dy < r * r) {
                int half = (int) Math.sqrt((double) r * r - dy * dy);
                int from = Math.max(0, cx - half);
                int to = Math.min(w, cx + half + 1);
                if (from < to) {
                    Arrays.fill(row, from, to, (byte) 220);
                }
            }
            y.put(yy * strideY, row, 0, w);
        }
        for (int cy2 = strip / 2; cy2 < ch; cy2++) {
            u.put(cy2 * strideU, uGradient, 0, cw);
            Arrays.fill(chromaRow, 0, cw, (byte) (128 - 40 * cy2 / h));
            v.put(cy2 * strideV, chromaRow, 0, cw);
        }
        FrameTag.paint(index, w, h, y, strideY, u, strideU, v, strideV);
    }
}
