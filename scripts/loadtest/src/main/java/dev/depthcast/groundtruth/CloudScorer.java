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
 *   <li>stability: the static regions are the cells the ball, grown by {@value #STATIC_MARGIN} m, never covers in
 *       the cycle, one region per room surface (back wall, floor, each side wall) — a median over them all would
 *       sit on whichever surface holds most cells, and miss a mapping that pins that one (the farthest surface
 *       under a per-frame min/max) while the rest of the room breathes. Per region and frame the median delivered
 *       depth; per region that series' coefficient of variation and largest frame-to-frame jump (frames in index
 *       order); the score is the worst region's.
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
     * A static region's stability: its per-frame median depth, metres as delivered (before any scale fit), and that
     * series' coefficient of variation and largest frame-to-frame jump.
     */
    public record StaticRegion(RoomScene.Surface surface, double cv, double largestJump, double[] medians) {}

    /**
     * A clip's scores. Errors are fractions (0.01 = 1 %); {@code staticCv} and {@code largestJump} are the worst
     * static region's.
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
            List<StaticRegion> regions) {

        /** The fewest frames any static region was measured in (a frame needs enough of its points). */
        public int staticFrames() {
            return regions.stream().mapToInt(r -> r.medians().length).min().orElse(0);
        }
    }

    /** The surfaces the static regions lie on. */
    static final RoomScene.Surface[] ROOM = {
        RoomScene.Surface.BACK_WALL, RoomScene.Surface.FLOOR, RoomScene.Surface.LEFT_WALL, RoomScene.Surface.RIGHT_WALL
    };

    /** A cell's static region: its index in {@link #ROOM}, or this when the ball covers it at some frame. */
    static final int MOVING = -1;

    private final RoomScene scene;
    private final Map<String, int[]> staticRegions = new HashMap<>();

    public CloudScorer(RoomScene scene) {
        this.scene = scene;
    }

    /** Scores {@code results} (any order); {@code fitScale}: relative output (one global scale fit). */
    public Score score(List<Delivered> results, boolean fitScale) {
        List<Delivered> ordered = new ArrayList<>(results);
        ordered.sort(Comparator.comparingLong(Delivered::frameIndex));
        // Pass 1: the truth/delivered ratios (for the scale) and each frame's static medians.
        FloatList ratios = new FloatList();
        List<List<Double>> medians = new ArrayList<>();
        for (int k = 0; k < ROOM.length; k++) {
            medians.add(new ArrayList<>());
        }
        long[] unmatched = {0};
        for (Delivered r : ordered) {
            FloatList[] staticDepths = new FloatList[ROOM.length];
            for (int k = 0; k < ROOM.length; k++) {
                staticDepths[k] = new FloatList();
            }
            unmatched[0] += match(r, (cell, d, x, y, truth, tx, ty, region) -> {
                ratios.add((float) (truth / d));
                if (region != MOVING) {
                    staticDepths[region].add((float) d);
                }
            });
            for (int k = 0; k < ROOM.length; k++) {
                if (staticDepths[k].size() >= MIN_STATIC_POINTS) {
                    medians.get(k).add(Percentile.of(staticDepths[k].values(), staticDepths[k].size(), 0.5));
                }
            }
        }
        List<StaticRegion> regions = new ArrayList<>();
        for (int k = 0; k < ROOM.length; k++) {
            double[] series =
                    medians.get(k).stream().mapToDouble(Double::doubleValue).toArray();
            if (series.length > 0) {
                regions.add(new StaticRegion(
                        ROOM[k], Stability.coefficientOfVariation(series), Stability.largestJump(series), series));
            }
        }
        double scale = fitScale && ratios.size() > 0 ? Percentile.of(ratios.values(), ratios.size(), 0.5) : 1;
        // Pass 2: the errors after the scale.
        FloatList depthErrors = new FloatList();
        FloatList pointErrors = new FloatList();
        for (Delivered r : ordered) {
            match(r, (cell, d, x, y, truth, tx, ty, region) -> {
                depthErrors.add((float) (Math.abs(scale * d - truth) / truth));
                double ex = scale * x - tx;
                double ey = scale * y - ty;
                double ez = scale * d - truth;
                pointErrors.add((float) Math.sqrt((ex * ex + ey * ey + ez * ez) / (tx * tx + ty * ty + truth * truth)));
            });
        }
        return new Score(
                ordered.size(),
                depthErrors.size(),
                unmatched[0],
                scale,
                regions.stream().mapToDouble(StaticRegion::cv).max().orElse(Double.NaN),
                regions.stream().mapToDouble(StaticRegion::largestJump).max().orElse(Double.NaN),
                Percentile.of(depthErrors.values(), depthErrors.size(), 0.5),
                Percentile.of(depthErrors.values(), depthErrors.size(), 0.9),
                Percentile.of(pointErrors.values(), pointErrors.size(), 0.5),
                Percentile.of(pointErrors.values(), pointErrors.size(), 0.9),
                List.copyOf(regions));
    }

    /**
     * One delivered point matched to its cell: delivered depth and x, y; the truth there; the cell's static region
     * (an index in {@link #ROOM}) or {@link #MOVING}.
     */
    @FunctionalInterface
    interface MatchedPoint {
        void accept(int cell, double d, double x, double y, double truth, double tx, double ty, int region);
    }

    /** Calls {@code out} for every point of {@code r} that traces back to a cell; returns how many did not. */
    long match(Delivered r, MatchedPoint out) {
        PointCloudMessage m = r.message();
        PointCloudMessage.Grid grid = m.grid();
        Intrinsics k = grid.intrinsics();
        int stride = grid.stride();
        int sw = (grid.width() + stride - 1) / stride;
        int sh = (grid.height() + stride - 1) / stride;
        int[] regions = staticRegions(grid.width(), grid.height(), stride);
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
            out.accept(j * sw + i, d, x, y, truth, dx * truth, dy * truth, regions[j * sw + i]);
        }
        return missed;
    }

    /**
     * Each cell's static region on a {@code width}×{@code height} grid sampled every {@code stride}: the index in
     * {@link #ROOM} of the surface it sees, or {@link #MOVING} when the ball covers it at some frame of the cycle.
     */
    int[] staticRegions(int width, int height, int stride) {
        return staticRegions.computeIfAbsent(width + "x" + height + "/" + stride, key -> {
            int sw = (width + stride - 1) / stride;
            int sh = (height + stride - 1) / stride;
            PinholeCamera camera = scene.camera();
            int[] regions = new int[sw * sh];
            for (int j = 0; j < sh; j++) {
                double t = (j * stride + 0.5) / height;
                for (int i = 0; i < sw; i++) {
                    double s = (i * stride + 0.5) / width;
                    boolean covered = false;
                    for (int f = 0; f < scene.cycleFrames() && !covered; f++) {
                        covered = scene.ballCovers(s, t, f, STATIC_MARGIN);
                    }
                    regions[j * sw + i] = covered
                            ? MOVING
                            : List.of(ROOM)
                                    .indexOf(RoomScene.trace(camera.rayX(s), camera.rayY(t), scene.ball(0))
                                            .surface());
                }
            }
            return regions;
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
