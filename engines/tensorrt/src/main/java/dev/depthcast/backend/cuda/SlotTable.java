package dev.depthcast.backend.cuda;

import dev.depthcast.model.Preset;
import dev.depthcast.process.Intrinsics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte-exact encoders for the kernels' descriptor structs {@code DcSlot} (one per batch slot) and
 * {@code DcNorm} (one per pipeline) of kernels/depthcast_math.cuh. Every field is 4 bytes,
 * little-endian (the byte order of every CUDA device), no padding; the header's static_asserts
 * pin the same offsets. The normalisation constants are computed exactly as
 * {@link dev.depthcast.process.Preprocessor} computes them, so device and CPU round alike.
 */
public final class SlotTable {

    /** sizeof(DcSlot). */
    public static final int SLOT_BYTES = 80;
    /** sizeof(DcNorm). */
    public static final int NORM_BYTES = 48;

    static final int OFF_STRIDE = 24;
    static final int OFF_POINT_OFF = 36;
    static final int OFF_FX = 40;
    static final int OFF_EDGE = 64;
    static final int NORM_OFF_CHANNEL_SLOT = 32;

    private SlotTable() {}

    /** One DcSlot. Offsets are bytes into the batch's frame buffer; pointOffset counts points. */
    public record Slot(
            int yOffset,
            int uOffset,
            int vOffset,
            int width,
            int height,
            int chromaWidth,
            int stride,
            int samplesW,
            int samplesH,
            int pointOffset,
            Intrinsics intrinsics,
            float near,
            float far,
            float edge) {

        public int samples() {
            return samplesW * samplesH;
        }
    }

    /** Writes slot at absolute byte position {@code at} of {@code dst} (any byte order set on dst is ignored). */
    public static void writeSlot(ByteBuffer dst, int at, Slot s) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(at, s.yOffset());
        b.putInt(at + 4, s.uOffset());
        b.putInt(at + 8, s.vOffset());
        b.putInt(at + 12, s.width());
        b.putInt(at + 16, s.height());
        b.putInt(at + 20, s.chromaWidth());
        b.putInt(at + OFF_STRIDE, s.stride());
        b.putInt(at + 28, s.samplesW());
        b.putInt(at + 32, s.samplesH());
        b.putInt(at + OFF_POINT_OFF, s.pointOffset());
        Intrinsics k = s.intrinsics();
        b.putFloat(at + OFF_FX, k.fx());
        b.putFloat(at + 44, k.fy());
        b.putFloat(at + 48, k.cx());
        b.putFloat(at + 52, k.cy());
        b.putFloat(at + 56, s.near());
        b.putFloat(at + 60, s.far());
        b.putFloat(at + OFF_EDGE, s.edge());
        b.putInt(at + 68, 0);
        b.putInt(at + 72, 0);
        b.putInt(at + 76, 0);
    }

    public static byte[] encodeSlot(Slot s) {
        byte[] out = new byte[SLOT_BYTES];
        writeSlot(ByteBuffer.wrap(out), 0, s);
        return out;
    }

    /** DcNorm for a preset at its input size: value*scale[c] + offset[c] at plane channelSlot[c]. */
    public static byte[] encodeNorm(Preset preset) {
        ByteBuffer b = ByteBuffer.allocate(NORM_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(preset.inputWidth());
        b.putInt(preset.inputHeight());
        for (int c = 0; c < 3; c++) {
            b.putFloat(1f / (255f * preset.std()[c])); // as Preprocessor: scale
        }
        for (int c = 0; c < 3; c++) {
            b.putFloat(-preset.mean()[c] / preset.std()[c]); // as Preprocessor: offset
        }
        for (int c = 0; c < 3; c++) {
            b.putInt(preset.bgr() ? 2 - c : c);
        }
        b.putInt(0);
        return b.array();
    }
}
