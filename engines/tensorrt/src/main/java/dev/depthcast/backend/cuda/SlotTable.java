package dev.depthcast.backend.cuda;

import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthMapping;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.StabilisedMapping;
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
    public static final int SLOT_BYTES = 96;
    /** sizeof(DcNorm). */
    public static final int NORM_BYTES = 48;

    static final int OFF_STRIDE = 24;
    static final int OFF_POINT_OFF = 36;
    static final int OFF_FX = 40;
    static final int OFF_EDGE = 64;
    static final int OFF_MAPPING = 68;
    static final int OFF_NOISE_K = 80;
    static final int NORM_OFF_CHANNEL_SLOT = 32;

    private SlotTable() {}

    /**
     * How a slot's model output becomes metres on the device: {@code DC_MAP_*} of the header, with a
     * stabilised session's {@code lo..hi} and its edge test's noise factor.
     */
    public record Mapping(int kind, float lo, float hi, float noiseK) {
        public static final int FRAME_RANGE_KIND = 0;
        public static final int STABILISED_KIND = 1;
        public static final int METRIC_KIND = 2;

        /** Each frame through its own extent (the range kernel's lo, hi). */
        public static final Mapping FRAME_RANGE = new Mapping(FRAME_RANGE_KIND, 0, 0, 0);

        public static final Mapping METRIC = new Mapping(METRIC_KIND, 0, 0, 0);

        /** The device form of a host mapping: null or a frame's own range is {@link #FRAME_RANGE}. */
        public static Mapping of(DepthMapping m) {
            if (m instanceof StabilisedMapping s) {
                return new Mapping(STABILISED_KIND, s.lo(), s.hi(), s.noiseK());
            }
            return m == DepthMapping.METRIC ? METRIC : FRAME_RANGE;
        }
    }

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
            float edge,
            Mapping mapping) {

        public int samples() {
            return samplesW * samplesH;
        }

        /** This slot, its depth mapped by {@code m}. */
        public Slot withMapping(Mapping m) {
            return new Slot(
                    yOffset,
                    uOffset,
                    vOffset,
                    width,
                    height,
                    chromaWidth,
                    stride,
                    samplesW,
                    samplesH,
                    pointOffset,
                    intrinsics,
                    near,
                    far,
                    edge,
                    m);
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
        Mapping m = s.mapping();
        b.putInt(at + OFF_MAPPING, m.kind());
        b.putFloat(at + 72, m.lo());
        b.putFloat(at + 76, m.hi());
        b.putFloat(at + OFF_NOISE_K, m.noiseK());
        b.putInt(at + 84, 0);
        b.putInt(at + 88, 0);
        b.putInt(at + 92, 0);
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
