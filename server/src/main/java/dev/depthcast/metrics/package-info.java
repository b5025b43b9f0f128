/**
 * How long each stage took and what was dropped: {@code FrameTimes}, one frame's stage times
 * stamped where each stage ends; {@code ClientDrops}, one client's drops by reason; and
 * {@code PipelineMetrics}, the Micrometer registry behind {@code GET /metrics} and
 * {@code /api/stats}. Thread-safe; written from every stage's thread.
 */
package dev.depthcast.metrics;
