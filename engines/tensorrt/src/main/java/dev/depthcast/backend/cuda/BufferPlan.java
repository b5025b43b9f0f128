package dev.depthcast.backend.cuda;

import dev.depthcast.ingest.I420Frame;

/**
 * Sizes of every device and pinned host buffer of the CUDA pipeline, fixed once per
 * (preset, depth grid, max batch, precision) so that no frame allocates. Point buffers are sized
 * for the worst case (stride 1 on every slot), so no client setting can outgrow them; the frame
 * buffer is sized for {@code maxBatch} frames of the planned maximum size, packed, so a batch may
 * hold larger frames as long as the total fits (else the pipeline grows it once, see
 * {@link #grownFor(long)}).
 *
 * <p>Double buffering: the frame buffer and slot table exist twice on the device and, with the
 * result buffers, twice in pinned host memory (sets A and B): batch k+1 is staged and uploaded
 * while batch k is still in inference. The engine input, depth output and the unprojection
 * scratch exist once: they are used only by work on the one compute stream, which orders them.
 *
 * @param inputElementBytes 2 for an FP16 engine input binding, 4 for FP32
 * @param depthElementBytes 2 for an FP16 engine output binding, 4 for FP32
 * @param frameCapacity bytes of one frame buffer (one set)
 */
public record BufferPlan(
        int maxBatch,
        int inputHeight,
        int inputWidth,
        int gridHeight,
        int gridWidth,
        int inputElementBytes,
        int depthElementBytes,
        long frameCapacity) {

    /** Planned largest frame per slot (1080p); larger ones make the pipeline grow once. */
    public static final int DEFAULT_MAX_FRAME_WIDTH = 1920;

    public static final int DEFAULT_MAX_FRAME_HEIGHT = 1080;
    public static final int SETS = 2;

    public BufferPlan {
        if (maxBatch < 1 || maxBatch > 64) {
            throw new IllegalArgumentException("max batch must be 1..64, got " + maxBatch);
        }
        if (inputHeight < 1 || inputWidth < 1 || gridHeight < 1 || gridWidth < 1) {
            throw new IllegalArgumentException(
                    "bad sizes: input " + inputWidth + "x" + inputHeight + ", grid " + gridWidth + "x" + gridHeight);
        }
        if ((inputElementBytes != 2 && inputElementBytes != 4) || (depthElementBytes != 2 && depthElementBytes != 4)) {
            throw new IllegalArgumentException("element sizes must be 2 (FP16) or 4 (FP32)");
        }
        if (frameCapacity < 0 || pointCapacityLong(maxBatch, gridHeight, gridWidth) * 12 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffers too large");
        }
    }

    public static BufferPlan of(
            int maxBatch,
            int inputHeight,
            int inputWidth,
            int gridHeight,
            int gridWidth,
            boolean inputHalf,
            boolean depthHalf) {
        return new BufferPlan(
                maxBatch,
                inputHeight,
                inputWidth,
                gridHeight,
                gridWidth,
                inputHalf ? 2 : 4,
                depthHalf ? 2 : 4,
                maxBatch * frameSlotBytes(DEFAULT_MAX_FRAME_WIDTH, DEFAULT_MAX_FRAME_HEIGHT));
    }

    /** One frame's I420 bytes rounded up to the slot alignment. */
    public static long frameSlotBytes(int width, int height) {
        return BatchLayout.align((long) I420Frame.lumaSize(width, height) + 2L * I420Frame.chromaSize(width, height));
    }

    private static long pointCapacityLong(int maxBatch, int gridHeight, int gridWidth) {
        return (long) maxBatch * gridHeight * gridWidth;
    }

    // ---- device, once ----

    public long inputBytes() {
        return (long) maxBatch * 3 * inputHeight * inputWidth * inputElementBytes;
    }

    public long depthBytes() {
        return (long) maxBatch * gridHeight * gridWidth * depthElementBytes;
    }

    /** Samples (and so points) all slots together can have: every slot at stride 1. */
    public int pointCapacity() {
        return (int) pointCapacityLong(maxBatch, gridHeight, gridWidth);
    }

    public long zBytes() {
        return 4L * pointCapacity();
    }

    public long keepBytes() {
        return pointCapacity();
    }

    public long xyzBytes() {
        return 12L * pointCapacity();
    }

    public long rgbBytes() {
        return 3L * pointCapacity();
    }

    public long countsBytes() {
        return 4L * maxBatch;
    }

    /** lo, hi of each of a slot's RANGE_BLOCKS parts. */
    public long rangeBytes() {
        return 8L * LaunchGeometry.RANGE_BLOCKS * maxBatch;
    }

    /** Kept count of each tile of samples, for the largest slot (stride 1). */
    public long tileCountsBytes() {
        return 4L * maxBatch * LaunchGeometry.tiles(gridHeight * gridWidth);
    }

    public long normBytes() {
        return SlotTable.NORM_BYTES;
    }

    /**
     * The stabilised depth (FP32, every slot): device buffer the unprojection reads, and the one
     * pinned buffer the engine's depth comes down into and the stabilised depth goes up from.
     */
    public long stableDepthBytes() {
        return 4L * maxBatch * gridHeight * gridWidth;
    }

    // ---- per set (x2) ----

    public long slotTableBytes() {
        return (long) maxBatch * SlotTable.SLOT_BYTES;
    }

    /** Device bytes, both sets, excluding TensorRT's own activation memory. */
    public long deviceBytes() {
        return inputBytes()
                + depthBytes()
                + zBytes()
                + keepBytes()
                + xyzBytes()
                + rgbBytes()
                + countsBytes()
                + rangeBytes()
                + tileCountsBytes()
                + normBytes()
                + stableDepthBytes()
                + SETS * (frameCapacity + slotTableBytes());
    }

    /** Pinned host bytes of one set: frames + slot table (up), xyz + rgb + counts (down). */
    public long pinnedBytesPerSet() {
        return frameCapacity + slotTableBytes() + xyzBytes() + rgbBytes() + countsBytes();
    }

    public long pinnedBytes() {
        return SETS * pinnedBytesPerSet() + stableDepthBytes();
    }

    /** Why the layout does not fit, or null when it does. */
    public String misfit(BatchLayout layout) {
        if (layout.size() > maxBatch) {
            return "batch of " + layout.size() + " exceeds max batch " + maxBatch;
        }
        if (layout.gridWidth() != gridWidth || layout.gridHeight() != gridHeight) {
            return "depth grid " + layout.gridWidth() + "x" + layout.gridHeight() + " differs from the planned "
                    + gridWidth + "x" + gridHeight;
        }
        if (layout.totalSamples() > pointCapacity()) {
            return layout.totalSamples() + " samples exceed the point capacity " + pointCapacity();
        }
        if (layout.frameBytes() > frameCapacity) {
            return "frames need " + layout.frameBytes() + " bytes, the frame buffer has " + frameCapacity;
        }
        return null;
    }

    /** The plan with a frame buffer of at least {@code needed} bytes (at least doubling, MiB-rounded). */
    public BufferPlan grownFor(long needed) {
        if (needed <= frameCapacity) {
            return this;
        }
        long grown = Math.max(needed, 2 * frameCapacity);
        grown = (grown + (1 << 20) - 1) >> 20 << 20;
        return new BufferPlan(
                maxBatch, inputHeight, inputWidth, gridHeight, gridWidth, inputElementBytes, depthElementBytes, grown);
    }
}
