package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.process.Intrinsics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dense frame format (docs/protocol.md, "Dense frames") against its golden frames in
 * docs/wire-golden: the packer writes exactly the golden planes from the golden source messages,
 * the reader gets every point's depth back within the code's half step and the tag's seq, also
 * through codec-like noise. web's dense test reads the same files. With
 * {@code -Ddepthcast.writeDenseGolden=true} the golden files are written from the sources instead.
 */
class DenseFrameTest {

    /** Half a code step over the goldens' 0.4–4 m: ln(10)/203/2, plus float32 rounding. */
    static final double HALF_STEP = Math.log(10) / (DenseDepthCode.FAR - DenseDepthCode.NEAR) / 2 + 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"small.chroma2", "scene"})
    void theGoldenFrameIsItsSourcePacked(String name) throws IOException {
        PointCloudMessage source = source(name);
        DenseFrame frame = new DenseFramePacker().pack(source);
        byte[] planes = planes(frame);
        if (Boolean.getBoolean("depthcast.writeDenseGolden")) {
            Files.write(GoldenFiles.DIR.resolve("dense." + name + ".i420"), planes);
            Files.writeString(
                    GoldenFiles.DIR.resolve("dense." + name + ".expected.json"),
                    expected(source, frame).encodePrettily() + "\n",
                    StandardCharsets.UTF_8);
        }
        assertArrayEquals(GoldenFiles.bytes("dense." + name + ".i420"), planes);
        JsonObject expected = new JsonObject(
                new String(GoldenFiles.bytes("dense." + name + ".expected.json"), StandardCharsets.UTF_8));
        assertEquals(expected, expected(source, frame));
    }

    @ParameterizedTest
    @ValueSource(strings = {"small.chroma2", "scene"})
    void everyPointsDepthAndTheSeqComeBack(String name) throws IOException {
        PointCloudMessage m = source(name);
        DenseFrame frame = new DenseFramePacker().pack(m);
        DenseLayout layout = frame.layout();
        assertEquals(m.origin().seq() & 0xFFFF, DenseFrameReader.tag(layout, frame.y(), layout.width()));
        float[] z = DenseFrameReader.depth(
                layout, frame.y(), layout.width(), m.grid().near(), m.grid().far());
        int[] cells = cellsOf(m);
        boolean[] present = new boolean[z.length];
        for (int p = 0; p < m.points().count(); p++) {
            double want = -m.points().xyz()[p * 3 + 2];
            present[cells[p]] = true;
            double rel = Math.abs(Math.log(z[cells[p]] / want));
            assertTrue(rel <= HALF_STEP, "point " + p + ": " + z[cells[p]] + " for " + want);
        }
        for (int c = 0; c < z.length; c++) {
            assertEquals(!present[c], Float.isNaN(z[c]), "cell " + c);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 4242, 65535, 65536 + 99})
    void theTagSurvivesCodecNoiseAndBleed(int seq) throws IOException {
        PointCloudMessage m = withSeq(source("scene"), seq);
        DenseFrame frame = new DenseFramePacker().pack(m);
        DenseLayout layout = frame.layout();
        byte[] y = frame.y().clone();
        Random random = new Random(seq);
        int w = layout.width();
        // A lossy codec's look: every luma off by up to ±12, and cell borders smeared by 3 pixels.
        for (int row = layout.tagY(); row < layout.height(); row++) {
            byte[] line = java.util.Arrays.copyOfRange(y, row * w, row * w + w);
            for (int x = 0; x < w; x++) {
                int sum = 0;
                for (int dx = -3; dx <= 3; dx++) {
                    sum += line[Math.max(0, Math.min(w - 1, x + dx))] & 0xFF;
                }
                y[row * w + x] = (byte) Math.max(0, Math.min(255, sum / 7 + random.nextInt(25) - 12));
            }
        }
        assertEquals(seq & 0xFFFF, DenseFrameReader.tag(layout, y, w));
        // One cell read the other way (a garbled block): the CRC rejects the word.
        int from = DenseTag.cellStart(5, w);
        int to = DenseTag.cellStart(6, w);
        int mean = y[(layout.tagY() + 8) * w + (from + to) / 2] & 0xFF;
        byte flipped = (byte) (mean > DenseTag.THRESHOLD ? DenseTag.ZERO : DenseTag.ONE);
        for (int row = layout.tagY(); row < layout.height(); row++) {
            java.util.Arrays.fill(y, row * w + from, row * w + to, flipped);
        }
        assertEquals(-1, DenseFrameReader.tag(layout, y, w), "a flipped cell breaks the CRC");
    }

    @ParameterizedTest
    @ValueSource(floats = {0.4f, 2.5f, 3.6f})
    void thePackersLookupGivesTheCodesFormula(float near) throws IOException {
        // Ranges of 10:1, 1.6:1 and 1.11:1 (steps narrower than a lookup entry).
        PointCloudMessage m = source("scene");
        PointCloudMessage.Grid g = m.grid();
        float far = 4f;
        Random random = new Random(7);
        float[] xyz = m.points().xyz().clone();
        int[] cells = cellsOf(m);
        float[] want = new float[m.points().count()];
        for (int p = 0; p < want.length; p++) {
            // Same cell (x, y scale with depth), a random depth in and around the range.
            float z = near * 0.9f + random.nextFloat() * (far * 1.1f - near * 0.9f);
            float scale = z / -xyz[p * 3 + 2];
            xyz[p * 3] *= scale;
            xyz[p * 3 + 1] *= scale;
            xyz[p * 3 + 2] = -z;
            want[p] = z;
        }
        PointCloudMessage moved = new PointCloudMessage(
                m.version(),
                m.origin(),
                new PointCloudMessage.Grid(g.width(), g.height(), g.stride(), g.intrinsics(), near, far),
                new PointCloudMessage.Points(want.length, xyz, m.points().rgb()),
                m.timing(),
                m.stab(),
                m.serving());
        DenseFrame frame = new DenseFramePacker().pack(moved);
        DenseLayout l = frame.layout();
        int off = 0;
        for (int p = 0; p < want.length; p++) {
            int cell = cells[p];
            int got = frame.y()[(cell / l.columns()) * l.width() + l.depthX() + cell % l.columns()] & 0xFF;
            int formula = DenseDepthCode.luma(want[p], near, far);
            assertTrue(Math.abs(got - formula) <= 1, "point " + p + " at " + want[p] + ": " + got + " vs " + formula);
            off += got != formula ? 1 : 0;
        }
        assertTrue(off * 1000 <= want.length, off + " of " + want.length + " codes differ from the formula's rounding");
    }

    static PointCloudMessage source(String name) throws IOException {
        byte[] bytes = GoldenFiles.bytes(name.equals("scene") ? "scene.v2.msgpack" : name + ".source.v1.msgpack");
        try (MessageDecoder decoder = new MessageDecoder()) {
            return decoder.decode(bytes);
        }
    }

    private static PointCloudMessage withSeq(PointCloudMessage m, long seq) {
        PointCloudMessage.Origin o = m.origin();
        return new PointCloudMessage(
                m.version(),
                new PointCloudMessage.Origin(seq, o.timestampUs(), o.ingestEpochUs(), o.sentEpochUs(), o.tag()),
                m.grid(),
                m.points(),
                m.timing(),
                m.stab(),
                m.serving());
    }

    /** Each point's cell, as the packer finds it. */
    static int[] cellsOf(PointCloudMessage m) {
        Intrinsics k = m.grid().intrinsics();
        int sw = CellGrid.samples(m.grid().width(), m.grid().stride());
        int[] cells = new int[m.points().count()];
        float[] xyz = m.points().xyz();
        for (int p = 0; p < cells.length; p++) {
            double d = -xyz[p * 3 + 2];
            long i = Math.round(
                    (xyz[p * 3] / d * k.fx() + k.cx() - 0.5) / m.grid().stride());
            long j = Math.round(
                    (-xyz[p * 3 + 1] / d * k.fy() + k.cy() - 0.5) / m.grid().stride());
            cells[p] = (int) (j * sw + i);
        }
        return cells;
    }

    private static byte[] planes(DenseFrame f) {
        byte[] all = new byte[f.y().length + f.u().length + f.v().length];
        System.arraycopy(f.y(), 0, all, 0, f.y().length);
        System.arraycopy(f.u(), 0, all, f.y().length, f.u().length);
        System.arraycopy(f.v(), 0, all, f.y().length + f.u().length, f.v().length);
        return all;
    }

    /** What a reader of the golden frame must get: layout, tag, range and every cell's depth (null: none). */
    private static JsonObject expected(PointCloudMessage m, DenseFrame f) {
        DenseLayout l = f.layout();
        float[] z = DenseFrameReader.depth(
                l, f.y(), l.width(), m.grid().near(), m.grid().far());
        JsonArray depth = new JsonArray();
        for (float v : z) {
            depth.add(Float.isNaN(v) ? null : Double.parseDouble(Float.toString(v)));
        }
        Intrinsics k = m.grid().intrinsics();
        return new JsonObject()
                .put("seq", m.origin().seq())
                .put("tag", DenseFrameReader.tag(l, f.y(), l.width()))
                .put("range", new JsonArray().add((double) m.grid().near()).add((double)
                                m.grid().far()))
                .put(
                        "intr",
                        new JsonObject()
                                .put("fx", (double) k.fx())
                                .put("fy", (double) k.fy())
                                .put("cx", (double) k.cx())
                                .put("cy", (double) k.cy()))
                .put("stride", m.grid().stride())
                .put(
                        "layout",
                        new JsonObject()
                                .put("fw", l.width())
                                .put("fh", l.height())
                                .put("gw", l.columns())
                                .put("gh", l.rows())
                                .put("dx", l.depthX())
                                .put("ty", l.tagY()))
                .put("points", m.points().count())
                .put("depth", depth);
    }
}
