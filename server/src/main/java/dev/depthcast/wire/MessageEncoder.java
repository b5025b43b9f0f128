package dev.depthcast.wire;

/**
 * Encodes point-cloud messages in the schema the server was started with ({@code --wire}). Not
 * thread-safe (schema 2 reuses buffers): the fan-out thread owns one.
 */
public final class MessageEncoder implements AutoCloseable {

    private final WireFormat format;
    private final V1Encoder v1 = new V1Encoder();
    private final V2Encoder v2 = new V2Encoder();

    public MessageEncoder(WireFormat format) {
        this.format = format;
    }

    public WireFormat format() {
        return format;
    }

    /** Encodes {@code m} (its {@code version} is ignored: the format decides). */
    public EncodedMessage encode(PointCloudMessage m, ColourSteps colour) {
        return format == WireFormat.V1 ? v1.encode(m) : v2.encode(m, colour);
    }

    @Override
    public void close() {
        v2.close();
    }
}
