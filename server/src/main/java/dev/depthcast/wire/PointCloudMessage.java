package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;

/**
 * A point-cloud message (docs/protocol.md), as the server assembles it and as a client decodes it
 * (from either schema: a schema-2 message decodes to the same xyz/rgb arrays as schema 1,
 * reconstructed). xyz holds {@code 3*count} floats, rgb {@code 3*count} bytes (arrays may be
 * longer). {@code timing} is the frame's own time record: encoding stamps its {@code encode} time
 * into it. {@code tag} is the frame tag the server read from the source frame's pixels
 * (docs/protocol.md, "Frame tag"), or {@link #NO_TAG}. {@code level} is the client's
 * link-adaptation level (0 = the densest, {@code --stride}; schema 1 carries none: 0).
 */
public record PointCloudMessage(int version, long seq, long timestampUs, long ingestEpochUs, long sentEpochUs,
                                int gridWidth, int gridHeight, int stride, int count, float[] xyz, byte[] rgb,
                                Intrinsics intrinsics, float near, float far, FrameTimes timing, int batch,
                                long dropped, String model, String backend, int tag, int level) {

    /** The {@code tag} of a frame that carried no readable frame tag (the field is then left out). */
    public static final int NO_TAG = -1;

    /** A message at level 0. */
    public PointCloudMessage(int version, long seq, long timestampUs, long ingestEpochUs, long sentEpochUs,
                             int gridWidth, int gridHeight, int stride, int count, float[] xyz, byte[] rgb,
                             Intrinsics intrinsics, float near, float far, FrameTimes timing, int batch,
                             long dropped, String model, String backend, int tag) {
        this(version, seq, timestampUs, ingestEpochUs, sentEpochUs, gridWidth, gridHeight, stride, count, xyz, rgb,
                intrinsics, near, far, timing, batch, dropped, model, backend, tag, 0);
    }

    /** A message without a frame tag, at level 0. */
    public PointCloudMessage(int version, long seq, long timestampUs, long ingestEpochUs, long sentEpochUs,
                             int gridWidth, int gridHeight, int stride, int count, float[] xyz, byte[] rgb,
                             Intrinsics intrinsics, float near, float far, FrameTimes timing, int batch,
                             long dropped, String model, String backend) {
        this(version, seq, timestampUs, ingestEpochUs, sentEpochUs, gridWidth, gridHeight, stride, count, xyz, rgb,
                intrinsics, near, far, timing, batch, dropped, model, backend, NO_TAG, 0);
    }

    public boolean tagged() {
        return tag >= 0;
    }
}
