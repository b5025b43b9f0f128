package dev.depthcast.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.client.DepthcastClient;
import dev.depthcast.webrtc.WebRtcEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scale-out with a drain (docs/scaling.md), loopback only: {@code scripts/cluster.sh} starts 3 nodes (real
 * processes) behind Debian's HAProxy; 9 webrtc-java viewers connect through HAProxy; one node gets
 * SIGTERM. Every viewer of that node must be told to reconnect (close 4001) and stream again from
 * another node within 5 s; no viewer of the other nodes may notice; the drained node must end
 * with no session and exit cleanly. A viewer here does what the page does on 4001: a new session
 * at once, through the load balancer.
 */
class ClusterDrainTest {

    static final Path ROOT = Path.of(System.getProperty("depthcast.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final int DRAIN_SECONDS = 2;

    /** One viewer: its sessions over time (a new one after each 4001) and when results arrived. */
    static final class Viewer {
        final int index;
        final URI front;
        final WebRtcEngine engine;
        final List<DepthcastClient> sessions = new CopyOnWriteArrayList<>();
        final List<Long> resultNanos = new CopyOnWriteArrayList<>();
        final List<DepthcastClient.Closed> closes = new CopyOnWriteArrayList<>();
        volatile long closedAtNanos;
        volatile long firstResultAfterCloseNanos;
        volatile String reconnectError;

        Viewer(int index, URI front, WebRtcEngine engine) {
            this.index = index;
            this.front = front;
            this.engine = engine;
        }

        void connect() throws Exception {
            DepthcastClient c = DepthcastClient.connect(engine, front, DepthcastClient.Options.of(160, 120, 10), r -> {
                long now = System.nanoTime();
                resultNanos.add(now);
                if (closedAtNanos != 0 && firstResultAfterCloseNanos == 0) {
                    firstResultAfterCloseNanos = now;
                }
            });
            sessions.add(c);
            c.resultsClosed().thenAccept(closed -> {
                closes.add(closed);
                if (closed.code() == 4001) {
                    closedAtNanos = System.nanoTime();
                    // What the page does on 4001: a new session at once (no backoff), through HAProxy.
                    Thread t = new Thread(
                            () -> {
                                try {
                                    connect();
                                } catch (Exception e) {
                                    reconnectError = e.toString();
                                }
                            },
                            "viewer-" + index + "-reconnect");
                    t.setDaemon(true);
                    t.start();
                }
            });
        }

        DepthcastClient current() {
            return sessions.get(sessions.size() - 1);
        }

        /** Longest gap between consecutive results within [from, to]. */
        double longestGapMs(long from, long to) {
            long last = from;
            long worst = 0;
            for (long t : resultNanos) {
                if (t < from || t > to) {
                    continue;
                }
                worst = Math.max(worst, t - last);
                last = t;
            }
            return Math.max(worst, to - last) / 1e6;
        }

        void close() {
            sessions.forEach(DepthcastClient::close);
        }
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A base port with {@code count} free ports from it (random, so parallel runs do not collide). */
    static int freeRange(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 40000);
            boolean ok = true;
            for (int p = base; p < base + count && ok; p++) {
                ok = free(p);
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range");
    }

    static JsonObject json(URI uri) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    /** Which node (1..n) owns each open session, by the short ids in each node's /api/stats. */
    static Map<String, Integer> owners(int adminBase, int nodes, List<Integer> alive) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (int k = 1; k <= nodes; k++) {
            if (!alive.contains(k)) {
                continue;
            }
            JsonArray list = json(URI.create("http://127.0.0.1:" + (adminBase + k - 1) + "/api/stats"))
                    .getJsonArray("sessions");
            for (int i = 0; i < list.size(); i++) {
                out.put(list.getJsonObject(i).getString("id").substring(0, 6), k);
            }
        }
        return out;
    }

    static int ownerOf(Map<String, Integer> owners, DepthcastClient c) {
        return owners.getOrDefault(c.sessionId().substring(0, 6), -1);
    }

    static void waitFor(String what, Duration timeout, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void threeNodesNineViewersOneDrainsItsViewersMoveWithinFiveSeconds() throws Exception {
        assertTrue(Files.isExecutable(ROOT.resolve("scripts/cluster.sh")), "run from the repository: " + ROOT);
        int nodes = 3;
        int base = freeRange(1 + 2 * nodes + 1);
        int front = base;
        int nodeBase = base + 1;
        int adminBase = base + 1 + nodes;
        int ice = ThreadLocalRandom.current().nextInt(41, 60) * 1000;
        Path runDir = Files.createTempDirectory("depthcast-cluster");
        Path log = runDir.resolve("cluster.out");
        Process cluster = new ProcessBuilder(
                        ROOT.resolve("scripts/cluster.sh").toString(),
                        "--nodes",
                        "3",
                        "--port",
                        "" + front,
                        "--node-port",
                        "" + nodeBase,
                        "--admin-port",
                        "" + adminBase,
                        "--ice-ports",
                        "" + ice,
                        "--drain-seconds",
                        "" + DRAIN_SECONDS,
                        "--run-dir",
                        runDir.toString(),
                        "--",
                        "--simulate-inference-ms",
                        "5+1",
                        "--input-size",
                        "96x128",
                        "--web-root",
                        runDir.resolve("no-page").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        List<Viewer> viewers = new ArrayList<>();
        WebRtcEngine engine = new WebRtcEngine();
        try {
            URI frontUri = URI.create("http://127.0.0.1:" + front);
            waitFor("the cluster to be ready (" + log + ")", Duration.ofSeconds(240), () -> {
                try {
                    return Files.readString(log).contains("cluster: ready");
                } catch (IOException e) {
                    return false;
                }
            });
            for (int i = 0; i < 9; i++) {
                Viewer v = new Viewer(i, frontUri, engine);
                v.connect();
                viewers.add(v);
            }
            waitFor(
                    "every viewer streaming",
                    Duration.ofSeconds(60),
                    () -> viewers.stream().allMatch(v -> v.resultNanos.size() >= 5));
            Map<String, Integer> before = owners(adminBase, nodes, List.of(1, 2, 3));
            int[] perNode = new int[nodes + 1];
            for (Viewer v : viewers) {
                int owner = ownerOf(before, v.current());
                assertTrue(owner >= 1, "viewer " + v.index + "'s session is on a node");
                perNode[owner]++;
            }
            for (int k = 1; k <= nodes; k++) {
                assertTrue(
                        perNode[k] >= 2 && perNode[k] <= 4,
                        "HAProxy spread 9 viewers over 3 nodes by load: " + java.util.Arrays.toString(perNode));
            }

            int drained = 2;
            List<Viewer> moving = viewers.stream()
                    .filter(v -> ownerOf(before, v.current()) == drained)
                    .toList();
            List<Viewer> staying = viewers.stream()
                    .filter(v -> ownerOf(before, v.current()) != drained)
                    .toList();
            Map<Viewer, String> stayingIds = new HashMap<>();
            staying.forEach(v -> stayingIds.put(v, v.current().sessionId()));
            long pid = Long.parseLong(
                    Files.readString(runDir.resolve("node" + drained + ".pid")).trim());
            ProcessHandle node = ProcessHandle.of(pid).orElseThrow();
            long sigterm = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", "" + pid).start().waitFor();

            // Not ready at once: HAProxy's check sees 503 within its 500 ms interval.
            waitFor("node 2 not ready", Duration.ofSeconds(5), () -> {
                try {
                    return HTTP.send(
                                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                            + (nodeBase + drained - 1) + "/health/ready"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 503;
                } catch (Exception e) {
                    return false;
                }
            });
            waitFor(
                    "every viewer of node 2 told to reconnect and streaming again",
                    Duration.ofSeconds(DRAIN_SECONDS + 15),
                    () -> moving.stream().allMatch(v -> v.firstResultAfterCloseNanos != 0));
            long settled = System.nanoTime();
            for (Viewer v : moving) {
                assertEquals(4001, v.closes.get(0).code(), "viewer " + v.index + " close code");
                assertEquals("server draining: reconnect now", v.closes.get(0).reason());
                double closedAfterS = (v.closedAtNanos - sigterm) / 1e9;
                assertTrue(
                        closedAfterS >= DRAIN_SECONDS - 0.5,
                        "served for --drain-seconds before the close: " + closedAfterS + " s");
                double backMs = (v.firstResultAfterCloseNanos - v.closedAtNanos) / 1e6;
                System.out.printf(
                        "viewer %d: closed %.2f s after SIGTERM, streaming again %.0f ms later%n",
                        v.index, closedAfterS, backMs);
                assertTrue(backMs < 5000, "viewer " + v.index + " streamed again " + backMs + " ms after the close");
                assertEquals(null, v.reconnectError);
            }
            Map<String, Integer> after = owners(adminBase, nodes, List.of(1, 3));
            for (Viewer v : moving) {
                int owner = ownerOf(after, v.current());
                assertTrue(owner == 1 || owner == 3, "viewer " + v.index + " now on node " + owner);
            }
            // The others noticed nothing: same session, socket never closed, results without a gap.
            for (Viewer v : staying) {
                assertEquals(stayingIds.get(v), v.current().sessionId());
                assertEquals(1, v.sessions.size());
                assertTrue(v.closes.isEmpty(), "viewer " + v.index + " closed: " + v.closes);
                double gap = v.longestGapMs(sigterm, settled);
                assertTrue(gap < 1500, "viewer " + v.index + " on another node waited " + gap + " ms for a result");
            }
            // Nothing left behind: the drained node closed every session and exited cleanly.
            assertTrue(node.onExit().get(30, TimeUnit.SECONDS) != null);
            String nodeLog = Files.readString(runDir.resolve("node" + drained + ".log"));
            assertTrue(
                    nodeLog.contains("drained in") && nodeLog.contains(moving.size() + " session(s) closed with 4001"),
                    nodeLog.lines().filter(l -> l.contains("drain")).toList().toString());
            assertTrue(nodeLog.contains("depthcast: stopped cleanly"), "clean exit");
            assertFalse(nodeLog.contains("Exception"), "no exception in the drained node's log");
            System.out.printf(
                    "drain: %d viewers moved, %d stayed; HAProxy front %d%n", moving.size(), staying.size(), front);
        } finally {
            viewers.forEach(Viewer::close);
            cluster.destroy(); // SIGTERM: cluster.sh drains what is left (nobody) and stops HAProxy
            if (!cluster.waitFor(60, TimeUnit.SECONDS)) {
                cluster.destroyForcibly();
            }
            engine.close();
            System.out.println("--- cluster.sh output\n" + Files.readString(log));
        }
    }
}
