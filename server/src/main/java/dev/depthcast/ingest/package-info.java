/**
 * Frames in: {@code I420Frame}, a decoded frame copied out of the decoder's buffer, and
 * {@code LatestFrameMailbox}, one slot per client where a newer frame replaces an older one (never
 * a queue). Threads: offered on a WebRTC decoder thread, taken on the inference executor's.
 */
package dev.depthcast.ingest;
