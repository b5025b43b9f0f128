package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.config.StartupException;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.model.Preset;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** start() and stop(): a start that fails part-way, and a stop, leave nothing of the server behind. */
class ServerLifecycleTest {

    /** A working pipeline (the simulated backend at no cost) that counts its closes. */
    static final class CountingPipeline implements DepthPipeline {
        final DepthPipeline real;
        final AtomicInteger closes = new AtomicInteger();

        CountingPipeline() throws Exception {
            real = Backends.open(
                    ServerConfig.builder().simulated(new SimulatedCost(0, 0)).build());
        }

        @Override
        public String backendName() {
            return real.backendName();
        }

        @Override
        public Preset preset() {
            return real.preset();
        }

        @Override
        public int maxBatch() {
            return real.maxBatch();
        }

        @Override
        public BatchResult run(List<BatchItem> items) throws Exception {
            return real.run(items);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            real.close();
        }
    }

    @Test
    void aStartThatFailsAtListenLeavesNoThreadNoPortAndNoOpenPipeline() throws Exception {
        Set<Long> before = serverThreads();
        CountingPipeline pipeline = new CountingPipeline();
        int adminPort = freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ServerConfig config =
                    ServerConfig.builder().port(taken.getLocalPort()).build();
            // The admin port binds first: the failure at the public port must unbind it again.
            SecurityConfig security =
                    SecurityConfig.builder().adminPort(adminPort).build();
            DepthcastServer server = new DepthcastServer(config, security, c -> List.of(pipeline));

            StartupException e = assertThrows(StartupException.class, server::start);

            assertTrue(
                    e.getMessage().startsWith("port " + taken.getLocalPort() + " on 127.0.0.1 is in use"),
                    e.getMessage());
            assertEquals(2, e.exitCode());
        }
        assertEquals(1, pipeline.closes.get(), "the pipeline is closed once");
        assertNoNewServerThreads(before);
        assertBindable(adminPort);
    }

    @Test
    void aStoppedServerLeavesNoThreadAndItsPortsFree() throws Exception {
        Set<Long> before = serverThreads();
        CountingPipeline pipeline = new CountingPipeline();
        int adminPort = freePort();
        DepthcastServer server = new DepthcastServer(
                ServerConfig.defaults(),
                SecurityConfig.builder().adminPort(adminPort).build(),
                c -> List.of(pipeline));
        server.start();
        int port = server.port();
        assertTrue(serverThreads().size() > before.size(), "the started server runs threads of its own");

        server.stop();
        server.stop(); // a second stop does nothing

        assertEquals(1, pipeline.closes.get(), "the pipeline is closed once");
        assertNoNewServerThreads(before);
        assertBindable(port);
        assertBindable(adminPort);
    }

    @Test
    void aServerStartsOnlyOnce() throws Exception {
        DepthcastServer server = new DepthcastServer(
                ServerConfig.defaults(), SecurityConfig.defaults(), c -> List.of(new CountingPipeline()));
        server.start();
        try {
            assertThrows(IllegalStateException.class, server::start);
        } finally {
            server.stop();
        }
    }

    /** The live threads the server's parts name: executors, delivery, Vert.x. */
    private static Set<Long> serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(ServerLifecycleTest::isServers)
                .map(Thread::getId)
                .collect(Collectors.toSet());
    }

    private static boolean isServers(Thread t) {
        return t.getName().startsWith("depthcast-")
                || t.getName().startsWith("vert.x-")
                || t.getName().startsWith("vertx-");
    }

    /** Threads end a little after the close that stopped them returns: wait for them, up to 5 s. */
    private static void assertNoNewServerThreads(Set<Long> before) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .filter(ServerLifecycleTest::isServers)
                    .filter(t -> !before.contains(t.getId()))
                    .map(Thread::getName)
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("threads left running: " + left);
    }

    private static void assertBindable(int port) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(port, s.getLocalPort());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
