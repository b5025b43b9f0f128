package dev.depthcast.client;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.process.Unprojector;
import dev.depthcast.wire.CompactCodec;
import dev.depthcast.wire.MessageDecoder;
import dev.depthcast.wire.PointCloudCodec;
import dev.depthcast.wire.PointCloudMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden messages in docs/wire-golden/ (also read by web/test/unit/wire-v2.test.mjs, so the
 * page's decoder and this one are held to the same bytes):
 * <ul>
 *   <li>{@code small.source.v1.msgpack}: a 20×15 grid's points at stride 2 (with dropped edges), schema 1;
 *   <li>{@code small.v2.msgpack}: the same points in schema 2; {@code small.v1.msgpack}: what it decodes to;
 *   <li>{@code scene.v2.msgpack}: a camera-scene frame through the relief model at stride 3 (~20k points);
 *       {@code scene.expected.json}: its decode summarised (count, colour hash, xyz sums, end points).
 * </ul>
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
        PointCloudMessage small = smallSource();
        Files.write(DIR.resolve("small.source.v1.msgpack"), PointCloudCodec.encode(small).bytes());
        try (CompactCodec codec = new CompactCodec(9)) {
            byte[] v2 = codec.encode(small).bytes();
            Files.write(DIR.resolve("small.v2.msgpack"), v2);
            Files.write(DIR.resolve("small.v1.msgpack"), PointCloudCodec.encode(asV1(codec.decode(v2))).bytes());
            PointCloudMessage scene = WireSamples.messages(FramePainter.cameraScene(), 1, 1, 3).get(0);
            byte[] sceneV2 = codec.encode(scene).bytes();
            Files.write(DIR.resolve("scene.v2.msgpack"), sceneV2);
            Files.writeString(DIR.resolve("scene.expected.json"), summary(codec.decode(sceneV2)).encodePrettily() + "\n");
        }
    }

    /** Points of a small, varied frame: a depth ramp with a step (edge drops), colours in every direction. */
    static PointCloudMessage smallSource() {
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
        PointCloud c = new Unprojector().unproject(depth, 0, gw, gh, frame, new UnprojectParams(2, 60f, 0.4f, 4f, 0.25f));
        return new PointCloudMessage(1, 7, 123_456_789L, 1_700_000_000_000_000L, 1_700_000_000_004_000L,
                c.gridWidth(), c.gridHeight(), c.stride(), c.count(), Arrays.copyOf(c.xyz(), c.count() * 3),
                Arrays.copyOf(c.rgb(), c.count() * 3), c.intrinsics(), c.near(), c.far(),
                FrameTimes.of(0.1, 0.2, 3, 4, 0.5, 0.25), 1, 3, "relief", "cpu-onnxruntime", 4242, 1);
    }

    static PointCloudMessage asV1(PointCloudMessage m) {
        return new PointCloudMessage(1, m.seq(), m.timestampUs(), m.ingestEpochUs(), m.sentEpochUs(), m.gridWidth(),
                m.gridHeight(), m.stride(), m.count(), m.xyz(), m.rgb(), m.intrinsics(), m.near(), m.far(),
                m.timing(), m.batch(), m.dropped(), m.model(), m.backend(), m.tag(), 0);
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
        double[] sum = new double[3];
        for (int p = 0; p < m.count(); p++) {
            for (int c = 0; c < 3; c++) {
                sum[c] += m.xyz()[p * 3 + c];
            }
        }
        int last = (m.count() - 1) * 3;
        return new JsonObject().put("n", m.count()).put("stride", m.stride()).put("level", m.level())
                .put("rgbFnv1a", fnv1a(m.rgb(), m.count() * 3))
                .put("xyzSum", new JsonArray().add(sum[0]).add(sum[1]).add(sum[2]))
                .put("firstXyz", new JsonArray().add(m.xyz()[0]).add(m.xyz()[1]).add(m.xyz()[2]))
                .put("lastXyz", new JsonArray().add(m.xyz()[last]).add(m.xyz()[last + 1]).add(m.xyz()[last + 2]))
                .put("firstRgb", new JsonArray().add(m.rgb()[0] & 0xFF).add(m.rgb()[1] & 0xFF).add(m.rgb()[2] & 0xFF));
    }

    static PointCloudMessage read(String name) throws Exception {
        try (MessageDecoder d = new MessageDecoder()) {
            return d.decode(Files.readAllBytes(DIR.resolve(name)));
        }
    }

    @Test
    void theSmallMessageDecodesToItsExpectedPoints() throws Exception {
        PointCloudMessage got = read("small.v2.msgpack");
        PointCloudMessage want = read("small.v1.msgpack");
        PointCloudMessage source = read("small.source.v1.msgpack");
        assertEquals(2, got.version());
        assertEquals(1, got.level());
        assertEquals(want.count(), got.count());
        assertArrayEquals(want.xyz(), got.xyz());
        assertArrayEquals(want.rgb(), got.rgb());
        assertTrue(source.count() < 10 * 8 && source.count() > 50, "some points dropped, most kept: " + source.count());
        assertEquals(source.count(), got.count());
        for (int i = 0; i < got.count() * 3; i++) {
            double depth = -source.xyz()[i / 3 * 3 + 2];
            assertEquals(source.xyz()[i], got.xyz()[i], Math.max(1e-3, 1e-3 * depth), "xyz " + i);
            assertEquals(source.rgb()[i] & 0xFF, got.rgb()[i] & 0xFF, 12, "rgb " + i);
        }
        assertEquals(7, got.seq());
        assertEquals(4242, got.tag(), "the frame tag travels in schema 2 as in schema 1");
        assertEquals(4242, want.tag());
        assertEquals(1_700_000_000_004_000L, got.sentEpochUs());
        assertEquals("relief", got.model());
        assertTrue(got.timing().encode() > 0, "the encoder stamped its time");
    }

    @Test
    void encodingTheSourceAgainMeansTheSame() throws Exception {
        PointCloudMessage want = read("small.v1.msgpack");
        try (CompactCodec codec = new CompactCodec()) {
            PointCloudMessage again = codec.decode(codec.encode(smallSource()).bytes());
            assertArrayEquals(want.xyz(), again.xyz(), "today's encoder, any deflate level, means the same points");
            assertArrayEquals(want.rgb(), again.rgb());
        }
    }

    @Test
    void theSceneMessageDecodesToItsSummary() throws Exception {
        PointCloudMessage got = read("scene.v2.msgpack");
        JsonObject want = new JsonObject(Files.readString(DIR.resolve("scene.expected.json")));
        JsonObject have = summary(got);
        assertEquals(want.getInteger("n"), have.getInteger("n"));
        assertTrue(got.count() > 15_000, "a realistic cloud: " + got.count());
        assertEquals(want.getLong("rgbFnv1a"), have.getLong("rgbFnv1a"), "colours exact");
        for (String key : new String[] {"xyzSum", "firstXyz", "lastXyz"}) {
            for (int c = 0; c < 3; c++) {
                double w = want.getJsonArray(key).getDouble(c);
                assertEquals(w, have.getJsonArray(key).getDouble(c), 1e-6 * Math.max(1, Math.abs(w)), key + "[" + c + "]");
            }
        }
        assertTrue(Files.size(DIR.resolve("scene.v2.msgpack")) <= 48 * 1024);
    }
}
