package dev.depthcast.wire;

/** One frame's server stage times in ms (docs/protocol.md, {@code timing}). */
public record StageTimes(double ingest, double queue, double preprocess, double inference, double unproject,
                         double encode) {

    public StageTimes withEncode(double encodeMs) {
        return new StageTimes(ingest, queue, preprocess, inference, unproject, encodeMs);
    }
}
