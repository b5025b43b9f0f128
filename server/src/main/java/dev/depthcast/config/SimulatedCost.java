package dev.depthcast.config;

/** GPU-like batch economics for the simulated backend: fixed launch cost + a small cost per item, ms. */
public record SimulatedCost(double fixedMs, double perItemMs) {

    /** Parses "FIXED+PER_ITEM" in ms, e.g. "20+2". */
    public static SimulatedCost parse(String text) {
        String[] parts = text.trim().split("\\+");
        try {
            if (parts.length == 2) {
                SimulatedCost c = new SimulatedCost(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
                if (c.fixedMs >= 0 && c.perItemMs >= 0) {
                    return c;
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new ConfigException("simulated cost must be FIXED+PER_ITEM in ms, e.g. 20+2; got '" + text + "'");
    }

    public double costMs(int batch) {
        return fixedMs + perItemMs * batch;
    }
}
