/**
 * The point-cloud message of docs/protocol.md and its two msgpack schemas: {@code PointCloudMessage}
 * (small records: origin, grid, points, timing, serving), written by {@code V2Encoder} (schema 2,
 * the default: grid cells, log-quantised depth, YCbCr colour, predicted and deflated) or
 * {@code V1Encoder} (schema 1, {@code --wire v1}: raw little-endian arrays) and read by
 * {@code V2Decoder}/{@code V1Decoder}, over one {@code MessageHeader} for the keys both schemas
 * share. {@code MessageEncoder} picks by {@code --wire}, {@code MessageDecoder} reads either.
 * Schema-2 codecs reuse buffers: one per thread (the fan-out thread encodes, each client socket
 * decodes). Encoders measure their own encode time (it goes on the wire) and return it; they do
 * not touch the frame's time record, which the delivery stage stamps.
 */
package dev.depthcast.wire;
