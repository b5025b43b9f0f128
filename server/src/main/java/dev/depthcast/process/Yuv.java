package dev.depthcast.process;

/**
 * BT.601 limited-range YUV → RGB, the conversion libwebrtc's decoders imply.
 * Same constants as kernels/depthcast_math.cuh.
 */
public final class Yuv {

    static final float KY = 1.164383f;
    static final float KRV = 1.596027f;
    static final float KGU = 0.391762f;
    static final float KGV = 0.812968f;
    static final float KBU = 2.017232f;

    private Yuv() {}

    public static float red(int y, int u, int v) {
        return clamp(KY * (y - 16) + KRV * (v - 128));
    }

    public static float green(int y, int u, int v) {
        return clamp(KY * (y - 16) - KGU * (u - 128) - KGV * (v - 128));
    }

    public static float blue(int y, int u, int v) {
        return clamp(KY * (y - 16) + KBU * (u - 128));
    }

    /** Rounded to a byte value 0..255 (for point colours). */
    public static int toByte(float channel) {
        return (int) (channel + 0.5f);
    }

    static float clamp(float x) {
        return x < 0f ? 0f : (x > 255f ? 255f : x);
    }
}
