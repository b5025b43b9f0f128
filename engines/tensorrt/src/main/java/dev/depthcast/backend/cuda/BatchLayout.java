package dev.depthcast.backend.cuda;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.UnprojectParams;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where every slot of one batch lives in the packed device buffers: its I420 planes in the frame
 * buffer (each frame starts on a {@value #FRAME_ALIGN}-byte boundary, planes Y, U, V back to back
 * as in {@link I420Frame}), and its samples in the point buffers (slot b owns
 * {@code [pointOffset, pointOffset + samples)}, the prefix sum of the slots before it). Pure Java:
 * the CUDA pipeline stages from it, the golden vectors and tests check it without a device.
 *
 * @param frameBytes bytes of the frame buffer this batch uses
 * @param totalSamples sum of all slots' samples (the point buffers' used length)
 * @param maxSamples largest one slot has (the sample kernel's grid x extent)
 */
public record BatchLayout(
        List<SlotTable.Slot> slots, int gridWidth, int gridHeight, long frameBytes, int totalSamples, int maxSamples) {

    public static final int FRAME_ALIGN = 256;

    public BatchLayout {
        slots = Collections.unmodifiableList(new ArrayList<>(slots));
    }

    public int size() {
        return slots.size();
    }

    /**
     * @param gridWidth depth grid (model output) width, the same for every slot of a batch
     */
    public static BatchLayout of(List<BatchItem> items, int gridWidth, int gridHeight) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        if (gridWidth < 1 || gridHeight < 1) {
            throw new IllegalArgumentException("bad depth grid " + gridWidth + "x" + gridHeight);
        }
        List<SlotTable.Slot> slots = new ArrayList<>(items.size());
        long offset = 0;
        long points = 0;
        int maxSamples = 0;
        for (BatchItem item : items) {
            I420Frame f = item.frame();
            UnprojectParams p = item.params();
            offset = align(offset);
            long y = offset;
            long u = y + I420Frame.lumaSize(f.width(), f.height());
            long v = u + I420Frame.chromaSize(f.width(), f.height());
            offset = v + I420Frame.chromaSize(f.width(), f.height());
            int sw = p.samples(gridWidth);
            int sh = p.samples(gridHeight);
            Intrinsics k = Intrinsics.of(gridWidth, gridHeight, f.width(), f.height(), p.hfovDegrees());
            slots.add(new SlotTable.Slot(
                    checkedInt(y),
                    checkedInt(u),
                    checkedInt(v),
                    f.width(),
                    f.height(),
                    f.chromaWidth(),
                    p.stride(),
                    sw,
                    sh,
                    checkedInt(points),
                    k,
                    p.near(),
                    p.far(),
                    p.edge(),
                    SlotTable.Mapping.FRAME_RANGE));
            points += (long) sw * sh;
            maxSamples = Math.max(maxSamples, sw * sh);
        }
        return new BatchLayout(slots, gridWidth, gridHeight, offset, checkedInt(points), maxSamples);
    }

    static long align(long offset) {
        return (offset + FRAME_ALIGN - 1) / FRAME_ALIGN * FRAME_ALIGN;
    }

    private static int checkedInt(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch too large for 32-bit offsets: " + v);
        }
        return (int) v;
    }

    /** This layout with slot b's depth mapped by {@code mappings.get(b)}. */
    public BatchLayout withMappings(List<SlotTable.Mapping> mappings) {
        if (mappings.size() != slots.size()) {
            throw new IllegalArgumentException(mappings.size() + " mappings for " + slots.size() + " slots");
        }
        List<SlotTable.Slot> mapped = new ArrayList<>(slots.size());
        for (int b = 0; b < slots.size(); b++) {
            mapped.add(slots.get(b).withMapping(mappings.get(b)));
        }
        return new BatchLayout(mapped, gridWidth, gridHeight, frameBytes, totalSamples, maxSamples);
    }

    /** Copies every frame's planes to its offsets in {@code dst} (absolute positions; dst's position is untouched). */
    public void stageFrames(ByteBuffer dst, List<I420Frame> frames) {
        if (frames.size() != slots.size()) {
            throw new IllegalArgumentException(frames.size() + " frames for " + slots.size() + " slots");
        }
        if (dst.capacity() < frameBytes) {
            throw new IllegalArgumentException(
                    "staging buffer of " + dst.capacity() + " bytes, batch needs " + frameBytes);
        }
        for (int b = 0; b < frames.size(); b++) {
            I420Frame f = frames.get(b);
            SlotTable.Slot s = slots.get(b);
            if (f.width() != s.width() || f.height() != s.height()) {
                throw new IllegalArgumentException("frame " + b + " is " + f.width() + "x" + f.height()
                        + ", slot was laid out for " + s.width() + "x" + s.height());
            }
            int chroma = I420Frame.chromaSize(f.width(), f.height());
            dst.put(s.yOffset(), f.y(), 0, I420Frame.lumaSize(f.width(), f.height()));
            dst.put(s.uOffset(), f.u(), 0, chroma);
            dst.put(s.vOffset(), f.v(), 0, chroma);
        }
    }

    /** Writes the n DcSlot descriptors back to back from byte 0 of {@code dst}. */
    public void writeSlots(ByteBuffer dst) {
        for (int b = 0; b < slots.size(); b++) {
            SlotTable.writeSlot(dst, b * SlotTable.SLOT_BYTES, slots.get(b));
        }
    }

    public int slotTableBytes() {
        return slots.size() * SlotTable.SLOT_BYTES;
    }
}
