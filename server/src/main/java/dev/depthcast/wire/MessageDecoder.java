package dev.depthcast.wire;

import java.io.IOException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads a point-cloud message of either schema (by its {@code v}) into the points schema 1 has.
 * For clients: the Java client, the load tester, tests. Not thread-safe (schema 2 reuses buffers):
 * one per socket or thread.
 */
public final class MessageDecoder implements AutoCloseable {

    private final V1Decoder v1 = new V1Decoder();
    private final V2Decoder v2 = new V2Decoder();

    public PointCloudMessage decode(byte[] bytes) throws IOException {
        int version = version(bytes);
        return switch (version) {
            case V1Encoder.VERSION -> v1.decode(bytes);
            case V2Encoder.VERSION -> v2.decode(bytes);
            default -> throw new IOException("unsupported message version " + version);
        };
    }

    /** The message's {@code v}, or -1 when it has none. */
    public static int version(byte[] bytes) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                if (u.unpackString().equals("v")) {
                    return u.unpackInt();
                }
                u.skipValue();
            }
            return -1;
        } catch (MessagePackException e) {
            throw new IOException("malformed point-cloud message: " + e, e);
        }
    }

    @Override
    public void close() {
        v2.close();
    }
}
