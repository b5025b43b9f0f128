package dev.depthcast.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The presets {@code --preset} knows, by their command-line (and wire) names. */
public enum BuiltInPreset {
    RELIEF(Preset.RELIEF),
    DEPTH_ANYTHING_V2(Preset.DEPTH_ANYTHING_V2),
    DEPTH_ANYTHING_V2_METRIC_INDOOR(Preset.DEPTH_ANYTHING_V2_METRIC_INDOOR),
    DEPTH_ANYTHING_V2_METRIC_OUTDOOR(Preset.DEPTH_ANYTHING_V2_METRIC_OUTDOOR),
    MIDAS_SMALL(Preset.MIDAS_SMALL);

    private final Preset preset;

    BuiltInPreset(Preset preset) {
        this.preset = preset;
    }

    /** The preset at its default input size. */
    public Preset preset() {
        return preset;
    }

    /** Its command-line and wire name, e.g. {@code depth-anything-v2}. */
    public String label() {
        return preset.name();
    }

    /** Parses a command-line name (any case). */
    public static BuiltInPreset parse(String name) {
        for (BuiltInPreset p : values()) {
            if (p.label().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; known: "
                + Arrays.stream(values()).map(BuiltInPreset::label).collect(Collectors.joining(", ")));
    }
}
