package dev.depthcast.process;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;

/**
 * I420 frame → bilinear resize (half-pixel centres) → normalise → NCHW float at batch slot b.
 * The CPU twin of kernels/preprocess.cu; see docs/pipeline-math.md.
 *
 * <p>Each source pixel is converted to RGB once per row pair it is used in; the blend then works
 * on floats. Not thread-safe (reuses row buffers): one per executor thread.
 */
public final class Preprocessor {

    private final Preset preset;
    private final float[] scale = new float[3];
    private final float[] offset = new float[3];
    private final int[] channelSlot = new int[3];
    private float[] row0 = new float[0];
    private float[] row1 = new float[0];
    private int[] x0 = new int[0];
    private int[] x1 = new int[0];
    private float[] ax = new float[0];

    public Preprocessor(Preset preset) {
        this.preset = preset;
        for (int c = 0; c < 3; c++) {
            // (v/255 - mean)/std  ==  v * scale + offset
            scale[c] = 1f / (255f * preset.std()[c]);
            offset[c] = -preset.mean()[c] / preset.std()[c];
            channelSlot[c] = preset.bgr() ? 2 - c : c;
        }
    }

    public Preset preset() {
        return preset;
    }

    /** Length of the NCHW input for a batch of n. */
    public int tensorLength(int n) {
        return n * 3 * preset.inputPixels();
    }

    /** Writes frame into tensor at batch slot b (offset b*3*H*W). */
    public void write(I420Frame frame, float[] tensor, int b) {
        int dstW = preset.inputWidth();
        int dstH = preset.inputHeight();
        int srcW = frame.width();
        int srcH = frame.height();
        prepareColumns(srcW, dstW);
        if (row0.length < srcW * 3) {
            row0 = new float[srcW * 3];
            row1 = new float[srcW * 3];
        }
        int plane = dstW * dstH;
        int base = b * 3 * plane;
        int cachedY0 = -1;
        int cachedY1 = -1;
        for (int oy = 0; oy < dstH; oy++) {
            float sy = sourceCoordinate(oy, srcH, dstH);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, srcH - 1);
            float ay = sy - y0;
            if (y0 != cachedY0) {
                if (y0 == cachedY1) {
                    float[] t = row0;
                    row0 = row1;
                    row1 = t;
                } else {
                    convertRow(frame, y0, row0);
                }
                cachedY0 = y0;
                cachedY1 = -1;
            }
            if (y1 != cachedY1) {
                convertRow(frame, y1, row1);
                cachedY1 = y1;
            }
            int rowBase = base + oy * dstW;
            for (int ox = 0; ox < dstW; ox++) {
                int i0 = x0[ox] * 3;
                int i1 = x1[ox] * 3;
                float a = ax[ox];
                for (int c = 0; c < 3; c++) {
                    float top = row0[i0 + c] + (row0[i1 + c] - row0[i0 + c]) * a;
                    float bottom = row1[i0 + c] + (row1[i1 + c] - row1[i0 + c]) * a;
                    float value = top + (bottom - top) * ay;
                    tensor[rowBase + channelSlot[c] * plane + ox] = value * scale[c] + offset[c];
                }
            }
        }
    }

    /** Bilinear source coordinate of output index o, clamped to [0, src-1]. */
    public static float sourceCoordinate(int o, int src, int dst) {
        float s = (o + 0.5f) * src / dst - 0.5f;
        if (s < 0f) {
            return 0f;
        }
        return Math.min(s, src - 1);
    }

    private void prepareColumns(int srcW, int dstW) {
        if (x0.length != dstW) {
            x0 = new int[dstW];
            x1 = new int[dstW];
            ax = new float[dstW];
        }
        for (int ox = 0; ox < dstW; ox++) {
            float sx = sourceCoordinate(ox, srcW, dstW);
            x0[ox] = (int) sx;
            x1[ox] = Math.min(x0[ox] + 1, srcW - 1);
            ax[ox] = sx - x0[ox];
        }
    }

    private static void convertRow(I420Frame f, int y, float[] out) {
        int w = f.width();
        int cw = f.chromaWidth();
        int yRow = y * w;
        int cRow = (y >> 1) * cw;
        byte[] yp = f.y();
        byte[] up = f.u();
        byte[] vp = f.v();
        for (int x = 0; x < w; x++) {
            int yy = yp[yRow + x] & 0xff;
            int uu = up[cRow + (x >> 1)] & 0xff;
            int vv = vp[cRow + (x >> 1)] & 0xff;
            out[x * 3] = Yuv.red(yy, uu, vv);
            out[x * 3 + 1] = Yuv.green(yy, uu, vv);
            out[x * 3 + 2] = Yuv.blue(yy, uu, vv);
        }
    }
}
