package dev.depthcast.config;

import java.util.Locale;

/**
 * {@code --dense}: whether a session whose offer asks for the dense video track
 * (docs/protocol.md, "Dense frames") gets it. {@code on}: yes, and the page asks unless its user
 * switched dense off; {@code auto}: yes, the page asks only when its user switched dense on;
 * {@code off}: no, such a session gets schema 2 and a one-line reason.
 */
public enum DenseMode {
    ON,
    AUTO,
    OFF;

    /** The flag's value as the page reads it in {@code /api/config}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a session that asks gets the track. */
    public boolean serves() {
        return this != OFF;
    }

    public static DenseMode parse(String value) {
        for (DenseMode m : values()) {
            if (m.wireName().equals(value)) {
                return m;
            }
        }
        throw new ConfigException("--dense must be on, off or auto (got '" + value + "')");
    }
}
