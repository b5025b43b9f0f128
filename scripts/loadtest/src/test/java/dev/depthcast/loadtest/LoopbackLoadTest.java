package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * The short loopback load run CI does: 4 webrtc-java clients × 10 s against a server in this JVM
 * whose (simulated) model is slower than the cameras. Every client must get results, none may be
 * starved, and the mailboxes must drop frames instead of queueing them (latency stays flat).
 */
class LoopbackLoadTest {

    @Test
    void fourClientsTenSecondsOnAModelSlowerThanTheCamera() throws Exception {
        // Cameras at 15 fps (66.7 ms apart); the model takes 100 ms per batch whatever its size.
        ServerConfig config = ServerConfig.builder()
                .simulated(SimulatedCost.parse("100+0"))
                .maxBatch(8)
                .maxWait(Duration.ofMillis(4))
                .maxClients(8)
                .build();
        JsonObject r;
        try (DepthcastServer server = DepthcastServer.start(config)) {
            LoadRun.Settings s = new LoadRun.Settings(
                    URI.create("http://127.0.0.1:" + server.port()),
                    4,
                    15,
                    320,
                    240,
                    Duration.ofSeconds(10),
                    Duration.ZERO,
                    Duration.ofSeconds(2),
                    1500,
                    true);
            r = LoadRun.run(s, new PrintStream(System.out, true), false);
        }
        System.out.print(Reports.table(r));
        JsonObject o = r.getJsonObject("overall");
        JsonArray clients = r.getJsonArray("clients");
        assertEquals(4, clients.size());
        for (int i = 0; i < clients.size(); i++) {
            JsonObject c = clients.getJsonObject(i);
            assertTrue(c.getDouble("resultFps") >= 3, "client " + i + " result fps " + c.getDouble("resultFps"));
            // Pacing: no client gets more results than it sends frames.
            assertTrue(c.getDouble("resultFps") <= c.getDouble("pushFps") + 0.5, "client " + i + " paced");
            assertTrue(
                    c.getJsonObject("sessionTotals").getLong("mailboxReplaced") > 0,
                    "client " + i + ": the mailbox dropped frames instead of queueing them");
        }
        double min = o.getJsonObject("resultFpsPerClient").getDouble("min");
        double median = o.getJsonObject("resultFpsPerClient").getDouble("median");
        assertTrue(min >= 0.5 * median, "starved: min " + min + " vs median " + median);
        assertTrue(
                o.getDouble("matchedPct") >= 99, "results matched to their frames: " + o.getDouble("matchedPct") + "%");
        // Staleness bounded: a queue would be ~1/3 of the frames behind per second sent (~3 s after 10 s).
        assertTrue(o.getJsonObject("latencyMs").getDouble("p99") < 1000, "latency p99 " + o.getJsonObject("latencyMs"));
        assertTrue(o.getJsonObject("staleFrames").getDouble("p99") <= 15, "stale " + o.getJsonObject("staleFrames"));
        // … and flat: the last 3 s of the window are no later than the first 3 s (+ noise).
        JsonObject t = r.getJsonObject("timeline");
        double ws = t.getDouble("windowStartS");
        double we = t.getDouble("windowEndS");
        double early = medianLatency(t, ws, ws + 3);
        double late = medianLatency(t, we - 3, we);
        assertTrue(late <= early + 150, "latency drifts: " + early + " ms early, " + late + " ms late");
    }

    @Test
    void anUnreachableServerIsAClearError() {
        LoadRun.Settings s = new LoadRun.Settings(
                URI.create("http://127.0.0.1:9"),
                1,
                15,
                320,
                240,
                Duration.ofSeconds(1),
                Duration.ZERO,
                Duration.ZERO,
                1500,
                true);
        LoadTestException e = assertThrows(LoadTestException.class, () -> LoadRun.run(s, System.out, false));
        assertEquals(LoadTestException.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("cannot reach the depthcast server at http://127.0.0.1:9"), e.getMessage());
    }

