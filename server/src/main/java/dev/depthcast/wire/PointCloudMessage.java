package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;

/**
 * A point-cloud message (docs/protocol.md), as the server assembles it and as a client decodes it.
 * xyz holds {@code 3*count} floats, rgb {@code 3*count} bytes (arrays may be longer). {@code timing}
 * is the frame's own time record: encoding stamps its {@code encode} time into it.
 */
public record PointCloudMessage(int version, long seq, long timestampUs, long ingestEpochUs, long sentEpochUs,
                                int gridWidth, int gridHeight, int stride, int count, float[] xyz, byte[] rgb,
                                Intrinsics intrinsics, float near, float far, FrameTimes timing, int batch,
                                long dropped, String model, String backend) {
}
