package dev.depthcast.config;

import java.util.Locale;

/**
 * Which engine the CPU backend serves when several built engines match the model ({@code --precision}).
 */
public enum EnginePrecision {
    /** INT8 when an engine for this model exists (it passed the accuracy gate or was forced), else FP32. */
    AUTO,
    /** The FP32 engine, or the model as given. */
    FP32,
    /** The INT8 engine; the server does not start without one. */
    INT8;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EnginePrecision parse(String text) {
        for (EnginePrecision p : values()) {
            if (p.label().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new ConfigException("unknown precision '" + text + "'; use auto, fp32 or int8");
    }
}
