package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.process.Unprojector;
import dev.depthcast.wire.ColourSteps;
import dev.depthcast.wire.MessageDecoder;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import dev.depthcast.wire.V1Encoder;
import dev.depthcast.wire.V2Decoder;
import dev.depthcast.wire.V2Encoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The golden messages in docs/wire-golden/ (also read by web/test/unit/wire-v2.test.mjs, so the
 * page's decoder and this one are held to the same bytes):
 * <ul>
 *   <li>{@code small.source.v1.msgpack}: a 20×15 grid's points at stride 2 (with dropped edges), schema 1;
 *   <li>{@code small.v2.msgpack}: the same points in schema 2; {@code small.v1.msgpack}: what it decodes to;
 *   <li>{@code small.chroma2.source.v1.msgpack}: the same frame's points at stride 1 (20×15 cells), schema 1;
 *       {@code small.chroma2.v2.msgpack}: them in schema 2 with chroma averaged over 2×2 cells
 *       ({@code chromaBlock = 2}, the last block row half full); {@code small.chroma2.v1.msgpack}: what it
 *       decodes to;
 *   <li>{@code scene.v2.msgpack}: a camera-scene frame through the relief model at stride 3 (~20k points);
 *       {@code scene.expected.json}: its decode summarised (count, colour hash, xyz sums, end points).
 * </ul>
 * docs/wire-golden/README.md describes them for readers without this source.
 * Regenerate (after a deliberate schema change) with
 * {@code mvn -pl scripts/client -am test -Dtest=WireGoldenTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Ddepthcast.golden.write=true}: it writes the files, then checks them like any run.
 */
class WireGoldenTest {

    static final Path DIR = repoRoot().resolve("docs/wire-golden");

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docs"))) {
            p = p.getParent();
        }
        return p;
    }

    @BeforeAll
    static void writeIfAsked() throws Exception {
        if (!Boolean.getBoolean("depthcast.golden.write")) {
            return;
        }
        Files.createDirectories(DIR);
        PointCloudMessage small = smallSource(2);
        V1Encoder v1 = new V1Encoder();
        Files.write(DIR.resolve("small.source.v1.msgpack"), v1.encode(small).bytes());
        try (V2Encoder encoder = new V2Encoder(9, System::nanoTime);
                V2Decoder decoder = new V2Decoder()) {
            byte[] v2 = encoder.encode(small).bytes();
            Files.write(DIR.resolve("small.v2.msgpack"), v2);
            Files.write(
                    DIR.resolve("small.v1.msgpack"),
                    v1.encode(asV1(decoder.decode(v2))).bytes());
            PointCloudMessage dense = smallSource(1);
            Files.write(
                    DIR.resolve("small.chroma2.source.v1.msgpack"),
                    v1.encode(dense).bytes());
            byte[] chroma2 = encoder.encode(dense, CHROMA_BLOCK_2).bytes();
            Files.write(DIR.resolve("small.chroma2.v2.msgpack"), chroma2);
            Files.write(
                    DIR.resolve("small.chroma2.v1.msgpack"),
                    v1.encode(asV1(decoder.decode(chroma2))).bytes());
            PointCloudMessage scene =
                    WireSamples.messages(FramePainter.cameraScene(), 1, 1, 3).get(0);
            byte[] sceneV2 = encoder.encode(scene).bytes();
            Files.write(DIR.resolve("scene.v2.msgpack"), sceneV2);
            Files.writeString(
                    DIR.resolve("scene.expected.json"),
                    summary(decoder.decode(sceneV2)).encodePrettily() + "\n");
        }
    }

    /** The default colour steps with chroma averaged over 2×2 cells. */
    static final ColourSteps CHROMA_BLOCK_2 = new ColourSteps(4, 4, 2);

    /**
     * Points of a small, varied frame at {@code stride} (2: a 10×8 cell grid; 1: 20×15): a depth ramp
     * with a step (edge drops), colours in every direction.
     */
    static PointCloudMessage smallSource(int stride) {
        int w = 40;
        int h = 30;
        int cw = 20;
        int ch = 15;
        byte[] y = new byte[w * h];
        byte[] u = new byte[cw * ch];
        byte[] v = new byte[cw * ch];
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                y[r * w + x] = (byte) (16 + (x * 5 + r * 3) % 220);
            }
        }
        for (int r = 0; r < ch; r++) {
            for (int x = 0; x < cw; x++) {
                u[r * cw + x] = (byte) (40 + x * 9);
                v[r * cw + x] = (byte) (220 - r * 11);
            }
        }
        I420Frame frame = new I420Frame(w, h, y, u, v, 7, 0, 0, 0, 0);
        int gw = 20;
        int gh = 15;
        float[] depth = new float[gw * gh];
        for (int j = 0; j < gh; j++) {
            for (int i = 0; i < gw; i++) {
                depth[j * gw + i] = 1f + 0.01f * i + 0.005f * j + (i >= 12 && j >= 6 ? 0.4f : 0f);
            }
        }
        depth[3 * gw + 4] = Float.NaN;
        PointCloud c =
                new Unprojector().unproject(depth, 0, gw, gh, frame, new UnprojectParams(stride, 60f, 0.4f, 4f, 0.25f));
        return new PointCloudMessage(
                1,
                new Origin(7, 123_456_789L, 1_700_000_000_000_000L, 1_700_000_000_004_000L, 4242),
                Grid.of(c),
                new Points(c.count(), Arrays.copyOf(c.xyz(), c.count() * 3), Arrays.copyOf(c.rgb(), c.count() * 3)),
                new Timing(0.1, 0.2, 3, 4, 0.5, 0.25),
                new Serving("relief", "cpu-onnxruntime", 1, 3, 1));
    }

    /** {@code m} as schema 1 carries it: level 0 (schema 1 has none). */
    static PointCloudMessage asV1(PointCloudMessage m) {
        Serving s = m.serving();
        return new PointCloudMessage(
                1,
                m.origin(),
                m.grid(),
                m.points(),
                m.timing(),
                new Serving(s.model(), s.backend(), s.batch(), s.dropped(), 0));
    }

    /** FNV-1a (32 bit) of the first {@code length} bytes. */
    static long fnv1a(byte[] bytes, int length) {
        long hash = 0x811C9DC5L;
        for (int i = 0; i < length; i++) {
            hash ^= bytes[i] & 0xFF;
            hash = (hash * 0x01000193L) & 0xFFFFFFFFL;
        }
        return hash;
    }

    static JsonObject summary(PointCloudMessage m) {
        Points points = m.points();
        float[] xyz = points.xyz();
        byte[] rgb = points.rgb();
        double[] sum = new double[3];
        for (int p = 0; p < points.count(); p++) {
            for (int c = 0; c < 3; c++) {
                sum[c] += xyz[p * 3 + c];
            }
        }
        int last = (points.count() - 1) * 3;
        return new JsonObject()
                .put("n", points.count())
                .put("stride", m.grid().stride())
                .put("level", m.serving().level())
                .put("rgbFnv1a", fnv1a(rgb, points.count() * 3))
                .put("xyzSum", new JsonArray().add(sum[0]).add(sum[1]).add(sum[2]))
                .put("firstXyz", new JsonArray().add(xyz[0]).add(xyz[1]).add(xyz[2]))
                .put(
                        "lastXyz",
                        new JsonArray().add(xyz[last]).add(xyz[last + 1]).add(xyz[last + 2]))
                .put(
                        "firstRgb",
                        new JsonArray().add(rgb[0] & 0xFF).add(rgb[1] & 0xFF).add(rgb[2] & 0xFF));
    }

    static PointCloudMessage read(String name) throws Exception {
        try (MessageDecoder d = new MessageDecoder()) {
            return d.decode(Files.readAllBytes(DIR.resolve(name)));
        }
    }

    /**
     * {@code got} (a schema-2 golden file) decodes to {@code want} exactly, and to {@code source}'s
     * points within max(1 mm, 0.1 % of depth) per coordinate.
     */
    static void assertDecodesTo(PointCloudMessage want, PointCloudMessage source, PointCloudMessage got) {
        Points g = got.points();
        Points s = source.points();
        assertEquals(want.points().count(), g.count());
        assertArrayEquals(want.points().xyz(), g.xyz());
        assertArrayEquals(want.points().rgb(), g.rgb());
        assertEquals(s.count(), g.count());
        for (int i = 0; i < g.count() * 3; i++) {
            double depth = -s.xyz()[i / 3 * 3 + 2];
            assertEquals(s.xyz()[i], g.xyz()[i], Math.max(1e-3, 1e-3 * depth), "xyz " + i);
        }
    }

    /** The largest difference in BT.601 luma between the points of {@code a} and {@code b}. */
    static double maxLumaError(Points a, Points b) {
        double worst = 0;
        for (int p = 0; p < a.count(); p++) {
            worst = Math.max(worst, Math.abs(luma(a.rgb(), p) - luma(b.rgb(), p)));
        }
        return worst;
    }

    static double luma(byte[] rgb, int p) {
        return 0.299 * (rgb[p * 3] & 0xFF) + 0.587 * (rgb[p * 3 + 1] & 0xFF) + 0.114 * (rgb[p * 3 + 2] & 0xFF);
    }

    @Test
    void theSmallMessageDecodesToItsExpectedPoints() throws Exception {
        PointCloudMessage got = read("small.v2.msgpack");
        PointCloudMessage want = read("small.v1.msgpack");
        PointCloudMessage source = read("small.source.v1.msgpack");
        assertEquals(2, got.version());
        assertEquals(1, got.serving().level());
        int count = source.points().count();
        assertTrue(count < 10 * 8 && count > 50, "some points dropped, most kept: " + count);
        assertDecodesTo(want, source, got);
        for (int i = 0; i < got.points().count() * 3; i++) {
            assertEquals(source.points().rgb()[i] & 0xFF, got.points().rgb()[i] & 0xFF, 12, "rgb " + i);
        }
        assertEquals(7, got.origin().seq());
        assertEquals(4242, got.origin().tag(), "the frame tag travels in schema 2 as in schema 1");
        assertEquals(4242, want.origin().tag());
        assertEquals(1_700_000_000_004_000L, got.origin().sentEpochUs());
        assertEquals("relief", got.serving().model());
        assertTrue(got.timing().encode() > 0, "the encoder stamped its time");
    }

    /** The third entry of a schema-2 message's {@code cq}. */
    static int chromaBlock(byte[] bytes) throws Exception {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                if (u.unpackString().equals("cq")) {
                    u.unpackArrayHeader();
                    u.unpackInt();
                    u.unpackInt();
                    return u.unpackInt();
                }
                u.skipValue();
            }
        }
        return -1;
    }

    @Test
    void theChromaBlock2MessageDecodesToItsExpectedPoints() throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve("small.chroma2.v2.msgpack"));
        PointCloudMessage got = read("small.chroma2.v2.msgpack");
        assertEquals(1, got.grid().stride());
        assertEquals(2, chromaBlock(bytes), "cq's chroma block");
        int count = got.points().count();
        assertTrue(count < 20 * 15 && count > 200, "some points dropped, most kept: " + count);
        PointCloudMessage source = read("small.chroma2.source.v1.msgpack");
        assertDecodesTo(read("small.chroma2.v1.msgpack"), source, got);
        // Chroma is one value per 2x2 cells (this frame's changes every cell), luma still one per cell; a
        // channel clamped to 0..255 moves luma by a few levels too.
        assertTrue(maxLumaError(source.points(), got.points()) <= 12, "luma per cell");
    }

    @Test
    void encodingTheSourceAgainMeansTheSame() throws Exception {
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            PointCloudMessage want = read("small.v1.msgpack");
            PointCloudMessage again =
                    decoder.decode(encoder.encode(smallSource(2)).bytes());
            assertArrayEquals(
                    want.points().xyz(),
                    again.points().xyz(),
                    "today's encoder, any deflate level, means the same points");
            assertArrayEquals(want.points().rgb(), again.points().rgb());
            PointCloudMessage want2 = read("small.chroma2.v1.msgpack");
            PointCloudMessage again2 = decoder.decode(
                    encoder.encode(smallSource(1), CHROMA_BLOCK_2).bytes());
            assertArrayEquals(want2.points().xyz(), again2.points().xyz());
            assertArrayEquals(want2.points().rgb(), again2.points().rgb());
        }
    }

    @Test
    void theSceneMessageDecodesToItsSummary() throws Exception {
        PointCloudMessage got = read("scene.v2.msgpack");
        JsonObject want = new JsonObject(Files.readString(DIR.resolve("scene.expected.json")));
        JsonObject have = summary(got);
        assertEquals(want.getInteger("n"), have.getInteger("n"));
        assertTrue(
                got.points().count() > 15_000,
                "a realistic cloud: " + got.points().count());
        assertEquals(want.getLong("rgbFnv1a"), have.getLong("rgbFnv1a"), "colours exact");
        for (String key : new String[] {"xyzSum", "firstXyz", "lastXyz"}) {
            for (int c = 0; c < 3; c++) {
                double w = want.getJsonArray(key).getDouble(c);
                assertEquals(
                        w, have.getJsonArray(key).getDouble(c), 1e-6 * Math.max(1, Math.abs(w)), key + "[" + c + "]");
            }
        }
        assertTrue(Files.size(DIR.resolve("scene.v2.msgpack")) <= 48 * 1024);
    }
}
