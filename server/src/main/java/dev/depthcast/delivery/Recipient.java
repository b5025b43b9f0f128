package dev.depthcast.delivery;

import dev.depthcast.metrics.ClientDrops;

/** Where a client's results go and where its drops are counted. */
public record Recipient(ResultSink sink, ClientDrops drops) {
}
