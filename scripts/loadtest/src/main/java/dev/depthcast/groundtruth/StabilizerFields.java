package dev.depthcast.groundtruth;

import java.io.IOException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * The stabiliser's optional message fields (docs/protocol.md): the {@code stab} map — {@code scale}, {@code shift},
 * {@code resets}, {@code failed} — and {@code timing.stabilize} (ms), read straight from a message's msgpack, as
 * any decoder may read keys it knows and skip the rest. A server without a stabiliser sends neither: every value is
 * then NaN and {@link #present()} false.
 */
public record StabilizerFields(double scale, double shift, double resets, double failed, double stabilizeMs) {

    public static final StabilizerFields ABSENT =
            new StabilizerFields(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Whether the message had a {@code stab} map. */
    public boolean present() {
        return !Double.isNaN(scale) || !Double.isNaN(shift) || !Double.isNaN(resets) || !Double.isNaN(failed);
    }

    /** The fields of the message {@code raw}; {@link #ABSENT} parts where it has none. */
    public static StabilizerFields read(byte[] raw) throws IOException {
        double scale = Double.NaN;
        double shift = Double.NaN;
        double resets = Double.NaN;
        double failed = Double.NaN;
        double stabilizeMs = Double.NaN;
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(raw)) {
            int keys = in.unpackMapHeader();
            for (int k = 0; k < keys; k++) {
                String key = in.unpackString();
                if (key.equals("stab") || key.equals("timing")) {
                    Value map = in.unpackValue();
                    if (!map.isMapValue()) {
                        continue;
                    }
                    for (var e : map.asMapValue().map().entrySet()) {
                        double value = number(e.getValue());
                        switch (key + "." + e.getKey().toString()) {
                            case "stab.scale" -> scale = value;
                            case "stab.shift" -> shift = value;
                            case "stab.resets" -> resets = value;
                            case "stab.failed" -> failed = value;
                            case "timing.stabilize" -> stabilizeMs = value;
                            default -> {}
                        }
                    }
                } else {
                    in.skipValue();
                }
            }
        }
        return new StabilizerFields(scale, shift, resets, failed, stabilizeMs);
    }

    private static double number(Value v) {
        return v.isNumberValue() ? v.asNumberValue().toDouble() : Double.NaN;
    }
}
