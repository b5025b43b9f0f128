/**
 * The point-cloud message of docs/protocol.md and its two msgpack schemas: {@code CompactCodec}
 * (schema 2, the default: grid cells, log-quantised depth, YCbCr colour, predicted and deflated)
 * and {@code PointCloudCodec} (schema 1, {@code --wire v1}: raw little-endian arrays);
 * {@code MessageEncoder} picks by {@code --wire}, {@code MessageDecoder} reads either. Codec
 * instances reuse buffers: one per thread (the fan-out thread encodes, each client socket decodes).
 */
package dev.depthcast.wire;
