package dev.depthcast.config;

import java.util.Locale;

/** Where inference runs, as {@code --backend} names it. */
public enum Backend {
    /** TensorRT when the probe finds a usable GPU and engine, else the CPU (with one log line why). */
    AUTO,
    /** ONNX Runtime on the host. */
    CPU,
    /** TensorRT on a GPU; fails fast with the probe's reason when there is none. */
    TENSORRT,
    /** Java pre/post-processing around a GPU-like cost model (load tests without a GPU). */
    SIMULATED;

    /** The command-line spelling: {@code auto}, {@code cpu}, {@code tensorrt}, {@code simulated}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the command-line spelling (any case). */
    public static Backend parse(String text) {
        for (Backend b : values()) {
            if (b.label().equalsIgnoreCase(text.trim())) {
                return b;
            }
        }
        throw new ConfigException("unknown backend '" + text + "'; use auto, cpu, tensorrt or simulated");
    }
}
