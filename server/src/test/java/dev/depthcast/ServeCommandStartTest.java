package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ConfigException;
import dev.depthcast.config.ServerConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ServeCommand#start(DepthcastServer.PipelineSource, String...)}: a server from flags, with given pipelines. */
class ServeCommandStartTest {

    @Test
    void theFlagsConfigureTheServerAndTheGivenPipelinesServeIt() throws Exception {
        AtomicReference<ServerConfig> seen = new AtomicReference<>();
        DepthcastServer server = ServeCommand.start(
                config -> {
                    seen.set(config);
                    return List.of(Backends.open(config));
                },
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--simulate-inference-ms",
                "0+0",
                "--fov",
                "75",
                "--max-clients",
                "3");
        try {
            assertTrue(server.port() > 0);
            assertEquals(75f, seen.get().unproject().hfovDegrees());
            assertEquals(3, seen.get().maxClients());
            assertEquals("simulated", server.info().get("backend"));
        } finally {
            server.stop();
        }
    }

    @Test
    void aFlagTheServerDoesNotKnowIsAConfigExceptionWithTheCommandsLineAndOpensNothing() {
        AtomicReference<Boolean> opened = new AtomicReference<>(false);
        DepthcastServer.PipelineSource source = config -> {
            opened.set(true);
            return List.<DepthPipeline>of();
        };
        ConfigException e =
                assertThrows(ConfigException.class, () -> ServeCommand.start(source, "--port", "0", "--no-such", "x"));
        assertTrue(e.getMessage().contains("'--no-such'"), e.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> ServeCommand.start(source, "--port", "-5"));
        assertTrue(bad.getMessage().startsWith("--port -5 is not a port"), bad.getMessage());
        assertEquals(false, opened.get());
    }
}
