package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.depthcast.DepthcastServer;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.http.SecurityConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the signaling API with real Chromium offers and candidates as the seed corpus
 * (one unauthenticated POST with {@code a=fmtp:%n} can kill the JVM where the offer reaches the
 * native library unchecked). For every case:
 * never a 5xx, never a body that shows Java or native internals, and the server keeps serving
 * (checked every 250 cases and at the end). A JVM crash ends the test run itself.
 *
 * <p>Replay or widen: {@code -Ddepthcast.fuzz.seed=N -Ddepthcast.fuzz.scale=10}.
 */
class SignalingFuzzTest {

    static final long SEED = Long.getLong("depthcast.fuzz.seed", 20261126L);
    static final int SCALE = Integer.getInteger("depthcast.fuzz.scale", 1);
    static final int OFFER_CASES = 2000 * SCALE;
    static final int CANDIDATE_CASES = 1500 * SCALE;
    static final int JSON_CASES = 1000 * SCALE;
    /** A bound on the whole run (~30 s here), so a slow machine shortens the run instead of stalling CI. */
    static final Duration BUDGET = Duration.ofSeconds(45L * SCALE);

    /**
     * What must never be in a response: Java class or package names, stack frames, native addresses
     * ({@code 0x7fc236de59b8}, or {@code 36de59b8342fc150} as {@code %x%x} printed them).
     */
    static final Pattern INTERNALS = Pattern.compile(
            "java\\.|javax\\.|dev\\.depthcast|io\\.vertx|io\\.netty|jackson|Exception|Error:|\\bat [a-z]+\\.[a-z]"
                    + "|0x[0-9a-fA-F]{4,}|\\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,16}\\b|Source:|\\$[A-Z]");

