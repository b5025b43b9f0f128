package dev.depthcast.groundtruth;

import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.model.Preset;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model runtime whose output is the truth: for the frame it is given — found by its frame tag, read back out of
 * the input tensor ({@link TensorTag}) — the {@link RoomScene}'s true depth on the preset's input grid, in metres
 * ({@link Output#METRIC}), or the true inverse depth under a relative model's per-frame {@link Drift}
 * ({@link Output#RELATIVE}). A frame without a readable tag (the server's start-up calibration batches, a frame the
 * codec garbled) gets a grid of NaN — no points — and is counted. Runs on the inference executor's thread.
 */
public final class TruthRuntime implements ModelRuntime {

    /** What the runtime's numbers mean, as a model's preset declares it. */
    public enum Output {
        /** Depth in metres along the optical axis. */
        METRIC,
        /** Inverse depth under a per-frame scale and shift (and noise): what relative models give. */
        RELATIVE
    }

    private final RoomScene scene;
    private final Preset preset;
    private final Output output;
    private final Drift drift;
    private final TensorTag tags;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong unread = new AtomicLong();

    /**
     * @param drift the relative output's drift (unused for {@link Output#METRIC})
     */
    public TruthRuntime(RoomScene scene, Preset preset, Output output, Drift drift) {
        this.scene = scene;
        this.preset = preset;
        this.output = output;
        this.drift = drift;
        this.tags = new TensorTag(preset, scene.camera().width(), scene.camera().height());
    }

    @Override
    public String backendName() {
        return "truth";
    }

    @Override
    public DepthMaps infer(float[] input, int n) {
        int w = preset.inputWidth();
        int h = preset.inputHeight();
        float[] out = new float[n * w * h];
        for (int b = 0; b < n; b++) {
            int tag = tags.read(input, b);
            int offset = b * w * h;
            if (tag < 0) {
                unread.incrementAndGet();
                Arrays.fill(out, offset, offset + w * h, Float.NaN);
                continue;
            }
            read.incrementAndGet();
            depth(tag, out, offset);
        }
        return new DepthMaps(out, n, h, w);
    }

    /** What this runtime outputs for frame {@code index}, into {@code out} from {@code offset}. */
    void depth(long index, float[] out, int offset) {
        int w = preset.inputWidth();
        int h = preset.inputHeight();
        scene.depthGrid(w, h, index, out, offset);
        if (output == Output.RELATIVE) {
            for (int i = offset; i < offset + w * h; i++) {
                out[i] = 1f / out[i];
            }
            drift.apply(out, offset, w * h, index);
        }
    }

    /** Frames whose tag was read (and whose truth was given). */
    public long framesRead() {
        return read.get();
    }

    /** Frames without a readable tag (given NaN). */
    public long framesUnread() {
        return unread.get();
    }

    public Output output() {
        return output;
    }

    @Override
    public void close() {}
}
