package dev.depthcast.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Writes schema 1 ({@code --wire v1}, kept for one release): xyz and rgb as raw little-endian
 * binary, never msgpack lists, which doubled the size and cost milliseconds to pack. Stateless
 * apart from its clock: any thread may use it.
 */
public final class V1Encoder {

    public static final int VERSION = 1;

    private final LongSupplier nanoClock;

    /** An encoder that times itself on {@link System#nanoTime()}. */
    public V1Encoder() {
        this(System::nanoTime);
    }

    /** An encoder whose {@code encode} time is read from {@code nanoClock} (ns, monotonic). */
    public V1Encoder(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Encodes {@code m} as schema 1; the {@code encode} time it carries is how long this took. */
    public EncodedMessage encode(PointCloudMessage m) {
        long t0 = nanoClock.getAsLong();
        int n = m.points().count();
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            MessageHeader.writeHead(p, VERSION, m, 2);
            ByteBuffer xyz = ByteBuffer.allocate(n * 3 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            xyz.asFloatBuffer().put(m.points().xyz(), 0, n * 3);
            p.packString("xyz").packBinaryHeader(xyz.capacity());
            p.writePayload(xyz.array());
            p.packString("rgb").packBinaryHeader(n * 3);
            p.writePayload(m.points().rgb(), 0, n * 3);
            double encodeMs = MessageHeader.writeTail(p, m, () -> (nanoClock.getAsLong() - t0) / 1e6);
            return new EncodedMessage(p.toByteArray(), encodeMs);
        } catch (IOException e) {
            throw new IllegalStateException("msgpack encoding to memory failed", e);
        }
    }
}
