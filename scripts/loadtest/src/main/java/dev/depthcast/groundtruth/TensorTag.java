package dev.depthcast.groundtruth;

import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import java.util.Arrays;

/**
 * Reads the {@link FrameTag} back out of a model's input tensor: a model runtime gets only the NCHW floats, yet the
 * truth runtime must know which frame it is looking at. The tag's strip of the tensor is turned back into the
 * picture's chroma — the preprocessor's normalisation undone, RGB to U with BT.601 (limited range), each chroma
 * sample of the source frame taken from the nearest tensor pixel — and read with {@link FrameTag#read}, so the same
 * cell, vote and CRC rules decide. Reuses buffers: one per thread.
 */
public final class TensorTag {

    private final Preset preset;
    private final int frameWidth;
    private final int frameHeight;
    private final byte[] y;
    private final byte[] u;
    private final byte[] v;

    /** For frames of {@code frameWidth}×{@code frameHeight} resized into {@code preset}'s input. */
    public TensorTag(Preset preset, int frameWidth, int frameHeight) {
        this.preset = preset;
        this.frameWidth = frameWidth;
        this.frameHeight = frameHeight;
        this.y = new byte[I420Frame.lumaSize(frameWidth, frameHeight)];
        this.u = new byte[I420Frame.chromaSize(frameWidth, frameHeight)];
        this.v = new byte[I420Frame.chromaSize(frameWidth, frameHeight)];
        Arrays.fill(y, (byte) FrameTag.LUMA);
        Arrays.fill(u, (byte) FrameTag.V_NEUTRAL);
        Arrays.fill(v, (byte) FrameTag.V_NEUTRAL);
    }

    /** The 16-bit counter tagged into the frame at batch slot {@code b}, or -1 when none can be read. */
    public int read(float[] tensor, int b) {
        int tw = preset.inputWidth();
        int th = preset.inputHeight();
        int plane = tw * th;
        int base = b * 3 * plane;
        int cw = I420Frame.chromaWidth(frameWidth);
        int chromaRows = FrameTag.stripRows(frameHeight) / 2;
        for (int cy = 0; cy < chromaRows; cy++) {
            // A chroma sample covers luma rows 2cy and 2cy+1: its centre is at luma coordinate 2cy + 1.
            int ty = nearest(2.0 * cy + 1, frameHeight, th);
            for (int cx = 0; cx < cw; cx++) {
                int at = base + ty * tw + nearest(2.0 * cx + 1, frameWidth, tw);
                float r = channel(tensor, at, plane, 0);
                float g = channel(tensor, at, plane, 1);
                float bl = channel(tensor, at, plane, 2);
                u[cy * cw + cx] = (byte) Clip.blueDifference(r, g, bl);
            }
        }
        return FrameTag.read(new I420Frame(frameWidth, frameHeight, y, u, v, 0, 0, 0, 0, 0));
    }

    /** The tensor index nearest to source coordinate {@code at} (pixel edges) under the half-pixel-centre resize. */
    static int nearest(double at, int src, int dst) {
        int i = (int) Math.floor(at * dst / src);
        return Math.max(0, Math.min(dst - 1, i));
    }

    /** Channel {@code c} (R, G, B) as 0..255, the preprocessor's {@code (v/255 − mean)/std} undone. */
    private float channel(float[] tensor, int at, int plane, int c) {
        int slot = preset.bgr() ? 2 - c : c;
        return (tensor[at + slot * plane] * preset.std()[c] + preset.mean()[c]) * 255f;
    }
}
