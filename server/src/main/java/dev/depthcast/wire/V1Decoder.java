package dev.depthcast.wire;

import dev.depthcast.wire.PointCloudMessage.Points;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/** Reads schema 1 (see {@link V1Encoder}). Stateless: any thread may use it. */
public final class V1Decoder {

    /**
     * Decodes a schema-1 message; unknown keys are skipped (forward compatible), a missing or
     * inconsistent point array fails.
     */
    public PointCloudMessage decode(byte[] bytes) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            MessageHeader header = new MessageHeader();
            float[] xyz = null;
            byte[] rgb = null;
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                String key = u.unpackString();
                if (header.read(key, u)) {
                    continue;
                }
                switch (key) {
                    case "xyz" -> {
                        byte[] raw = MessageHeader.readBinary(u, bytes.length);
                        xyz = new float[raw.length / Float.BYTES];
                        ByteBuffer.wrap(raw)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .asFloatBuffer()
                                .get(xyz);
                    }
                    case "rgb" -> rgb = MessageHeader.readBinary(u, bytes.length);
                    default -> u.skipValue();
                }
            }
            if (header.version() != V1Encoder.VERSION) {
                throw new IOException(
                        "unsupported message version " + header.version() + " (expected " + V1Encoder.VERSION + ")");
            }
            int n = header.count();
            if (n < 0 || xyz == null || rgb == null || xyz.length != n * 3 || rgb.length != n * 3) {
                throw new IOException("point arrays do not match n=" + n);
            }
            return header.message(new Points(n, xyz, rgb), 0);
        } catch (MessagePackException e) {
            throw new IOException("malformed point-cloud message: " + e, e);
        }
    }
}
