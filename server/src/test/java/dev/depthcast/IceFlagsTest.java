package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.IceConfig;
import dev.depthcast.config.PortRange;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The ICE flags of {@code scripts/serve.sh} as the command line gives them. */
class IceFlagsTest {

    /** The ICE part of the config the command line gives, after the same checks as a start. */
    static IceConfig parse(String... args) throws IOException {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        StartupErrors.check(cmd);
        return cmd.toConfig().ice();
    }

    @Test
    void everyFlagReachesTheConfig() throws IOException {
        IceConfig ice = parse(
                "--ice-server",
                "stun:stun.example.com",
                "--ice-server",
                "turn:203.0.113.10?transport=tcp",
                "--turn-user",
                "alice",
                "--turn-pass",
                "pw",
                "--ice-port-range",
                "50000-50100",
                "--announced-ip",
                "203.0.113.10");
        assertEquals(
                List.of("stun:stun.example.com:3478", "turn:203.0.113.10:3478?transport=tcp"),
                ice.servers().stream().map(Object::toString).toList());
        assertEquals(new PortRange(50000, 50100), ice.portRange());
        assertEquals("203.0.113.10", ice.announcedIp());
        assertEquals("alice", ice.iceServersFor("x", Instant.EPOCH).get(1).username());
    }

    @Test
    void withoutFlagsThereAreNoIceServersAndAnyPort() throws IOException {
        IceConfig ice = parse();
        assertEquals(List.of(), ice.servers());
        assertNull(ice.portRange());
        assertNull(ice.announcedIp());
    }

    @Test
    void conflictingOrIncompleteFlagsAreOneLineErrors() {
        String both = assertThrows(
                        IllegalArgumentException.class,
                        () -> parse(
                                "--ice-server",
                                "turn:t.example",
                                "--turn-secret",
                                "s",
                                "--turn-user",
                                "u",
                                "--turn-pass",
                                "p"))
                .getMessage();
        assertTrue(both.contains("not both"), both);
        String userOnly = assertThrows(
                        IllegalArgumentException.class,
                        () -> parse("--ice-server", "turn:t.example", "--turn-user", "u"))
                .getMessage();
        assertTrue(userOnly.contains("--turn-pass"), userOnly);
        String small = assertThrows(IllegalArgumentException.class, () -> parse("--ice-port-range", "50000-50001"))
                .getMessage();
        assertTrue(small.contains("--max-clients is 16"), small);
    }
}
