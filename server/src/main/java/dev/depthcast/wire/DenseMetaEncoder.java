package dev.depthcast.wire;

import java.io.IOException;
import java.util.function.LongSupplier;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Writes the metadata message of a dense session (docs/protocol.md, "Dense frames"): schema 2's
 * shared keys and {@code level}, then {@code dense} (the frame's layout and depth code) instead of
 * the point keys — the points travel in the video frame whose tag is {@code seq mod 65536}.
 */
public final class DenseMetaEncoder {

    /** level, dense. */
    private static final int SCHEMA_KEYS = 2;

    private final LongSupplier nanoClock;

    public DenseMetaEncoder() {
        this(System::nanoTime);
    }

    public DenseMetaEncoder(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The metadata of {@code m}, whose points went out packed in {@code layout}. */
    public EncodedMessage encode(PointCloudMessage m, DenseLayout layout) {
        long t0 = nanoClock.getAsLong();
        try (MessageBufferPacker pk = MessagePack.newDefaultBufferPacker()) {
            MessageHeader.writeHead(pk, V2Encoder.VERSION, m, SCHEMA_KEYS);
            pk.packString("level").packInt(m.serving().level());
            pk.packString("dense").packMapHeader(7);
            pk.packString("fw").packInt(layout.width());
            pk.packString("fh").packInt(layout.height());
            pk.packString("gw").packInt(layout.columns());
            pk.packString("gh").packInt(layout.rows());
            pk.packString("dx").packInt(layout.depthX());
            pk.packString("ty").packInt(layout.tagY());
            pk.packString("code")
                    .packArrayHeader(4)
                    .packInt(DenseDepthCode.INVALID)
                    .packInt(DenseDepthCode.VALID_FROM)
                    .packInt(DenseDepthCode.NEAR)
                    .packInt(DenseDepthCode.FAR);
            double encodeMs = MessageHeader.writeTail(pk, m, () -> (nanoClock.getAsLong() - t0) / 1e6);
            return new EncodedMessage(pk.toByteArray(), encodeMs);
        } catch (IOException e) {
            throw new IllegalStateException("msgpack encoding to memory failed", e);
        }
    }
}
