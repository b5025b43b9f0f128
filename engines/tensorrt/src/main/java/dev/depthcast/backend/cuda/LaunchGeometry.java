package dev.depthcast.backend.cuda;

/**
 * Grid and block shapes of the kernels (kernels/preprocess.cu, kernels/unproject.cu). The sizes
 * are tied to constants in the .cu files ({@code DC_RANGE_THREADS}, {@code DC_RANGE_BLOCKS},
 * {@code DC_SAMPLE_THREADS}); a test reads them from the sources. Every unprojection kernel spreads
 * a slot over many blocks: one block per slot left most SMs idle (measured on an H200: range
 * 0.13 ms and compaction 0.17 ms a batch, kernels/README.md).
 */
public final class LaunchGeometry {

    public static final int PREPROCESS_BLOCK_X = 32;
    public static final int PREPROCESS_BLOCK_Y = 8;
    /** Must equal DC_RANGE_THREADS (static shared arrays, tree reduction: a power of two). */
    public static final int RANGE_THREADS = 256;
    /** Must equal DC_RANGE_BLOCKS: parts of a slot's grid reduced in parallel, a power of two ≤ 256. */
    public static final int RANGE_BLOCKS = 64;
    /** Must equal DC_SAMPLE_THREADS: one tile of samples per block in dc_sample_* and dc_compact. */
    public static final int SAMPLE_THREADS = 256;
    /** CUDA's limit on grid y and z. */
    public static final int MAX_GRID_YZ = 65535;

    private LaunchGeometry() {}

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
        return new Launch(
                ceilDiv(outWidth, PREPROCESS_BLOCK_X),
                ceilDiv(outHeight, PREPROCESS_BLOCK_Y),
                n,
                PREPROCESS_BLOCK_X,
                PREPROCESS_BLOCK_Y,
                1);
    }

    /** RANGE_BLOCKS blocks per slot (y), each the min/max of a contiguous part of the grid. */
    public static Launch range(int n) {
        return new Launch(RANGE_BLOCKS, n, 1, RANGE_THREADS, 1, 1);
    }

    /** One thread per sample; y is the slot; x tiles the largest slot (tiles past a smaller one return). */
    public static Launch sample(int maxSamples, int n) {
        return new Launch(tiles(maxSamples), n, 1, SAMPLE_THREADS, 1, 1);
    }

    /** The same tiles as {@link #sample}: tile counts are indexed by the grid's x extent in both. */
    public static Launch compact(int maxSamples, int n) {
        return sample(maxSamples, n);
    }

    /** Tiles of SAMPLE_THREADS samples covering {@code samples}. */
    public static int tiles(int samples) {
        return ceilDiv(Math.max(1, samples), SAMPLE_THREADS);
    }
}
