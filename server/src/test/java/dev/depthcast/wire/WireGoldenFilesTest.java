package dev.depthcast.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden messages of docs/wire-golden (its README says what each is) hold the codecs to bytes:
 * the encoders write exactly the golden bytes from the golden sources (deflate level 9, as they
 * were written, on a clock that takes the encode time they carry), and the decoders read them to
 * exactly the points stored beside them. Schema 2 is lossy, so decoding and encoding again need
 * not give the same bytes: the sources are the encoder's input. scripts/client's WireGoldenTest
 * and web's wire-v2 test read the same files.
 */
class WireGoldenFilesTest {

    static final ColourSteps CHROMA_BLOCK_2 = new ColourSteps(4, 4, 2);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "small.source.v1.msgpack",
                "small.v1.msgpack",
                "small.chroma2.source.v1.msgpack",
                "small.chroma2.v1.msgpack"
            })
    void schema1GoldenMessagesEncodeAgainToTheSameBytes(String name) throws IOException {
        byte[] golden = GoldenFiles.bytes(name);
        PointCloudMessage m = new V1Decoder().decode(golden);
        assertArrayEquals(
                golden,
                new V1Encoder(GoldenFiles.clockTaking(m.timing().encode()))
                        .encode(m)
                        .bytes());
    }

    @Test
    void theSmallSchema2MessageIsItsSourceEncoded() throws IOException {
        assertSourceEncodesTo("small.source.v1.msgpack", ColourSteps.DEFAULT, "small.v2.msgpack");
    }

    @Test
    void theChromaBlock2MessageIsItsSourceEncodedWithChromaOver2x2Cells() throws IOException {
        assertSourceEncodesTo("small.chroma2.source.v1.msgpack", CHROMA_BLOCK_2, "small.chroma2.v2.msgpack");
    }

    /** {@code source} (schema 1) encoded in schema 2 at level 1, as the golden files were written. */
    private static void assertSourceEncodesTo(String source, ColourSteps colour, String golden) throws IOException {
        byte[] want = GoldenFiles.bytes(golden);
        PointCloudMessage m = new V1Decoder().decode(GoldenFiles.bytes(source));
        Serving s = m.serving();
        PointCloudMessage atLevel1 = new PointCloudMessage(
                2,
                m.origin(),
                m.grid(),
                m.points(),
                m.timing(),
                new Serving(s.model(), s.backend(), s.batch(), s.dropped(), 1));
        try (V2Decoder decoder = new V2Decoder();
                V2Encoder encoder = new V2Encoder(
                        9, GoldenFiles.clockTaking(decoder.decode(want).timing().encode()))) {
            assertArrayEquals(want, encoder.encode(atLevel1, colour).bytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "small.chroma2"})
    void schema2GoldenMessagesDecodeToExactlyTheirSchema1Points(String name) throws IOException {
        try (MessageDecoder decoder = new MessageDecoder()) {
            PointCloudMessage v2 = decoder.decode(GoldenFiles.bytes(name + ".v2.msgpack"));
            PointCloudMessage v1 = decoder.decode(GoldenFiles.bytes(name + ".v1.msgpack"));
            assertEquals(2, v2.version());
            assertEquals(1, v1.version());
            assertEquals(v1.points().count(), v2.points().count());
            assertArrayEquals(v1.points().xyz(), v2.points().xyz());
            assertArrayEquals(v1.points().rgb(), v2.points().rgb());
            assertEquals(v1.origin(), v2.origin());
            assertEquals(v1.grid(), v2.grid());
            assertEquals(v1.timing().inference(), v2.timing().inference());
            assertEquals(1, v2.serving().level());
            assertEquals(0, v1.serving().level(), "schema 1 carries no level");
        }
    }

    /** The summary's fields as docs/wire-golden/README.md defines them. */
    @Test
    void theSceneMessageDecodesToItsSummary() throws IOException {
        JsonObject want = new JsonObject(new String(GoldenFiles.bytes("scene.expected.json")));
        PointCloudMessage m;
        try (V2Decoder decoder = new V2Decoder()) {
            m = decoder.decode(GoldenFiles.bytes("scene.v2.msgpack"));
        }
        Points p = m.points();
        assertEquals(want.getInteger("n"), p.count());
        assertEquals(want.getInteger("stride"), m.grid().stride());
        assertEquals(want.getInteger("level"), m.serving().level());
        long hash = 0x811C9DC5L;
        for (int i = 0; i < p.count() * 3; i++) {
            hash = ((hash ^ (p.rgb()[i] & 0xFF)) * 0x01000193L) & 0xFFFFFFFFL;
        }
        assertEquals(want.getLong("rgbFnv1a"), hash);
        double[] sum = new double[3];
        for (int i = 0; i < p.count() * 3; i++) {
            sum[i % 3] += p.xyz()[i];
        }
        int last = (p.count() - 1) * 3;
        for (int c = 0; c < 3; c++) {
            double w = want.getJsonArray("xyzSum").getDouble(c);
            assertEquals(w, sum[c], 1e-6 * Math.max(1, Math.abs(w)), "xyzSum[" + c + "]");
            assertEquals(want.getJsonArray("firstXyz").getFloat(c), p.xyz()[c]);
            assertEquals(want.getJsonArray("lastXyz").getFloat(c), p.xyz()[last + c]);
            assertEquals(want.getJsonArray("firstRgb").getInteger(c), p.rgb()[c] & 0xFF);
        }
    }
}
