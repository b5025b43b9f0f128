package dev.depthcast.delivery;

import dev.depthcast.metrics.ClientDrops;

/**
 * Where a client's results go, where its drops are counted, its link (acks, adaptation) and its
 * dense channel (the video track its points travel in when it asked for one).
 */
public record Recipient(ResultSink sink, ClientDrops drops, ClientLink link, DenseChannel dense) {

    /** A recipient whose link never adapts and who gets schema 2 (tests): every result is level 0. */
    public Recipient(ResultSink sink, ClientDrops drops) {
        this(sink, drops, ClientLink.fixed(), DenseChannel.none());
    }
}
