package dev.depthcast.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.depthcast.metrics.PipelineMetrics;
import org.junit.jupiter.api.Test;

/** The registry's and the session factory's settings are checked when built, each missing part named. */
class SessionRegistrySettingsTest {

    @Test
    void aRegistryWithoutItsPartsIsRefusedNamingWhatIsMissing() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SessionRegistry.builder()
                        .setMetrics(new PipelineMetrics())
                        .setMaxClients(4)
                        .build());
        assertEquals("a session registry needs Vert.x", e.getMessage());
    }

    @Test
    void aSessionFactoryWithoutItsPartsIsRefusedNamingWhatIsMissing() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SessionFactory.builder().setMetrics(new PipelineMetrics()).build());
        assertEquals("a session factory needs Vert.x", e.getMessage());
    }
}
