package dev.depthcast.wire;

/**
 * Encodes point-cloud messages in the schema the server was started with ({@code --wire}). Not
 * thread-safe (schema 2 reuses buffers): the fan-out thread owns one.
 */
public final class MessageEncoder implements AutoCloseable {

    private final WireFormat format;
    private final CompactCodec compact = new CompactCodec();

    public MessageEncoder(WireFormat format) {
        this.format = format;
    }

    public WireFormat format() {
        return format;
    }

    /** Encodes {@code m} (its {@code version} is ignored: the format decides) and stamps the encode time. */
    public PointCloudCodec.Encoded encode(PointCloudMessage m, CompactCodec.ColourSteps colour) {
        return format == WireFormat.V1 ? PointCloudCodec.encode(m) : compact.encode(m, colour);
    }

    @Override
    public void close() {
        compact.close();
    }
}
