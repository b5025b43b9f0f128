package dev.depthcast.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {

    @Test
    void aCountIsTheFirstNDevicesAndAListIsThoseOrdinals() {
        assertEquals(List.of(0, 1, 2, 3), DeviceSelection.parse("4").ordinals());
        assertEquals(List.of(0, 2), DeviceSelection.parse(" 0, 2 ").ordinals());
        assertEquals(List.of(0), DeviceSelection.parse("1").ordinals());
        assertTrue(DeviceSelection.parse("1").isSingleFirst());
        assertTrue(DeviceSelection.FIRST.isSingleFirst());
        assertFalse(DeviceSelection.parse("2").isSingleFirst());
        assertFalse(DeviceSelection.parse("1,2").isSingleFirst());
    }

    @Test
    void allTakesTheBackendsCount() {
        DeviceSelection all = DeviceSelection.parse("ALL");
        assertTrue(all.all());
        assertEquals(List.of(0, 1, 2), all.resolve(3));
        assertThrows(IllegalStateException.class, all::ordinals);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> all.resolve(0))
                .getMessage()
                .contains("no device"));
    }

    @Test
    void anOrdinalTheMachineLacksIsRefusedWithWhatItHas() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DeviceSelection.parse("0,3").resolve(2));
        assertTrue(e.getMessage().contains("no device 3") && e.getMessage().contains("2 found"), e.getMessage());
        assertEquals(List.of(0, 1), DeviceSelection.parse("0,1").resolve(2));
    }

    @Test
    void badValuesNameTheFlagAndTheForms() {
        for (String bad : new String[] {"", "two", "0", "-1", "65", "1,1", "1,,2", "0,64"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> DeviceSelection.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--devices"), e.getMessage());
        }
    }

    @Test
    void theConfigCarriesTheDevicesAndKeepsThemThroughToBuilder() {
        ServerConfig c = ServerConfig.builder()
                .devices(DeviceSelection.parse("0,2"))
                .ice(new IceConfig(java.util.List.of(), null, PortRange.parse("50000-50099"), null))
                .drainTime(java.time.Duration.ofSeconds(3))
                .build();
        ServerConfig d = c.toBuilder().maxBatch(2).build();
        assertEquals(DeviceSelection.parse("0,2"), d.devices());
        assertEquals(new PortRange(50000, 50099), d.ice().portRange());
        assertEquals(java.time.Duration.ofSeconds(3), d.drainTime());
        assertEquals(DeviceSelection.FIRST, ServerConfig.defaults().devices());
    }
}
