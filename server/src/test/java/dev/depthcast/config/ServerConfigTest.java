package dev.depthcast.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void toBuilderKeepsEveryValueAndChangesOnlyWhatIsSet() {
        ServerConfig a = ServerConfig.builder()
                .host("0.0.0.0")
                .port(9000)
                .model(Path.of("m.onnx"))
                .preset(Preset.MIDAS_SMALL)
                .backend(Backend.TENSORRT)
                .engine(Path.of("e.engine"))
                .maxBatch(3)
                .maxWait(Duration.ofMillis(7))
                .maxClients(5)
                .webRoot(Path.of("web"))
                .tls(Path.of("c.pem"), Path.of("k.pem"))
                .inferenceThreads(2)
                .build();
        ServerConfig b = a.toBuilder().maxBatch(4).build();
        assertEquals(4, b.maxBatch());
        assertEquals(3, a.maxBatch(), "the original is unchanged");
        assertEquals("0.0.0.0", b.host());
        assertEquals(9000, b.port());
        assertEquals(Path.of("m.onnx"), b.model());
        assertSame(Preset.MIDAS_SMALL, b.preset());
        assertEquals(Backend.TENSORRT, b.backend());
        assertEquals(Path.of("e.engine"), b.engine());
        assertEquals(Duration.ofMillis(7), b.maxWait());
        assertEquals(5, b.maxClients());
        assertEquals(Path.of("web"), b.webRoot());
        assertEquals(Path.of("c.pem"), b.tlsCert());
        assertEquals(Path.of("k.pem"), b.tlsKey());
        assertEquals(2, b.inferenceThreads());
    }

    @Test
    void defaultsAreTheEmbeddedModelOnTheCpuOnAnEphemeralPort() {
        ServerConfig d = ServerConfig.defaults();
        assertEquals(0, d.port());
        assertEquals(Backend.CPU, d.backend());
        assertSame(Preset.RELIEF, d.preset());
        assertNull(d.model());
        assertEquals(8, d.maxBatch());
        assertEquals(Duration.ofMillis(4), d.maxWait());
    }

    @Test
    void simulatedSetsTheBackendAndItsCost() {
        ServerConfig c =
                ServerConfig.builder().simulated(SimulatedCost.parse("20+2")).build();
        assertEquals(Backend.SIMULATED, c.backend());
        assertEquals(24.0, c.simulatedCost().costMs(2), 1e-9);
    }

    @Test
    void badValuesNameTheFlag() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.builder().maxBatch(0).build())
                .getMessage()
                .contains("--max-batch"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.builder().maxClients(0).build())
                .getMessage()
                .contains("--max-clients"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.builder()
                                .maxWait(Duration.ofMillis(-1))
                                .build())
                .getMessage()
                .contains("--max-wait-ms"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.builder().tls(Path.of("c.pem"), null).build())
                .getMessage()
                .contains("--tls-key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatedCost.parse("20"))
                .getMessage()
                .contains("FIXED+PER_ITEM"));
    }

    @Test
    void closedSetsParseTheirCommandLineNamesAndRefuseOthers() {
        assertEquals(Backend.TENSORRT, Backend.parse("TensorRT"));
        assertEquals("simulated", Backend.SIMULATED.label());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Backend.parse("gpu"))
                .getMessage()
                .contains("use auto, cpu, tensorrt or simulated"));
        assertSame(
                Preset.DEPTH_ANYTHING_V2,
                BuiltInPreset.parse("depth-anything-v2").preset());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuiltInPreset.parse("dpt"))
                .getMessage()
                .contains("known: relief, depth-anything-v2, depth-anything-v2-metric-indoor, "
                        + "depth-anything-v2-metric-outdoor, midas-small"));
        assertEquals(DepthOutput.METRIC, DepthOutput.parse(" Metric"));
        assertEquals(
                DepthOutput.METRIC,
                BuiltInPreset.parse("depth-anything-v2-metric-outdoor").preset().output());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DepthOutput.parse("absolute"))
                .getMessage()
                .contains("relative, metric"));
        for (BuiltInPreset p : BuiltInPreset.values()) {
            assertEquals(p, BuiltInPreset.parse(p.label()));
        }
    }
}
