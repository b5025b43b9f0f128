package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.Backend;
import dev.depthcast.config.ConfigException;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.StartupException;
import dev.depthcast.http.SecurityConfig;
import dev.depthcast.schedule.SchedulingPolicy;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Failures map to one line and an exit status by their type, wherever in the chain of causes they are. */
class StartupErrorsTest {

    private static ServeCommand command(String... args) {
        ServeCommand c = new ServeCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void aStartupExceptionGivesItsOwnLineAndStatusEvenWhenWrapped() {
        StartupErrors.Failure f = StartupErrors.classify(
                new CompletionException(new StartupException("port 1 on 127.0.0.1 is in use", 2, null)), command());
        assertEquals(new StartupErrors.Failure("port 1 on 127.0.0.1 is in use", 2), f);
    }

    @Test
    void aRefusedValueIsBadInputWithItsFirstLine() {
        StartupErrors.Failure f = StartupErrors.classify(
                new RuntimeException(new ConfigException("--max-batch must be 1..64, got 0\nmore")), command());
        assertEquals(new StartupErrors.Failure("--max-batch must be 1..64, got 0", 2), f);
    }

    @Test
    void anythingElseIsNotTheInputsFaultAndPointsToDebug() {
        StartupErrors.Failure f = StartupErrors.classify(new UnsupportedOperationException("boom"), command());
        assertEquals(1, f.exitCode());
        assertTrue(f.line().startsWith("could not start: UnsupportedOperationException: boom"), f.line());
    }

    @Test
    void aBindFailureOnAnAddressThisMachineDoesNotHaveNamesTheHost() {
        String line =
                HttpFront.cannotBind("192.0.2.1", 8080, "--port", new BindException("Cannot assign requested address"));
        assertTrue(line.startsWith("--host 192.0.2.1 is not an address of this machine"), line);
    }

    @Test
    void aCommandLineWithoutFlagsGivesTheBuildersDefaultsExceptPortBackendAndPage() throws Exception {
        ServeCommand c = command();
        ServerConfig cli = c.toConfig();
        ServerConfig built = ServerConfig.defaults();
        assertEquals(ServerConfig.DEFAULT_PORT, cli.port());
        assertEquals(Backend.AUTO, cli.backend());
        assertEquals(Path.of(ServerConfig.DEFAULT_WEB_ROOT), cli.webRoot());
        assertEquals(built.host(), cli.host());
        assertEquals(built.maxBatch(), cli.maxBatch());
        assertEquals(built.maxWait(), cli.maxWait());
        assertEquals(built.latencyBudget(), cli.latencyBudget());
        assertEquals(SchedulingPolicy.DEFAULT_LATENCY_BUDGET, cli.latencyBudget());
        assertEquals(built.maxClients(), cli.maxClients());
        assertEquals(built.unproject(), cli.unproject());
        assertEquals(built.devices(), cli.devices());
        assertEquals(built.drainTime(), cli.drainTime());
        assertEquals(built.wire(), cli.wire());
        assertEquals(built.sendBufferBytes(), cli.sendBufferBytes());
        assertEquals(built.ice(), cli.ice());
        assertEquals(SecurityConfig.defaults(), c.access.toSecurityConfig());
    }
}
