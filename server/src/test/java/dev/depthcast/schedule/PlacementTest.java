package dev.depthcast.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.schedule.Placement.DeviceView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which device a new session goes to, on numbers. */
class PlacementTest {

    @Test
    void equalDevicesFillEvenlyInOrdinalOrder() {
        int[] clients = new int[3];
        for (int i = 0; i < 9; i++) {
            List<DeviceView> views = new ArrayList<>();
            for (int d = 0; d < 3; d++) {
                views.add(new DeviceView(d, 0.0, 0, clients[d]));
            }
            clients[Placement.choose(views)]++;
        }
        assertEquals(List.of(3, 3, 3), List.of(clients[0], clients[1], clients[2]));
        assertEquals(0, Placement.choose(List.of(new DeviceView(0, 0, 0, 0), new DeviceView(1, 0, 0, 0))));
    }

    @Test
    void measuredLoadBeatsACount() {
        // Device 0: 2 clients keeping it 80 % busy (big frames, or a slower GPU). Device 1: 3
        // clients at 30 %. A count would pick device 0; its headroom says device 1.
        List<DeviceView> views = List.of(new DeviceView(0, 0.8, 2, 0), new DeviceView(1, 0.3, 3, 0));
        assertEquals(1, Placement.choose(views));
        assertEquals(1.2, Placement.predicted(views.get(0), 0), 1e-9);
        assertEquals(0.4, Placement.predicted(views.get(1), 0), 1e-9);
    }

    @Test
    void aBurstOfAdmissionsIsSpreadBeforeTheMetersSeeIt() {
        // Both devices measured at 0.5 with 2 settled clients; 4 sessions arrive within a second.
        // Each fresh one is charged at its device's cost (0.25), so they alternate.
        int[] fresh = new int[2];
        for (int i = 0; i < 4; i++) {
            int d = Placement.choose(List.of(new DeviceView(0, 0.5, 2, fresh[0]), new DeviceView(1, 0.5, 2, fresh[1])));
            fresh[d]++;
        }
        assertEquals(2, fresh[0]);
        assertEquals(2, fresh[1]);
    }

    @Test
    void aDeviceWithNothingMeasuredIsChargedTheFleetMean() {
        // Device 1 just joined (no client): charged the mean 0.2 a client, it is the obvious pick;
        // after 4 fresh ones it is predicted 1.0 and device 0 (0.6 + 0.2) wins again.
        assertEquals(1, Placement.choose(List.of(new DeviceView(0, 0.6, 3, 0), new DeviceView(1, 0, 0, 0))));
        assertEquals(0, Placement.choose(List.of(new DeviceView(0, 0.6, 3, 0), new DeviceView(1, 0, 0, 4))));
        // Idle clients (connected, not streaming) cost nothing measured; fresh ones there are still
        // charged the fleet mean (0.4 / 4 settled = 0.1): 6 fresh + the new one is 0.7 > 0.4 + 0.2.
        assertEquals(0, Placement.choose(List.of(new DeviceView(0, 0.0, 2, 3), new DeviceView(1, 0.4, 2, 0))));
        assertEquals(1, Placement.choose(List.of(new DeviceView(0, 0.0, 2, 6), new DeviceView(1, 0.4, 2, 0))));
    }

    @Test
    void noiseInTheMetersIsATieAndTheCountDecides() {
        assertEquals(
                0,
                Placement.choose(List.of(new DeviceView(0, 0.5004, 4, 0), new DeviceView(1, 0.5001, 4, 0))),
                "a tie with as many clients: the lower ordinal, though device 1 reads 0.0003 less");
        // 0.52 + 0.104 against 0.50 + 0.125: within 1 % of a device.
        assertEquals(
                1,
                Placement.choose(List.of(new DeviceView(0, 0.52, 5, 0), new DeviceView(1, 0.50, 4, 0))),
                "a tie: fewer clients");
    }
}
