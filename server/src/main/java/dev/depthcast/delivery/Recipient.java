package dev.depthcast.delivery;

import dev.depthcast.metrics.ClientDrops;

/** Where a client's results go, where its drops are counted, and its link (acks, adaptation). */
public record Recipient(ResultSink sink, ClientDrops drops, ClientLink link) {

    /** A recipient whose link never adapts (tests): every result is level 0. */
    public Recipient(ResultSink sink, ClientDrops drops) {
        this(sink, drops, ClientLink.fixed());
    }
}
