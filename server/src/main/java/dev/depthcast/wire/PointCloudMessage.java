package dev.depthcast.wire;

import dev.depthcast.process.Intrinsics;

/**
 * The decoded form of a point-cloud message (docs/protocol.md). xyz holds {@code 3*count} floats,
 * rgb {@code 3*count} bytes (arrays may be longer).
 */
public record PointCloudMessage(int version, long seq, long timestampUs, long ingestEpochUs, long sentEpochUs,
                                int gridWidth, int gridHeight, int stride, int count, float[] xyz, byte[] rgb,
                                Intrinsics intrinsics, float near, float far, StageTimes timing, int batch,
                                long dropped, String model, String backend) {
}
