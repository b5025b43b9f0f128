package dev.depthcast.wire;

import java.util.Locale;

/** The point-cloud schema the server sends ({@code --wire}); clients read both. */
public enum WireFormat {
    /** Schema 1: xyz as float32 and rgb as bytes, raw (15 B a point). Kept for one release. */
    V1(1),
    /** Schema 2 (default): grid cells, log-quantised depth and YCbCr colour, predicted and deflated. */
    V2(2);

    private final int version;

    WireFormat(int version) {
        this.version = version;
    }

    /** The message's {@code v}. */
    public int version() {
        return version;
    }

    /** {@code v1} or {@code v2} (also {@code 1}, {@code 2}). */
    public static WireFormat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "v1", "1" -> V1;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException("--wire must be v1 or v2, got '" + text + "'");
        };
    }
}
