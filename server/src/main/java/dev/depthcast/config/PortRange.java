package dev.depthcast.config;

/**
 * {@code --ice-port-range MIN-MAX}: the local ports WebRTC binds its candidates to (UDP, and the
 * passive TCP of ICE-TCP), so a firewall or NAT forwards one known range. Each session takes one
 * port of the range per transport and address family.
 */
public record PortRange(int min, int max) {

    public PortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new ConfigException(
                    "--ice-port-range " + min + "-" + max + " must be MIN-MAX with 1 <= MIN <= MAX <= 65535");
        }
    }

    /** Parses {@code MIN-MAX}, e.g. {@code 50000-50100}. */
    public static PortRange parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("-");
        if (parts.length != 2) {
            throw new ConfigException("--ice-port-range must be MIN-MAX, e.g. 50000-50100; got '" + text + "'");
        }
        try {
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new ConfigException("--ice-port-range must be MIN-MAX, e.g. 50000-50100; got '" + text + "'");
        }
    }

    public int size() {
        return max - min + 1;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
