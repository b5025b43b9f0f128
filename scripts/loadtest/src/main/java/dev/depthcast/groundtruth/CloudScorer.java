package dev.depthcast.groundtruth;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.PointCloudMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores delivered point clouds against the {@link RoomScene}'s truth. Each point is traced back to its depth-grid
 * cell through the intrinsics its message carries (xyz follows exactly from cell, depth and {@code intr}), and
 * compared with the true point at that cell's image point, unprojected with the scene's true camera:
 * <ul>
 *   <li>depth error {@code |k·d − z| / z} and point error {@code |k·p − p_true| / |p_true|}, pooled over the
 *       clip's points: {@code k = 1} for metric output; for relative output one global scale {@code k} per clip,
 *       the median of {@code z / d} (relative depth has no unit);
 *   <li>stability: per frame the median delivered depth over the static region — cells the ball, grown by
 *       {@value #STATIC_MARGIN} m, never covers in the cycle — and that series' coefficient of variation and
 *       largest frame-to-frame jump, frames in index order.
 * </ul>
 * The point error carries the field of view's effect (a wrong one bends x and y, not depth). Not thread-safe.
 */
public final class CloudScorer {

    /** Metres the ball is grown by when deciding which cells it never covers (its edges' flying points, blur). */
    static final double STATIC_MARGIN = 0.05;
    /** A frame with fewer static points than this is left out of the stability series. */
    static final int MIN_STATIC_POINTS = 100;
    /** How far (grid pixels) a point's traced-back position may be from its cell's. */
    static final double CELL_TOLERANCE = 0.5;

    /** A delivered result and the clip frame it was made from. */
    public record Delivered(long frameIndex, PointCloudMessage message) {}

    /**
     * A clip's scores. Errors are fractions (0.01 = 1 %); {@code staticMedians} is the stability series, metres as
     * delivered (before the scale fit).
     */
    public record Score(
            int frames,
            long points,
            long unmatched,
            double scale,
            double staticCv,
            double largestJump,
            double depthErrorMedian,
            double depthErrorP90,
            double pointErrorMedian,
            double pointErrorP90,
            double[] staticMedians) {}

    private final RoomScene scene;
    private final Map<String, boolean[]> staticMasks = new HashMap<>();

    public CloudScorer(RoomScene scene) {
        this.scene = scene;
    }

    /** Scores {@code results} (any order); {@code fitScale}: relative output (one global scale fit). */
    public Score score(List<Delivered> results, boolean fitScale) {
        List<Delivered> ordered = new ArrayList<>(results);
        ordered.sort(Comparator.comparingLong(Delivered::frameIndex));
        // Pass 1: the truth/delivered ratios (for the scale) and each frame's static median.
        FloatList ratios = new FloatList();
        List<Double> medians = new ArrayList<>();
        long[] unmatched = {0};
        for (Delivered r : ordered) {
            FloatList staticDepths = new FloatList();
            unmatched[0] += match(r, (cell, d, x, y, truth, tx, ty, isStatic) -> {
                ratios.add((float) (truth / d));
                if (isStatic) {
                    staticDepths.add((float) d);
                }
            });
            if (staticDepths.size() >= MIN_STATIC_POINTS) {
                medians.add(Percentile.of(staticDepths.values(), staticDepths.size(), 0.5));
            }
        }
        double scale = fitScale && ratios.size() > 0 ? Percentile.of(ratios.values(), ratios.size(), 0.5) : 1;
        // Pass 2: the errors after the scale.
        FloatList depthErrors = new FloatList();
        FloatList pointErrors = new FloatList();
        for (Delivered r : ordered) {
            match(r, (cell, d, x, y, truth, tx, ty, isStatic) -> {
                depthErrors.add((float) (Math.abs(scale * d - truth) / truth));
                double ex = scale * x - tx;
                double ey = scale * y - ty;
                double ez = scale * d - truth;
                pointErrors.add((float) Math.sqrt((ex * ex + ey * ey + ez * ez) / (tx * tx + ty * ty + truth * truth)));
            });
        }
        double[] series = medians.stream().mapToDouble(Double::doubleValue).toArray();
        return new Score(
                ordered.size(),
                depthErrors.size(),
                unmatched[0],
                scale,
                Stability.coefficientOfVariation(series),
                Stability.largestJump(series),
                Percentile.of(depthErrors.values(), depthErrors.size(), 0.5),
                Percentile.of(depthErrors.values(), depthErrors.size(), 0.9),
                Percentile.of(pointErrors.values(), pointErrors.size(), 0.5),
                Percentile.of(pointErrors.values(), pointErrors.size(), 0.9),
                series);
    }

    /** One delivered point matched to its cell: delivered depth and x, y; the truth there; whether the cell is static. */
    @FunctionalInterface
    interface MatchedPoint {
        void accept(int cell, double d, double x, double y, double truth, double tx, double ty, boolean isStatic);
    }

    /** Calls {@code out} for every point of {@code r} that traces back to a cell; returns how many did not. */
    long match(Delivered r, MatchedPoint out) {
        PointCloudMessage m = r.message();
        PointCloudMessage.Grid grid = m.grid();
        Intrinsics k = grid.intrinsics();
        int stride = grid.stride();
        int sw = (grid.width() + stride - 1) / stride;
        int sh = (grid.height() + stride - 1) / stride;
        boolean[] still = staticMask(grid.width(), grid.height(), stride);
        PinholeCamera camera = scene.camera();
        RoomScene.Ball ball = scene.ball(r.frameIndex());
        float[] xyz = m.points().xyz();
        long missed = 0;
        for (int p = 0; p < m.points().count(); p++) {
            double x = xyz[3 * p];
            double y = xyz[3 * p + 1];
            double d = -xyz[3 * p + 2];
            if (!(d > 0)) {
                missed++;
                continue;
            }
            double u = x / d * k.fx() + k.cx() - 0.5;
            double v = -y / d * k.fy() + k.cy() - 0.5;
            int i = (int) Math.round(u / stride);
            int j = (int) Math.round(v / stride);
            if (i < 0
                    || j < 0
                    || i >= sw
                    || j >= sh
                    || Math.abs(u - i * stride) > CELL_TOLERANCE
                    || Math.abs(v - j * stride) > CELL_TOLERANCE) {
                missed++;
                continue;
            }
            double dx = camera.rayX((i * stride + 0.5) / grid.width());
            double dy = camera.rayY((j * stride + 0.5) / grid.height());
            double truth = RoomScene.trace(dx, dy, ball).depth();
            out.accept(j * sw + i, d, x, y, truth, dx * truth, dy * truth, still[j * sw + i]);
        }
        return missed;
    }

    /** The cells of a {@code width}×{@code height} grid sampled every {@code stride} that the ball never covers. */
    boolean[] staticMask(int width, int height, int stride) {
        return staticMasks.computeIfAbsent(width + "x" + height + "/" + stride, key -> {
            int sw = (width + stride - 1) / stride;
            int sh = (height + stride - 1) / stride;
            boolean[] mask = new boolean[sw * sh];
            for (int j = 0; j < sh; j++) {
                double t = (j * stride + 0.5) / height;
                for (int i = 0; i < sw; i++) {
                    double s = (i * stride + 0.5) / width;
                    boolean covered = false;
                    for (int f = 0; f < scene.cycleFrames() && !covered; f++) {
                        covered = scene.ballCovers(s, t, f, STATIC_MARGIN);
                    }
                    mask[j * sw + i] = !covered;
                }
            }
            return mask;
        });
    }

    /** A growable float array. */
    static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        float[] values() {
            return values;
        }
    }
}
