package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.StabiliserState;

/**
 * A point-cloud message (docs/protocol.md), as the server assembles it and as a client decodes it
 * (from either schema: a schema-2 message decodes to the same xyz/rgb points as schema 1,
 * reconstructed). {@code version} is the schema a decoded message came in; an encoder ignores it
 * (its own schema decides).
 *
 * @param origin the source frame and the wall clocks around its walk through the server
 * @param grid the sampled depth grid and the camera its cells unproject through
 * @param points the points themselves
 * @param timing the frame's stage times, as the message carries them
 * @param stab the session's depth stabiliser after this frame (the optional {@code stab} map), or null
 * @param serving what served the frame to this client
 */
public record PointCloudMessage(
        int version, Origin origin, Grid grid, Points points, Timing timing, StabiliserState stab, Serving serving) {

    /** A message without {@code stab} (no stabiliser mapped its depth). */
    public PointCloudMessage(int version, Origin origin, Grid grid, Points points, Timing timing, Serving serving) {
        this(version, origin, grid, points, timing, null, serving);
    }

    /**
     * The source frame: its sequence number and timestamp (from the client's video), the wall clock
     * (Unix epoch µs) at ingest and at send, and the frame tag the server read from the frame's
     * pixels (docs/protocol.md, "Frame tag"), or {@link #NO_TAG}.
     */
    public record Origin(long seq, long timestampUs, long ingestEpochUs, long sentEpochUs, int tag) {

        /** The {@code tag} of a frame that carried no readable frame tag (the field is then left out). */
        public static final int NO_TAG = -1;

        public boolean tagged() {
            return tag >= 0;
        }
    }

    /**
     * The depth grid the points were sampled from: {@code width}×{@code height} depth pixels, every
     * {@code stride}-th taken; the intrinsics and depth range (metres) of the unprojection.
     */
    public record Grid(int width, int height, int stride, Intrinsics intrinsics, float near, float far) {

        /** The grid {@code cloud} was unprojected on. */
        public static Grid of(PointCloud cloud) {
            return new Grid(
                    cloud.gridWidth(),
                    cloud.gridHeight(),
                    cloud.stride(),
                    cloud.intrinsics(),
                    cloud.near(),
                    cloud.far());
        }
    }

    /**
     * {@code count} points, row-major over the grid: xyz holds {@code 3*count} floats (metres,
     * three.js camera frame), rgb {@code 3*count} bytes; either array may be longer.
     */
    public record Points(int count, float[] xyz, byte[] rgb) {

        /** {@code cloud}'s points, sharing its arrays. */
        public static Points of(PointCloud cloud) {
            return new Points(cloud.count(), cloud.xyz(), cloud.rgb());
        }
    }

    /**
     * The {@code timing} map, in ms. An encoder writes the stage times as given and, for
     * {@code encode}, the time it measured encoding this very message; a decoded message holds what
     * its sender measured. {@code stabilize} is NaN, and left out of the map, when no stabiliser ran.
     */
    public record Timing(
            double ingest,
            double queue,
            double preprocess,
            double inference,
            double stabilize,
            double unproject,
            double encode) {

        /** Stage times without a stabiliser. */
        public Timing(
                double ingest, double queue, double preprocess, double inference, double unproject, double encode) {
            this(ingest, queue, preprocess, inference, Double.NaN, unproject, encode);
        }

        /** The stage times stamped into {@code times} so far. */
        public static Timing of(FrameTimes times) {
            return new Timing(
                    times.ingest(),
                    times.queue(),
                    times.preprocess(),
                    times.inference(),
                    times.stabilise(),
                    times.unproject(),
                    times.encode());
        }
    }

    /**
     * What served the frame: the model preset and backend, the size of the batch it ran in, the
     * client's drops so far and its link-adaptation level (0 = the densest, {@code --stride};
     * schema 1 carries none: 0).
     */
    public record Serving(String model, String backend, int batch, long dropped, int level) {}
}
