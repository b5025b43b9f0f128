package dev.depthcast.wire;

/**
 * An encoded message and how long encoding it took (the {@code encode} time it carries), for the
 * delivery stage to stamp into the frame's own time record.
 */
public record EncodedMessage(byte[] bytes, double encodeMs) {}
