package dev.depthcast.model;

import java.util.Locale;

/**
 * What a model's output means: relative inverse depth (unknown scale and offset, larger = nearer:
 * mapped to metres by the server) or metric depth in metres (used as it is). A model's signature
 * cannot tell them apart: its preset declares it, {@code --model-output} overrides.
 */
public enum DepthOutput {
    RELATIVE,
    METRIC;

    /** Its command-line name: {@code relative} or {@code metric}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name (any case). */
    public static DepthOutput parse(String name) {
        for (DepthOutput o : values()) {
            if (o.label().equalsIgnoreCase(name.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown model output '" + name + "'; known: relative, metric");
    }
}
