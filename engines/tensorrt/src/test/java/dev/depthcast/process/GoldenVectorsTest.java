package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.cuda.BatchLayout;
import dev.depthcast.backend.cuda.RepoRoot;
import dev.depthcast.backend.cuda.SlotTable;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One truth, two runtimes: the Java CPU path must still reproduce the committed golden vectors in
 * kernels/golden (which kernels/test/host_parity.cpp checks the CUDA header against), within
 * {@value #TOLERANCE}; descriptor bytes and point counts exactly.
 *
 * <p>Regenerate (after an intended change of the math, reviewed):
 * {@code mvn -q -o test -Dtest=GoldenVectorsTest -Ddepthcast.golden.write=true}, then
 * {@code scripts/test-kernels.sh}.
 */
class GoldenVectorsTest {

    static final float TOLERANCE = 1e-3f;
    static final String SUFFIX = ".dcg";

    static Path dir() {
        return RepoRoot.get().resolve("kernels").resolve("golden");
    }

    static boolean writeMode() {
        return Boolean.getBoolean("depthcast.golden.write");
    }

    @BeforeAll
    static void writeWhenAsked() throws IOException {
        if (writeMode()) {
            Files.createDirectories(dir());
            for (GoldenCases.Case c : GoldenCases.cases()) {
                GoldenCases.single(c).write(dir().resolve(c.name() + SUFFIX));
            }
            GoldenCases.batch().write(dir().resolve("batch" + SUFFIX));
        }
    }

    @Test
    void allFilesArePresentAndSmall() throws IOException {
        long total = 0;
        for (GoldenCases.Case c : GoldenCases.cases()) {
            Path p = dir().resolve(c.name() + SUFFIX);
            assertTrue(Files.isRegularFile(p), "missing golden file " + p);
            total += Files.size(p);
        }
        total += Files.size(dir().resolve("batch" + SUFFIX));
        assertTrue(total < 1_000_000, "golden vectors must stay under 1 MB, are " + total);
    }

    @TestFactory
    List<DynamicTest> javaReproducesEverySingleFrameCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.cases()) {
            tests.add(DynamicTest.dynamicTest(
                    c.name(), () -> checkSingle(GoldenFile.read(dir().resolve(c.name() + SUFFIX)))));
        }
        return tests;
    }

    @Test
    void javaReproducesTheBatchCase() throws IOException {
        checkBatch(GoldenFile.read(dir().resolve("batch" + SUFFIX)));
    }

    @Test
    void casesCoverOddTinyAspectFlatBgrAndNonFiniteDepth() {
        List<GoldenCases.Case> cases = GoldenCases.cases();
        assertTrue(cases.stream()
                .anyMatch(c -> c.frame().width() == 321 && c.frame().height() == 241));
        assertTrue(
                cases.stream().anyMatch(c -> c.frame().width() == 2 && c.frame().height() == 2));
        assertTrue(cases.stream().anyMatch(c -> c.preset().bgr()));
        assertTrue(cases.stream().anyMatch(c -> c.params().edge() == 0f));
        assertTrue(cases.stream().anyMatch(c -> c.mapping() instanceof StabilisedMapping));
        assertTrue(cases.stream().anyMatch(c -> c.mapping() == DepthMapping.METRIC));
        assertTrue(cases.stream().anyMatch(c -> {
            for (float r : c.depth()) {
                if (Float.isNaN(r)) {
                    return true;
                }
            }
            return false;
        }));
    }

    static I420Frame frameOf(GoldenFile g) {
        return new I420Frame(
                g.integer("frame_w"), g.integer("frame_h"), g.bytes("y"), g.bytes("u"), g.bytes("v"), 0, 0, 0, 0, 0);
    }

    static Preset presetOf(GoldenFile g) {
        return new Preset(
                "golden",
                g.integer("in_h"),
                g.integer("in_w"),
                g.floats("mean"),
                g.floats("std"),
                g.integer("bgr") != 0,
                1,
                "golden",
                DepthOutput.RELATIVE);
    }

    static void checkSingle(GoldenFile g) {
        I420Frame frame = frameOf(g);
        Preset preset = presetOf(g);
        UnprojectParams params =
                new UnprojectParams(g.integer("stride"), g.real("hfov"), g.real("near"), g.real("far"), g.real("edge"));
        int gw = g.integer("grid_w");
        int gh = g.integer("grid_h");

        float[] stable = g.floats("stable");
        SlotTable.Mapping device = new SlotTable.Mapping(g.integer("mapping"), stable[0], stable[1], stable[2]);
        DepthMapping mapping = switch (device.kind()) {
            case SlotTable.Mapping.STABILISED_KIND ->
                new StabilisedMapping(device.lo(), device.hi(), params.near(), params.far(), null, device.noiseK());
            case SlotTable.Mapping.METRIC_KIND -> DepthMapping.METRIC;
            default -> null;
        };

        assertArrayEquals(g.bytes("norm"), SlotTable.encodeNorm(preset), "DcNorm bytes");
        BatchLayout layout =
                BatchLayout.of(List.of(new BatchItem(frame, params)), gw, gh).withMappings(List.of(device));
        assertArrayEquals(g.bytes("slot"), SlotTable.encodeSlot(layout.slots().get(0)), "DcSlot bytes");

        Preprocessor pre = new Preprocessor(preset);
        float[] tensor = new float[pre.tensorLength(1)];
        pre.write(frame, tensor, 0);
        assertClose(g.floats("tensor"), tensor, "tensor");

        float[] depth = g.floats("depth");
        assertClose(g.floats("range"), GoldenCases.range(depth, 0, depth.length), "range");
        PointCloud pc = mapping == null
                ? new Unprojector().unproject(depth, 0, gw, gh, frame, params)
                : new Unprojector().unproject(depth, 0, gw, gh, frame, params, mapping);
        Intrinsics k = pc.intrinsics();
        assertClose(g.floats("intr"), new float[] {k.fx(), k.fy(), k.cx(), k.cy()}, "intrinsics");
        assertEquals(g.integer("count"), pc.count(), "point count");
        assertClose(g.floats("xyz"), Arrays.copyOf(pc.xyz(), pc.count() * 3), "xyz");
        assertArrayEquals(g.bytes("rgb"), Arrays.copyOf(pc.rgb(), pc.count() * 3), "rgb");
    }

    static void checkBatch(GoldenFile g) {
        int n = g.integer("n");
        int gw = g.integer("grid_w");
        int gh = g.integer("grid_h");
        Preset preset = presetOf(g);
        // Rebuild the frames from the staged buffer using the layout the pipeline would compute.
        List<BatchItem> sizes = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            UnprojectParams p = new UnprojectParams(
                    g.ints("stride")[b],
                    g.floats("hfov")[b],
                    g.floats("near")[b],
                    g.floats("far")[b],
                    g.floats("edge")[b]);
            int w = g.ints("frame_w")[b];
            int h = g.ints("frame_h")[b];
            int c = I420Frame.chromaSize(w, h);
            sizes.add(new BatchItem(new I420Frame(w, h, new byte[w * h], new byte[c], new byte[c], 0, 0, 0, 0, 0), p));
        }
        BatchLayout layout = BatchLayout.of(sizes, gw, gh);
        ByteBuffer slots = ByteBuffer.allocate(layout.slotTableBytes());
        layout.writeSlots(slots);
        assertArrayEquals(g.bytes("slots"), slots.array(), "DcSlot table bytes");
        assertEquals(g.bytes("frames").length, layout.frameBytes(), "staged frame bytes");
        byte[] staged = g.bytes("frames");
        List<BatchItem> items = new ArrayList<>();
        List<I420Frame> frames = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            SlotTable.Slot s = layout.slots().get(b);
            int luma = s.width() * s.height();
            int chroma = I420Frame.chromaSize(s.width(), s.height());
            I420Frame f = new I420Frame(
                    s.width(),
                    s.height(),
                    Arrays.copyOfRange(staged, s.yOffset(), s.yOffset() + luma),
                    Arrays.copyOfRange(staged, s.uOffset(), s.uOffset() + chroma),
                    Arrays.copyOfRange(staged, s.vOffset(), s.vOffset() + chroma),
                    0,
                    0,
                    0,
                    0,
                    0);
            frames.add(f);
            items.add(new BatchItem(f, sizes.get(b).params()));
        }
        ByteBuffer restaged = ByteBuffer.allocate((int) layout.frameBytes());
        layout.stageFrames(restaged, frames);
        assertArrayEquals(staged, restaged.array(), "staging is deterministic");

        Preprocessor pre = new Preprocessor(preset);
        float[] tensor = new float[pre.tensorLength(n)];
        float[] depth = g.floats("depth");
        Unprojector un = new Unprojector();
        int at = 0;
        for (int b = 0; b < n; b++) {
            pre.write(items.get(b).frame(), tensor, b);
            PointCloud pc = un.unproject(
                    depth,
                    b * gw * gh,
                    gw,
                    gh,
                    items.get(b).frame(),
                    items.get(b).params());
            assertEquals(g.ints("counts")[b], pc.count(), "count of slot " + b);
            assertClose(
                    Arrays.copyOfRange(g.floats("xyz"), at * 3, (at + pc.count()) * 3),
                    Arrays.copyOf(pc.xyz(), pc.count() * 3),
                    "xyz of slot " + b);
            assertArrayEquals(
                    Arrays.copyOfRange(g.bytes("rgb"), at * 3, (at + pc.count()) * 3),
                    Arrays.copyOf(pc.rgb(), pc.count() * 3),
                    "rgb of slot " + b);
            at += pc.count();
        }
        assertClose(g.floats("tensor"), tensor, "batch tensor");
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a) : Math.abs(e - a) <= TOLERANCE || e == a;
            if (!ok) {
                throw new AssertionError(what + "[" + i + "]: expected " + e + ", got " + a);
            }
        }
    }
}
