package dev.depthcast.backend.cuda;

/**
 * Grid and block shapes of the kernels (kernels/preprocess.cu, kernels/unproject.cu). The block
 * sizes are tied to constants in the .cu files ({@code DC_RANGE_THREADS}, the shared scan array
 * {@code DC_COMPACT_MAX_THREADS}); a test reads them from the sources.
 */
public final class LaunchGeometry {

    public static final int PREPROCESS_BLOCK_X = 32;
    public static final int PREPROCESS_BLOCK_Y = 8;
    /** Must equal DC_RANGE_THREADS (static shared arrays, tree reduction: a power of two). */
    public static final int RANGE_THREADS = 256;
    public static final int SAMPLE_THREADS = 256;
    /** At most DC_COMPACT_MAX_THREADS (1024). */
    public static final int COMPACT_THREADS = 512;
    /** CUDA's limit on grid y and z. */
    public static final int MAX_GRID_YZ = 65535;

    private LaunchGeometry() {
    }

    /** A launch shape: grid (gx, gy, gz) of blocks (bx, by, bz). */
    public record Launch(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ) {

        public Launch {
            if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1) {
                throw new IllegalArgumentException("empty launch");
            }
            if (gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
                throw new IllegalArgumentException("grid y/z over " + MAX_GRID_YZ);
            }
            if ((long) blockX * blockY * blockZ > 1024) {
                throw new IllegalArgumentException("more than 1024 threads per block");
            }
        }

        public long threads() {
            return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** One thread per output pixel of every slot: z is the slot. */
    public static Launch preprocess(int outWidth, int outHeight, int n) {
        return new Launch(ceilDiv(outWidth, PREPROCESS_BLOCK_X), ceilDiv(outHeight, PREPROCESS_BLOCK_Y), n,
                PREPROCESS_BLOCK_X, PREPROCESS_BLOCK_Y, 1);
    }

    /** One block per slot reduces that slot's whole grid. */
    public static Launch range(int n) {
        return new Launch(n, 1, 1, RANGE_THREADS, 1, 1);
    }

    /** One thread per sample; y is the slot; x covers the largest slot (smaller ones return early). */
    public static Launch sample(int maxSamples, int n) {
        return new Launch(ceilDiv(Math.max(1, maxSamples), SAMPLE_THREADS), n, 1, SAMPLE_THREADS, 1, 1);
    }

    /** One block per slot: scan of per-thread counts, then ordered writes. */
    public static Launch compact(int n) {
        return new Launch(n, 1, 1, COMPACT_THREADS, 1, 1);
    }
}