    @Test
    void aRefusedSessionIsAClearError() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .simulated(SimulatedCost.parse("5+1"))
                .maxBatch(8)
                .maxWait(Duration.ofMillis(4))
                .maxClients(1)
                .build();
        try (DepthcastServer server = DepthcastServer.start(config)) {
            LoadRun.Settings s = new LoadRun.Settings(
                    URI.create("http://127.0.0.1:" + server.port()),
                    2,
                    15,
                    320,
                    240,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ZERO,
                    1500,
                    true);
            LoadTestException e = assertThrows(LoadTestException.class, () -> LoadRun.run(s, System.out, false));
            assertEquals(LoadTestException.REFUSED, e.exitCode());
            assertTrue(e.getMessage().contains("503") && e.getMessage().contains("--max-clients 1"), e.getMessage());
        }
    }

    /**
     * Against a server with --auth-token: with the token a churning run works (clients vanish
     * without DELETE and come back with new sessions); without it, or with a wrong one, the run
     * stops at once with exit code 7 and a sentence that names --token.
     */
    @Test
    void aTokenServerNeedsTheTokenAndChurningClientsComeBack(@TempDir Path recordings) throws Exception {
        String token = "loadtest-token-test-0123456789ab";
        ServerConfig config = ServerConfig.builder()
                .simulated(SimulatedCost.parse("20+2"))
                .maxBatch(8)
                .maxWait(Duration.ofMillis(4))
                .maxClients(16)
                .build();
        try (DepthcastServer server = DepthcastServer.start(
                config,
                dev.depthcast.http.SecurityConfig.builder()
                        .authTokens(List.of(token))
                        .sessionLimits(8, 100)
                        .build())) {
            LoadRun.Settings s = new LoadRun.Settings(
                    URI.create("http://127.0.0.1:" + server.port()),
                    2,
                    10,
                    320,
                    240,
                    Duration.ofSeconds(14),
                    Duration.ZERO,
                    Duration.ofSeconds(1),
                    1000,
                    true);
            LoadTestException none = assertThrows(LoadTestException.class, () -> LoadRun.run(s, System.out, false));
            assertEquals(LoadTestException.UNAUTHORIZED, none.exitCode());
            assertTrue(
                    none.getMessage().contains("needs a token")
                            && none.getMessage().contains("--token"),
                    none.getMessage());
            LoadTestException wrong = assertThrows(
                    LoadTestException.class,
                    () -> LoadRun.run(s.withToken("wrong-token-0123456789abcdef"), System.out, false));
            assertEquals(LoadTestException.UNAUTHORIZED, wrong.exitCode());
            assertTrue(wrong.getMessage().contains("refused the token"), wrong.getMessage());

            JsonObject r =
                    LoadRun.run(s.withToken(token).withChurn(Duration.ofSeconds(5)), System.out, false, recordings);
            System.out.print(Reports.table(r));
            JsonObject churn = r.getJsonObject("churn");
            assertTrue(churn.getInteger("vanished") >= 2, "each client vanished at least once: " + churn);
            assertEquals(churn.getInteger("vanished"), churn.getInteger("reconnected"), "and came back: " + churn);
            for (Object c : r.getJsonArray("clients")) {
                assertTrue(((JsonObject) c).getInteger("results") > 0, "results after reconnecting: " + c);
            }
            // --record: every session's stream, churned ones included, as a recording that reads back.
            JsonArray files = r.getJsonArray("recordings");
            assertTrue(files.size() >= 2, "a recording per session: " + files);
            for (Object f : files) {
                List<Map<String, Value>> objects = ResultsRecordingTest.read(Path.of((String) f));
                Map<String, Value> header = objects.get(0);
                assertEquals(
                        objects.size() - 1,
                        header.get("frames").asIntegerValue().asInt(),
                        f + ": frames");
                assertEquals(2, header.get("protocol").asIntegerValue().asInt(), f + ": the default wire");
                assertEquals("simulated", header.get("backend").asStringValue().asString());
                long previous = -1;
                for (Map<String, Value> frame : objects.subList(1, objects.size())) {
                    long seq = MessagePack.newDefaultUnpacker(
                                    frame.get("msg").asBinaryValue().asByteArray())
                            .unpackValue()
                            .asMapValue()
                            .map()
                            .get(ValueFactory.newString("seq"))
                            .asIntegerValue()
                            .toLong();
                    assertTrue(seq > previous, f + ": results in the order they came, seq " + seq);
                    previous = seq;
                }
            }
        }
    }

    static double medianLatency(JsonObject timeline, double from, double to) {
        List<Double> v = new ArrayList<>();
        for (Object c : timeline.getJsonArray("clients")) {
            for (Object p : ((JsonObject) c).getJsonArray("latency")) {
                JsonArray a = (JsonArray) p;
                if (a.getDouble(0) >= from && a.getDouble(0) < to) {
                    v.add(a.getDouble(1));
                }
            }
        }
        return Stats.median(Stats.sorted(v));
    }
}