    static DepthcastServer server;
    static URI base;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // Per-address limits off (loopback is one address for thousands of cases): they have their own test.
        server = DepthcastServer.start(
                ServerConfig.builder()
                        .maxBatch(8)
                        .maxWait(Duration.ofMillis(4))
                        .maxClients(64)
                        .build(),
                SecurityConfig.builder().sessionLimits(64, 1_000_000).build());
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void signalingNeverFailsOnHostileInput() throws Exception {
        SdpMutator mutator = new SdpMutator(SEED);
        // Each kind of input gets its share of the budget, so a slow (shared, loaded) machine still
        // fuzzes all three rather than only offers.
        long start = System.nanoTime();
        long offersUntil = start + BUDGET.toNanos() / 2;
        long candidatesUntil = start + BUDGET.toNanos() * 8 / 10;
        long deadline = start + BUDGET.toNanos();
        Map<String, Integer> outcomes = new TreeMap<>();
        long t0 = System.nanoTime();
        int cases = 0;

        int offers = 0;
        for (; offers < OFFER_CASES && System.nanoTime() < offersUntil; offers++, cases++) {
            String sdp = mutator.offer(SdpCorpus.OFFERS);
            HttpResponse<String> r = post(
                    "/api/sessions",
                    new JsonObject()
                            .put("type", "offer")
                            .put("sdp", sdp)
                            .put("trickle", true)
                            .encode());
            check(r, "offer #" + offers, outcomes);
            if (r.statusCode() == 201) {
                assertEquals(
                        204,
                        send("DELETE", "/api/sessions/" + new JsonObject(r.body()).getString("id"))
                                .statusCode());
            }
            stillServing(cases);
        }

        long tOffers = System.nanoTime();
        List<String> realCandidates =
                SdpCorpus.CANDIDATES.stream().map(c -> c.getString("candidate")).toList();
        String session = null;
        int candidates = 0;
        for (; candidates < CANDIDATE_CASES && System.nanoTime() < candidatesUntil; candidates++, cases++) {
            if (candidates % 100 == 0) {
                if (session != null) {
                    send("DELETE", "/api/sessions/" + session);
                }
                session = freshSession();
            }
            JsonObject c = new JsonObject()
                    .put("candidate", mutator.candidate(realCandidates))
                    .put("sdpMid", "0")
                    .put("sdpMLineIndex", 0)
                    .put("usernameFragment", "7wRF");
            switch (mutator.random().nextInt(8)) {
                case 0 -> c.put("sdpMid", mutator.junkValue());
                case 1 -> c.put("sdpMLineIndex", mutator.pick(new Object[] {-1, 1, 7, 1e12, 0.5, "0", null, true}));
                case 2 -> c.put("usernameFragment", mutator.junkValue());
                default -> {}
            }
            Object body =
                    mutator.random().nextInt(4) == 0 ? new JsonObject().put("candidates", new JsonArray().add(c)) : c;
            HttpResponse<String> r = post("/api/sessions/" + session + "/candidates", body.toString());
            check(r, "candidate #" + candidates, outcomes);
            stillServing(cases);
        }
        send("DELETE", "/api/sessions/" + session);

        long tCandidates = System.nanoTime();
        int shapes = 0;
        String target = freshSession();
        for (; shapes < JSON_CASES && System.nanoTime() < deadline; shapes++, cases++) {
            String path = mutator.random().nextBoolean() ? "/api/sessions" : "/api/sessions/" + target + "/candidates";
            String body = mutator.random().nextInt(5) == 0 ? rawJunk(mutator) : String.valueOf(randomJson(mutator, 0));
            HttpResponse<String> r = post(path, body);
            check(r, "json shape #" + shapes + " to " + path, outcomes);
            if (r.statusCode() == 201) {
                send("DELETE", "/api/sessions/" + new JsonObject(r.body()).getString("id"));
            }
            stillServing(cases);
        }
        send("DELETE", "/api/sessions/" + target);

        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "signaling fuzz: seed %d, %d cases in %.1f s (%d offers %.1f s, %d candidates %.1f s, "
                        + "%d JSON shapes %.1f s); outcomes %s%n",
                SEED,
                cases,
                seconds,
                offers,
                (tOffers - t0) / 1e9,
                candidates,
                (tCandidates - tOffers) / 1e9,
                shapes,
                (System.nanoTime() - tCandidates) / 1e9,
                outcomes);
        // A quiet 2-core machine runs all 4,500 in ~25 s; the floors only catch a fuzzer that stopped early.
        assertTrue(
                offers >= 100 && candidates >= 100 && shapes >= 100,
                "every kind of input fuzzed: " + offers + " offers, " + candidates + " candidates, " + shapes
                        + " JSON");
        assertTrue(outcomes.getOrDefault("201", 0) > 0, "some mutated offers still reach libwebrtc: " + outcomes);
        // Still serving, and still answering a clean offer.
        String id = freshSession();
        assertEquals(204, send("DELETE", "/api/sessions/" + id).statusCode());
    }

    private static void check(HttpResponse<String> r, String what, Map<String, Integer> outcomes) {
        int status = r.statusCode();
        String reason = String.valueOf(status);
        if (status >= 400) {
            JsonObject error;
            try {
                error = new JsonObject(r.body());
            } catch (RuntimeException e) {
                fail(what + ": " + status + " without a JSON error body: " + r.body());
                return;
            }
            String message = error.getString("error");
            assertTrue(
                    message != null && !message.isBlank() && message.length() <= 300,
                    what + ": a short human reason: " + r.body());
            if (message.startsWith("WebRTC could not use")) {
                reason = status + " (libwebrtc)";
            }
        }
        outcomes.merge(reason, 1, Integer::sum);
        if (status >= 500) {
            fail(what + ": " + status + " " + r.body());
        }
        // A 201's answer SDP is full of hex (fingerprints): only error bodies are free text.
        if (status >= 400 && INTERNALS.matcher(r.body()).find()) {
            fail(what + ": internals in the body: " + r.body());
        }
    }

    private static void stillServing(int cases) throws Exception {
        if (cases % 250 == 0) {
            assertEquals(200, send("GET", "/api/stats").statusCode(), "server still serving after " + cases + " cases");
        }
    }

    private static String freshSession() throws Exception {
        HttpResponse<String> r = post(
                "/api/sessions",
                new JsonObject().put("sdp", SdpCorpus.OFFERS.get(0)).encode());
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("id");
    }

    private static Object randomJson(SdpMutator m, int depth) {
        int kind = m.random().nextInt(depth >= 3 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> m.random().nextBoolean();
            case 2 -> m.pick(new Object[] {0, -1, 1, 1e300, -0.0, Long.MAX_VALUE, 3.5, 1024, 1025});
            case 3 -> m.random().nextInt(3) == 0 ? m.pick(SdpCorpus.OFFERS) : m.junkValue();
            case 4 -> m.pick(new String[] {"offer", "answer", "", "candidate:1 1 udp 1 1.2.3.4 9 typ host"});
            case 5 -> {
                JsonArray a = new JsonArray();
                for (int i = m.random().nextInt(4); i > 0; i--) {
                    a.add(randomJson(m, depth + 1));
                }
                yield a;
            }
            default -> {
                JsonObject o = new JsonObject();
                for (int i = m.random().nextInt(5); i > 0; i--) {
                    o.put(
                            m.pick(new String[] {
                                "type",
                                "sdp",
                                "trickle",
                                "candidates",
                                "candidate",
                                "sdpMid",
                                "sdpMLineIndex",
                                "usernameFragment",
                                "x"
                            }),
                            randomJson(m, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String rawJunk(SdpMutator m) {
        String json = randomJson(m, 0) + "";
        return switch (m.random().nextInt(4)) {
            case 0 -> json.substring(0, m.random().nextInt(json.length() + 1));
            case 1 -> "[".repeat(1 + m.random().nextInt(2000));
            case 2 -> "{\"sdp\":\"" + m.junkValue() + "\"" + m.junkValue();
            default ->
                new String(
                        new byte[] {
                            (byte) m.random().nextInt(256), (byte) m.random().nextInt(256)
                        },
                        StandardCharsets.ISO_8859_1);
        };
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
