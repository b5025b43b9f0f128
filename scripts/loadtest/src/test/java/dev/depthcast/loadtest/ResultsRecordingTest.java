package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * {@code loadtest.sh --record DIR}: each client's results as a {@code .dcrec} file that reads back
 * per docs/recording.md and is byte for byte what the page's recorder writes for the same stream
 * (golden.dcrec, written by web/src/recording.js: see golden.mjs beside it).
 */
class ResultsRecordingTest {

    private static final Clock CREATED = Clock.fixed(Instant.parse("2026-12-07T21:00:00Z"), ZoneOffset.UTC);
    private static final URI SERVER = URI.create("http://127.0.0.1:8080/");
    /** {v: 2, seq: 7, model: 'relief', backend: 'simulated', n: 0} */
    private static final byte[] FIRST = HexFormat.of()
            .parseHex("85a17602a373657107a56d6f64656ca672656c696566a76261636b656e64a973696d756c61746564a16e00");
    /** {v: 2, seq: 9} */
    private static final byte[] LAST = HexFormat.of().parseHex("82a17602a373657109");

    @TempDir
    Path dir;

    /** The messages and arrival times (ns) of golden.mjs: t = 0, 33.5, 1000 and 70000.25 ms. */
    private Path recordGoldenStream() throws Exception {
        byte[] longMessage = new byte[300];
        for (int i = 0; i < longMessage.length; i++) {
            longMessage[i] = (byte) i;
        }
        long base = 123_456_789_000L;
        Path file = dir.resolve("client-0.dcrec");
        try (ResultsRecording r = new ResultsRecording(file, SERVER, CREATED)) {
            r.add(FIRST, base);
            r.add(longMessage, base + 33_500_000L);
            r.add(LAST, base + 1_000_000_000L);
            r.add(FIRST, base + 70_000_250_000L);
        }
        return file;
    }

    @Test
    void aRecordingIsByteForByteWhatThePageWritesForTheSameStream() throws Exception {
        Path file = recordGoldenStream();
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/recording/golden.dcrec")) {
            golden = in.readAllBytes();
        }
        assertArrayEquals(golden, Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve("client-0.dcrec.part")), "the part file is gone");
    }

    @Test
    void aRecordingReadsBackAsDocsRecordingMdDescribes() throws Exception {
        List<Map<String, Value>> objects = read(recordGoldenStream());
        Map<String, Value> header = objects.get(0);
        assertEquals(
                List.of(
                        "format",
                        "version",
                        "created",
                        "frames",
                        "durationMs",
                        "protocol",
                        "source",
                        "userAgent",
                        "model",
                        "backend"),
                List.copyOf(header.keySet()),
                "the page's fields in the page's order");
        assertEquals("depthcast-recording", header.get("format").asStringValue().asString());
        assertEquals(1, header.get("version").asIntegerValue().asInt());
        assertEquals(
                "2026-12-07T21:00:00.000Z",
                header.get("created").asStringValue().asString());
        assertEquals(4, header.get("frames").asIntegerValue().asInt());
        assertEquals(70000.25, header.get("durationMs").asFloatValue().toDouble());
        assertEquals(2, header.get("protocol").asIntegerValue().asInt(), "the first message's own v");
        assertEquals(
                "http://127.0.0.1:8080", header.get("source").asStringValue().asString());
        assertEquals("relief", header.get("model").asStringValue().asString());
        assertEquals("simulated", header.get("backend").asStringValue().asString());

        assertEquals(5, objects.size(), "the header, then one object per frame");
        double[] t = {0, 33.5, 1000, 70000.25};
        for (int i = 0; i < 4; i++) {
            Map<String, Value> frame = objects.get(i + 1);
            assertEquals(List.of("t", "msg"), List.copyOf(frame.keySet()));
            assertEquals(t[i], frame.get("t").asNumberValue().toDouble(), "frame " + i + "'s t");
        }
        assertArrayEquals(
                FIRST, objects.get(1).get("msg").asBinaryValue().asByteArray(), "messages kept byte for byte");
        assertArrayEquals(LAST, objects.get(3).get("msg").asBinaryValue().asByteArray());
    }

    /** A recording's msgpack objects, as any msgpack stream reader walks it (docs/recording.md). */
    static List<Map<String, Value>> read(Path file) throws Exception {
        List<Map<String, Value>> objects = new ArrayList<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(Files.readAllBytes(file))) {
            while (u.hasNext()) {
                Map<String, Value> map = new LinkedHashMap<>();
                u.unpackValue()
                        .asMapValue()
                        .map()
                        .forEach((k, v) -> map.put(k.asStringValue().asString(), v));
                objects.add(map);
            }
        }
        return objects;
    }

    @Test
    void aStreamWithNoMessageWritesNoFile() throws Exception {
        Path file = dir.resolve("client-1.dcrec");
        new ResultsRecording(file, SERVER, CREATED).close();
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(dir.resolve("client-1.dcrec.part")));
    }

    @Test
    void aMessageThatIsNotMsgpackMakesASchema1HeaderAsThePageDoes() throws Exception {
        Path file = dir.resolve("client-2.dcrec");
        try (ResultsRecording r = new ResultsRecording(file, SERVER, CREATED)) {
            r.add(new byte[] {(byte) 0xc1}, 5); // 0xc1 is never used in msgpack
        }
        Map<String, Value> header = read(file).get(0);
        assertEquals(1, header.get("protocol").asIntegerValue().asInt());
        assertEquals("", header.get("model").asStringValue().asString());
        assertEquals(0, header.get("durationMs").asIntegerValue().asInt(), "one frame: t 0, an integer as in JS");
    }

    @Test
    void theSourceIsTheServersOriginAsLocationOriginWritesIt() {
        assertEquals("http://127.0.0.1:8080", ResultsRecording.origin(URI.create("http://127.0.0.1:8080/api")));
        assertEquals("https://depth.example", ResultsRecording.origin(URI.create("https://depth.example:443")));
        assertEquals("http://[::1]:9000", ResultsRecording.origin(URI.create("http://[::1]:9000")));
        assertTrue(ResultsRecording.origin(URI.create("http://h")).endsWith("//h"));
    }
}
