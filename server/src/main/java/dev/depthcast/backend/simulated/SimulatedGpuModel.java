package dev.depthcast.backend.simulated;

import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.model.Preset;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in for a GPU depth model, to measure scheduling under GPU batch economics on a machine
 * without one: a batch of {@code n} takes {@code FIXED + PER_ITEM × n} ms of wall time (a kernel
 * launch and weight pass dominate, each extra image is cheap), and yields a plausible depth grid
 * at the preset's input size, so the wire output looks like a real model's.
 *
 * <p><b>Sleeps, does not spin.</b> On a GPU host the executor thread waits while the device works:
 * the CPU stays free for WebRTC decoding, preprocessing of the next batch, encoding and sending.
 * Spinning would instead model a CPU-bound model and steal one of this machine's two cores from
 * exactly those stages, so measured throughput would say more about the CPU than about the
 * scheduler. The thread parks until the batch's deadline ({@code start + cost}); the cheap depth
 * computation runs inside that budget, so the wall time is the configured cost (plus the
 * scheduler's wake-up slack, ~0.1 ms on Linux), not cost + compute.
 *
 * <p>Depth: relative inverse depth = 0.6 · box-blurred luminance + 0.4 · row/H + 0.1 — the
 * embedded relief model's formula with an O(1)-per-pixel box blur instead of its Gaussian, so
 * bright things come forward and the floor tilts. Not a depth estimator; cost ~1 ms per image.
 * Not thread-safe (reuses buffers): called from the single executor thread.
 */
public final class SimulatedGpuModel implements ModelRuntime {

    /** Cost of {@code --backend simulated} without {@code --simulate-inference-ms}: 20 ms + 2 ms per image. */
    public static final SimulatedCost DEFAULT_COST = new SimulatedCost(20, 2);

    /** Half-width of the box blur, in grid pixels. */
    static final int BLUR_RADIUS = 6;

    private final Preset preset;
    private final SimulatedCost cost;
    private final float[] lumaScale = new float[3];
    private final float[] lumaOffset = new float[3];
    private float[] output = new float[0];
    private float[] luma = new float[0];
    private float[] tmp = new float[0];

    public SimulatedGpuModel(Preset preset, SimulatedCost cost) {
        this.preset = preset;
        this.cost = cost;
        // Undo the preset's normalisation ((v/255 - mean)/std) channel by channel and weight by
        // BT.601 luma, so luminance in [0,1] is sum(input_c * scale_c + offset_c).
        float[] w = {0.299f, 0.587f, 0.114f};
        for (int c = 0; c < 3; c++) {
            int slot = preset.bgr() ? 2 - c : c;
            lumaScale[slot] = w[c] * preset.std()[c];
            lumaOffset[slot] = w[c] * preset.mean()[c];
        }
    }

    @Override
    public String backendName() {
        return "simulated";
    }

    public SimulatedCost cost() {
        return cost;
    }

    @Override
    public DepthMaps infer(float[] input, int n) {
        long start = System.nanoTime();
        long deadline = start + (long) (cost.costMs(n) * 1e6);
        int h = preset.inputHeight();
        int w = preset.inputWidth();
        int plane = h * w;
        if (input.length < n * 3 * plane) {
            throw new IllegalArgumentException(
                    "input holds " + input.length + " floats, batch of " + n + " needs " + n * 3 * plane);
        }
        if (output.length < n * plane) {
            output = new float[n * plane];
        }
        if (luma.length < plane) {
            luma = new float[plane];
            tmp = new float[plane];
        }
        for (int b = 0; b < n; b++) {
            depth(input, b * 3 * plane, h, w, b * plane);
        }
        sleepUntil(deadline);
        return new DepthMaps(output, n, h, w);
    }

    private void depth(float[] input, int base, int h, int w, int out) {
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            luma[i] = input[base + i] * lumaScale[0]
                    + lumaOffset[0]
                    + input[base + plane + i] * lumaScale[1]
                    + lumaOffset[1]
                    + input[base + 2 * plane + i] * lumaScale[2]
                    + lumaOffset[2];
        }
        boxRows(luma, tmp, h, w, BLUR_RADIUS);
        boxColumns(tmp, luma, h, w, BLUR_RADIUS);
        for (int y = 0; y < h; y++) {
            float ramp = 0.4f * (y + 1) / h + 0.1f;
            int row = y * w;
            for (int x = 0; x < w; x++) {
                output[out + row + x] = 0.6f * luma[row + x] + ramp;
            }
        }
    }

    /** Running-sum box blur along rows, edges clamped: O(1) per pixel whatever the radius. */
    static void boxRows(float[] src, float[] dst, int h, int w, int r) {
        float norm = 1f / (2 * r + 1);
        for (int y = 0; y < h; y++) {
            int row = y * w;
            float sum = 0;
            for (int k = -r; k <= r; k++) {
                sum += src[row + clamp(k, w)];
            }
            for (int x = 0; x < w; x++) {
                dst[row + x] = sum * norm;
                sum += src[row + clamp(x + r + 1, w)] - src[row + clamp(x - r, w)];
            }
        }
    }

    /** The same along columns, sweeping whole rows at a time (cache-friendly). */
    static void boxColumns(float[] src, float[] dst, int h, int w, int r) {
        float norm = 1f / (2 * r + 1);
        float[] sum = new float[w];
        for (int k = -r; k <= r; k++) {
            int row = clamp(k, h) * w;
            for (int x = 0; x < w; x++) {
                sum[x] += src[row + x];
            }
        }
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int add = clamp(y + r + 1, h) * w;
            int sub = clamp(y - r, h) * w;
            for (int x = 0; x < w; x++) {
                dst[row + x] = sum[x] * norm;
                sum[x] += src[add + x] - src[sub + x];
            }
        }
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : (i >= n ? n - 1 : i);
    }

    /** Parks until the deadline (re-parking after early or spurious wake-ups); never spins. */
    static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public void close() {
        // nothing native to free
    }
}
