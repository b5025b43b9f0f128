package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Schema 2 (the default wire) round trip, on the points of a real unprojected frame (a golden source). */
class V2SchemaTest {

    static PointCloudMessage source() throws IOException {
        return new V1Decoder().decode(GoldenFiles.bytes("small.source.v1.msgpack"));
    }

    static PointCloudMessage withTagAndLevel(PointCloudMessage m, int tag, int level) {
        Origin o = m.origin();
        Serving s = m.serving();
        return new PointCloudMessage(
                2,
                new Origin(o.seq(), o.timestampUs(), o.ingestEpochUs(), o.sentEpochUs(), tag),
                m.grid(),
                m.points(),
                m.timing(),
                new Serving(s.model(), s.backend(), s.batch(), s.dropped(), level));
    }

    /** Every point within max(1 mm, 0.1 % of its depth) as a 3D distance, every channel within 12 levels. */
    static void assertSamePoints(Points want, Points got, int rgbTolerance) {
        assertEquals(want.count(), got.count());
        for (int p = 0; p < want.count(); p++) {
            double dx = want.xyz()[p * 3] - got.xyz()[p * 3];
            double dy = want.xyz()[p * 3 + 1] - got.xyz()[p * 3 + 1];
            double dz = want.xyz()[p * 3 + 2] - got.xyz()[p * 3 + 2];
            double bound = Math.max(1e-3, 1e-3 * -want.xyz()[p * 3 + 2]);
            assertTrue(Math.sqrt(dx * dx + dy * dy + dz * dz) <= bound, "point " + p);
            for (int c = 0; c < 3; c++) {
                assertEquals(want.rgb()[p * 3 + c] & 0xFF, got.rgb()[p * 3 + c] & 0xFF, rgbTolerance, "rgb " + p);
            }
        }
    }

    @Test
    void aMessageDecodesToItsPointsWithinTheDocumentedBounds() throws IOException {
        PointCloudMessage m = withTagAndLevel(source(), 4242, 2);
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            EncodedMessage e = encoder.encode(m);
            PointCloudMessage back = decoder.decode(e.bytes());
            assertEquals(2, back.version());
            assertEquals(m.origin(), back.origin());
            assertEquals(m.grid(), back.grid());
            assertEquals(m.serving(), back.serving(), "model, backend, batch, dropped and level");
            assertEquals(m.timing().inference(), back.timing().inference(), 1e-6);
            assertEquals(e.encodeMs(), back.timing().encode(), 1e-3);
            assertSamePoints(m.points(), back.points(), 12);
        }
    }

    @Test
    void chromaOver2x2CellsKeepsEveryPointsPosition() throws IOException {
        PointCloudMessage m = source();
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            PointCloudMessage back =
                    decoder.decode(encoder.encode(m, new ColourSteps(4, 4, 2)).bytes());
            assertSamePoints(m.points(), back.points(), 255);
        }
    }

    @Test
    void anUntaggedFrameHasNoTagKeyAndDecodesAsUntagged() throws IOException {
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            byte[] bytes =
                    encoder.encode(withTagAndLevel(source(), Origin.NO_TAG, 0)).bytes();
            assertFalse(V1SchemaTest.keys(bytes).contains("tag"));
            assertEquals(
                    Set.of(
                            "v",
                            "seq",
                            "ts",
                            "ingestUs",
                            "sentUs",
                            "w",
                            "h",
                            "stride",
                            "n",
                            "level",
                            "cells",
                            "zq",
                            "depth",
                            "cq",
                            "luma",
                            "chroma",
                            "intr",
                            "range",
                            "batch",
                            "dropped",
                            "model",
                            "backend",
                            "timing"),
                    V1SchemaTest.keys(bytes));
            assertFalse(decoder.decode(bytes).origin().tagged());
        }
    }

    @Test
    void oneEncoderAndDecoderServeGridsOfEverySizeInTurnAndAnEmptyCloud() throws IOException {
        PointCloudMessage small = source();
        PointCloudMessage tiny = V1SchemaTest.sample(0, Origin.NO_TAG);
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            for (PointCloudMessage m : List.of(small, tiny, small)) {
                assertEquals(
                        m.points().count(),
                        decoder.decode(encoder.encode(m).bytes()).points().count());
            }
        }
    }

    @Test
    void pointsOutOfRowMajorOrderAreRefusedByTheEncoder() throws IOException {
        PointCloudMessage m = source();
        float[] xyz = m.points().xyz().clone();
        System.arraycopy(m.points().xyz(), 3, xyz, 0, 3);
        System.arraycopy(m.points().xyz(), 0, xyz, 3, 3);
        PointCloudMessage off = new PointCloudMessage(
                2,
                m.origin(),
                m.grid(),
                new Points(m.points().count(), xyz, m.points().rgb()),
                m.timing(),
                m.serving());
        try (V2Encoder encoder = new V2Encoder()) {
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(off));
        }
    }
}
