/**
 * The point-cloud message of docs/protocol.md and its msgpack codec (arrays as raw little-endian
 * binary). Stateless; encoding runs on the fan-out thread, decoding in clients.
 */
package dev.depthcast.wire;
