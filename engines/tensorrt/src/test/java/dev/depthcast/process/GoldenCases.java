package dev.depthcast.process;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.cuda.BatchLayout;
import dev.depthcast.backend.cuda.SlotTable;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden vectors (kernels/golden/*.dcg): deterministic synthetic frames and depth grids, and
 * what the Java CPU path ({@link Preprocessor}, {@link Unprojector}) makes of them. The committed
 * files are the contract: {@link GoldenVectorsTest} checks the Java path still reproduces them,
 * kernels/test/host_parity.cpp checks that kernels/depthcast_math.cuh does.
 */
final class GoldenCases {

    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /**
     * One single-frame case: a frame through a preset, a depth grid through unprojection, mapped to
     * metres by {@code mapping} (null: the frame's own extent).
     */
    record Case(
            String name,
            I420Frame frame,
            Preset preset,
            int gridW,
            int gridH,
            float[] depth,
            UnprojectParams params,
            DepthMapping mapping) {

        Case(String name, I420Frame frame, Preset preset, int gridW, int gridH, float[] depth, UnprojectParams params) {
            this(name, frame, preset, gridW, gridH, depth, params, null);
        }
    }

    private GoldenCases() {}

    static List<Case> cases() {
        Preset da2Small = Preset.DEPTH_ANYTHING_V2.withInputSize(42, 56);
        Preset bgr = new Preset(
                "golden-bgr", 14, 14, IMAGENET_MEAN, IMAGENET_STD, true, 1, "BGR test preset", DepthOutput.RELATIVE);
        return List.of(
                new Case(
                        "odd_321x241",
                        frame(321, 241, 1),
                        da2Small,
                        56,
                        42,
                        depth(56, 42, 1, false),
                        new UnprojectParams(3, 60f, 0.4f, 4f, 0.1f)),
                new Case(
                        "tiny_2x2",
                        frame(2, 2, 2),
                        Preset.RELIEF.withInputSize(6, 8),
                        8,
                        6,
                        depth(8, 6, 2, false),
                        new UnprojectParams(1, 70f, 0.3f, 5f, 0.1f)),
                new Case(
                        "aspect_64x48",
                        frame(64, 48, 3),
                        Preset.MIDAS_SMALL.withInputSize(32, 32),
                        32,
                        32,
                        depth(32, 32, 3, false),
                        new UnprojectParams(1, 60f, 0.4f, 4f, 0f)),
                new Case(
                        "flat_bgr_33x17",
                        frame(33, 17, 4),
                        bgr,
                        14,
                        14,
                        depth(14, 14, 4, true),
                        new UnprojectParams(2, 50f, 0.5f, 3f, 0.1f)),
                new Case(
                        "stride5_97x61",
                        frame(97, 61, 5),
                        Preset.DEPTH_ANYTHING_V2.withInputSize(28, 42),
                        42,
                        28,
                        depth(42, 28, 5, false),
                        new UnprojectParams(5, 90f, 0.2f, 10f, 0.05f)),
                // A stabilised session's lo..hi inside the values' span: both extrapolation clamps,
                // and an edge test that lets the model's noise pass.
                new Case(
                        "stabilised_64x48",
                        frame(64, 48, 6),
                        Preset.DEPTH_ANYTHING_V2.withInputSize(28, 42),
                        42,
                        28,
                        depth(42, 28, 6, false),
                        new UnprojectParams(1, 65f, 0.4f, 4f, 0.1f),
                        new StabilisedMapping(
                                1.0f, 1.2f, 0.4f, 4f, null, StabilisedMapping.noiseFactor(5e-4, 1.0f, 1.2f, 0.4f, 4f))),
                new Case(
                        "metric_50x38",
                        frame(50, 38, 7),
                        Preset.DEPTH_ANYTHING_V2_METRIC_INDOOR.withInputSize(42, 56),
                        56,
                        42,
                        metric(56, 42, 7),
                        new UnprojectParams(2, 70f, 0.4f, 4f, 0.05f),
                        DepthMapping.METRIC));
    }

    /** Metres: the relative test grid scaled up, with zero and negative cells (invalid metric depth). */
    static float[] metric(int w, int h, int seed) {
        float[] d = depth(w, h, seed, false);
        for (int i = 0; i < d.length; i++) {
            d[i] *= 2.5f;
        }
        d[w + 1] = 0f;
        d[2 * w + 7] = -1f;
        return d;
    }

    /** The batch case: frames of three sizes in one batch, each slot with its own settings. */
    static List<BatchItem> batchItems() {
        return List.of(
                new BatchItem(frame(321, 241, 1), new UnprojectParams(3, 60f, 0.4f, 4f, 0.1f)),
                new BatchItem(frame(2, 2, 2), new UnprojectParams(1, 70f, 0.3f, 5f, 0f)),
                new BatchItem(frame(97, 61, 5), new UnprojectParams(5, 90f, 0.2f, 10f, 0.05f)));
    }

    static Preset batchPreset() {
        return Preset.DEPTH_ANYTHING_V2.withInputSize(42, 56);
    }

    static float[] batchDepth(int n, int gridW, int gridH) {
        float[] all = new float[n * gridW * gridH];
        for (int b = 0; b < n; b++) {
            float[] d = depth(gridW, gridH, 10 + b, false);
            System.arraycopy(d, 0, all, b * gridW * gridH, d.length);
        }
        return all;
    }

    static int hash(int x, int y, int seed) {
        int h = x * 374761393 + y * 668265263 + seed * 144269504;
        h = (h ^ (h >>> 13)) * 1274126177;
        return h ^ (h >>> 16);
    }

    /** Gradients plus noise, chroma over the whole 0..255 range (so the RGB clamps are exercised). */
    static I420Frame frame(int w, int h, int seed) {
        int cw = I420Frame.chromaWidth(w);
        int ch = I420Frame.chromaHeight(h);
        byte[] y = new byte[w * h];
        byte[] u = new byte[cw * ch];
        byte[] v = new byte[cw * ch];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                int g = (w > 1 ? 255 * i / (w - 1) : 128) / 2 + (h > 1 ? 255 * j / (h - 1) : 128) / 2;
                int noise = (hash(i, j, seed) & 63) - 32;
                y[j * w + i] = (byte) Math.max(0, Math.min(255, g + noise));
            }
        }
        for (int j = 0; j < ch; j++) {
            for (int i = 0; i < cw; i++) {
                u[j * cw + i] = (byte) (hash(i, j, seed + 100) & 0xff);
                v[j * cw + i] = (byte) ((i * 255 / Math.max(1, cw - 1) + j * 17) & 0xff);
            }
        }
        return new I420Frame(w, h, y, u, v, seed, 0, 0, 0, 0);
    }

    /** Smooth inverse depth with a step (an edge), a few non-finite cells; or flat. */
    static float[] depth(int w, int h, int seed, boolean flat) {
        float[] d = new float[w * h];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                float r;
                if (flat) {
                    r = 0.7f;
                } else {
                    r = 1f
                            + 0.25f * (float) Math.sin(i * 0.09 + seed) * (float) Math.cos(j * 0.07)
                            + (i > w / 2 ? 0.9f : 0f)
                            + 0.001f * (hash(i, j, seed) & 15);
                }
                d[j * w + i] = r;
            }
        }
        if (!flat && w * h > 8) {
            d[Math.min(3, w - 1) + Math.min(2, h - 1) * w] = Float.NaN;
            d[Math.min(5, w - 1) + Math.min(4, h - 1) * w] = Float.POSITIVE_INFINITY;
            d[w * h - 1] = Float.NEGATIVE_INFINITY;
        }
        return d;
    }

    /** lo, hi of the finite values (as the Unprojector computes them). */
    static float[] range(float[] depth, int offset, int length) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + length; i++) {
            if (Float.isFinite(depth[i])) {
                lo = Math.min(lo, depth[i]);
                hi = Math.max(hi, depth[i]);
            }
        }
        return new float[] {lo, hi};
    }

    static GoldenFile single(Case c) {
        Preprocessor pre = new Preprocessor(c.preset());
        float[] tensor = new float[pre.tensorLength(1)];
        pre.write(c.frame(), tensor, 0);
        PointCloud pc = c.mapping() == null
                ? new Unprojector().unproject(c.depth(), 0, c.gridW(), c.gridH(), c.frame(), c.params())
                : new Unprojector().unproject(c.depth(), 0, c.gridW(), c.gridH(), c.frame(), c.params(), c.mapping());
        SlotTable.Mapping device = SlotTable.Mapping.of(c.mapping());
        BatchLayout layout = BatchLayout.of(List.of(new BatchItem(c.frame(), c.params())), c.gridW(), c.gridH())
                .withMappings(List.of(device));
        I420Frame f = c.frame();
        UnprojectParams p = c.params();
        Intrinsics k = pc.intrinsics();
        return new GoldenFile()
                .ints("frame_w", f.width())
                .ints("frame_h", f.height())
                .bytes("y", f.y())
                .bytes("u", f.u())
                .bytes("v", f.v())
                .ints("in_w", c.preset().inputWidth())
                .ints("in_h", c.preset().inputHeight())
                .floats("mean", c.preset().mean())
                .floats("std", c.preset().std())
                .ints("bgr", c.preset().bgr() ? 1 : 0)
                .bytes("norm", SlotTable.encodeNorm(c.preset()))
                .floats("tensor", tensor)
                .ints("grid_w", c.gridW())
                .ints("grid_h", c.gridH())
                .floats("depth", c.depth())
                .ints("stride", p.stride())
                .floats("hfov", p.hfovDegrees())
                .floats("near", p.near())
                .floats("far", p.far())
                .floats("edge", p.edge())
                .ints("mapping", device.kind())
                .floats("stable", device.lo(), device.hi(), device.noiseK())
                .bytes("slot", SlotTable.encodeSlot(layout.slots().get(0)))
                .floats("range", range(c.depth(), 0, c.depth().length))
                .floats("intr", k.fx(), k.fy(), k.cx(), k.cy())
                .ints("count", pc.count())
                .floats("xyz", java.util.Arrays.copyOf(pc.xyz(), pc.count() * 3))
                .bytes("rgb", java.util.Arrays.copyOf(pc.rgb(), pc.count() * 3));
    }

    static GoldenFile batch() {
        List<BatchItem> items = batchItems();
        Preset preset = batchPreset();
        int gw = preset.inputWidth();
        int gh = preset.inputHeight();
        int n = items.size();
        BatchLayout layout = BatchLayout.of(items, gw, gh);
        ByteBuffer frames = ByteBuffer.allocate((int) layout.frameBytes());
        List<I420Frame> fs = new ArrayList<>();
        items.forEach(it -> fs.add(it.frame()));
        layout.stageFrames(frames, fs);
        ByteBuffer slots = ByteBuffer.allocate(layout.slotTableBytes());
        layout.writeSlots(slots);

        Preprocessor pre = new Preprocessor(preset);
        float[] tensor = new float[pre.tensorLength(n)];
        float[] depth = batchDepth(n, gw, gh);
        Unprojector un = new Unprojector();
        int[] counts = new int[n];
        List<Float> xyz = new ArrayList<>();
        List<Byte> rgb = new ArrayList<>();
        int[] fw = new int[n];
        int[] fh = new int[n];
        int[] stride = new int[n];
        float[] hfov = new float[n];
        float[] near = new float[n];
        float[] far = new float[n];
        float[] edge = new float[n];
        for (int b = 0; b < n; b++) {
            BatchItem it = items.get(b);
            pre.write(it.frame(), tensor, b);
            PointCloud pc = un.unproject(depth, b * gw * gh, gw, gh, it.frame(), it.params());
            counts[b] = pc.count();
            for (int i = 0; i < pc.count() * 3; i++) {
                xyz.add(pc.xyz()[i]);
                rgb.add(pc.rgb()[i]);
            }
            fw[b] = it.frame().width();
            fh[b] = it.frame().height();
            stride[b] = it.params().stride();
            hfov[b] = it.params().hfovDegrees();
            near[b] = it.params().near();
            far[b] = it.params().far();
            edge[b] = it.params().edge();
        }
        float[] xyzA = new float[xyz.size()];
        byte[] rgbA = new byte[rgb.size()];
        for (int i = 0; i < xyzA.length; i++) {
            xyzA[i] = xyz.get(i);
            rgbA[i] = rgb.get(i);
        }
        return new GoldenFile()
                .ints("n", n)
                .ints("in_w", preset.inputWidth())
                .ints("in_h", preset.inputHeight())
                .floats("mean", preset.mean())
                .floats("std", preset.std())
                .ints("bgr", preset.bgr() ? 1 : 0)
                .bytes("norm", SlotTable.encodeNorm(preset))
                .ints("grid_w", gw)
                .ints("grid_h", gh)
                .ints("frame_w", fw)
                .ints("frame_h", fh)
                .ints("stride", stride)
                .floats("hfov", hfov)
                .floats("near", near)
                .floats("far", far)
                .floats("edge", edge)
                .bytes("frames", frames.array())
                .bytes("slots", slots.array())
                .floats("depth", depth)
                .floats("tensor", tensor)
                .ints("counts", counts)
                .floats("xyz", xyzA)
                .bytes("rgb", rgbA);
    }
}
