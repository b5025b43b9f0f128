package dev.depthcast.schedule;

import java.util.List;

/**
 * Which device a new session goes to: the one with the most headroom, measured, not counted.
 *
 * <p>A device's measured load is its busy fraction ({@link BusyMeter}); its cost per client is that
 * fraction over the clients it has had long enough to be in the measurement ("settled"). Clients
 * placed within the last window are not in the busy fraction yet, so they are charged at that cost
 * (or, on a device with no measured cost, at the mean cost per settled client of all devices — 0
 * when nothing is measured anywhere, which makes the choice a plain count). The new session goes
 * where the predicted load after adding it is lowest; ties go to fewer clients, then the lower
 * ordinal. So equal devices fill evenly, a device whose clients send more (bigger or faster frames)
 * or which is slower takes fewer, and a burst of admissions is spread before any of it shows in
 * the meters. Pure: tested on numbers.
 */
public final class Placement {

    /** Predicted loads this close (1 % of a device) are a tie. */
    static final double TIE = 0.01;

    private Placement() {}

    /**
     * One device as placement sees it.
     *
     * @param busy busy fraction over the last window (0..1)
     * @param settled clients placed before the window began (their cost is in {@code busy})
     * @param fresh clients placed within the window
     */
    public record DeviceView(int ordinal, double busy, int settled, int fresh) {

        public int clients() {
            return settled + fresh;
        }
    }

    /** The index in {@code devices} of the device a new session goes to. */
    public static int choose(List<DeviceView> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device to place on");
        }
        double measuredBusy = 0;
        int measuredClients = 0;
        for (DeviceView d : devices) {
            if (d.settled() > 0) {
                measuredBusy += d.busy();
                measuredClients += d.settled();
            }
        }
        double meanCost = measuredClients == 0 ? 0 : measuredBusy / measuredClients;
        int best = 0;
        double bestLoad = predicted(devices.get(0), meanCost);
        for (int i = 1; i < devices.size(); i++) {
            DeviceView d = devices.get(i);
            DeviceView b = devices.get(best);
            double load = predicted(d, meanCost);
            // Loads within TIE of each other are equal (meter noise): then fewer clients, then the lower ordinal.
            boolean better = load < bestLoad - TIE
                    || (Math.abs(load - bestLoad) <= TIE
                            && (d.clients() < b.clients()
                                    || (d.clients() == b.clients() && d.ordinal() < b.ordinal())));
            if (better) {
                best = i;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Load after one more client: measured + fresh clients and the new one at this device's cost each. */
    static double predicted(DeviceView d, double meanCost) {
        // A device with no measured cost (no settled client, or only idle ones) charges the fleet's mean.
        double own = d.settled() > 0 ? d.busy() / d.settled() : 0;
        double cost = own > 0 ? own : meanCost;
        return d.busy() + (d.fresh() + 1) * cost;
    }
}
