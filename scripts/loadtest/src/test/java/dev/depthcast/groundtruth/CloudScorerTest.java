package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.PointCloudMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class CloudScorerTest {

    static final RoomScene SCENE = new RoomScene(new PinholeCamera(70, 640, 480), 12);
    static final int W = 168;
    static final int H = 126;
    static final int STRIDE = 3;

    @Test
    void theTruthItselfScoresNoErrorAndHoldsStill() {
        CloudScorer.Score s = new CloudScorer(SCENE).score(clip(70, f -> 1), false);
        assertEquals(12, s.frames());
        assertEquals(0, s.unmatched());
        assertEquals(56 * 42 * 12, s.points());
        assertEquals(0, s.depthErrorP90(), 1e-5);
        assertEquals(0, s.pointErrorP90(), 1e-5);
        assertEquals(0, s.staticCv(), 1e-6);
        assertEquals(0, s.largestJump(), 1e-6);
        assertEquals(12, s.staticFrames());
        assertEquals(4, s.regions().size(), "back wall, floor and both side walls");
    }

    @Test
    void relativeDepthIsScoredAfterOneScaleFitPerClip() {
        List<CloudScorer.Delivered> scaled = clip(70, f -> 1.3);
        CloudScorer.Score fitted = new CloudScorer(SCENE).score(scaled, true);
        assertEquals(1 / 1.3, fitted.scale(), 1e-5);
        assertEquals(0, fitted.depthErrorP90(), 1e-5);
        assertEquals(0, fitted.pointErrorP90(), 1e-5);
        CloudScorer.Score asDelivered = new CloudScorer(SCENE).score(scaled, false);
        assertEquals(0.3, asDelivered.depthErrorMedian(), 1e-5);
    }

    @Test
    void aWrongFieldOfViewBendsThePointsButNotTheirDepth() {
        CloudScorer.Score s = new CloudScorer(SCENE).score(clip(60, f -> 1), false);
        assertEquals(0, s.unmatched(), "cells are found through the intrinsics the message carries");
        assertEquals(0, s.depthErrorP90(), 1e-5);
        // x and y shrink by tan 30 / tan 35 = 0.82: up to 18 % of the lateral offset.
        assertTrue(s.pointErrorMedian() > 0.03, "median point error " + s.pointErrorMedian());
        assertTrue(s.pointErrorP90() > 0.08 && s.pointErrorP90() < 0.18, "p90 point error " + s.pointErrorP90());
    }

    @Test
    void aBreathingRoomShowsInTheStaticSeries() {
        // Every other frame the whole picture is 10 % deeper: medians 1, 1.1, 1, 1.1, ... times the truth.
        CloudScorer.Score s = new CloudScorer(SCENE).score(clip(70, f -> f % 2 == 0 ? 1 : 1.1), false);
        assertEquals(0.1, s.largestJump(), 1e-5);
        assertEquals(0.05 / 1.05, s.staticCv(), 1e-5);
    }

    @Test
    void aRoomThatBreathesBehindAPinnedBackWallShowsInItsOtherSurfaces() {
        // As a per-frame min/max does with the farthest surface: the back wall stays, all else moves 10 %.
        CloudScorer.Score s =
                new CloudScorer(SCENE).score(clip(70, (f, truth) -> truth > 3.99 || f % 2 == 0 ? 1 : 1.1), false);
        assertEquals(0.1, s.largestJump(), 1e-5);
        CloudScorer.StaticRegion back = s.regions().stream()
                .filter(r -> r.surface() == RoomScene.Surface.BACK_WALL)
                .findFirst()
                .orElseThrow();
        assertEquals(0, back.largestJump(), 1e-6);
    }

    @Test
    void theStaticRegionsLeaveOutEveryCellTheBallCoversAndSplitTheRestBySurface() {
        int[] regions = new CloudScorer(SCENE).staticRegions(W, H, STRIDE);
        int sw = 56;
        for (int f = 0; f < 12; f++) {
            RoomScene.Ball b = SCENE.ball(f);
            int i = (int) (SCENE.camera().column(b.x(), -b.z()) * W / STRIDE);
            int j = (int) (SCENE.camera().row(b.y(), -b.z()) * H / STRIDE);
            assertEquals(CloudScorer.MOVING, regions[j * sw + i], "the ball's centre at frame " + f);
        }
        assertEquals(List.of(CloudScorer.ROOM).indexOf(RoomScene.Surface.LEFT_WALL), regions[0], "top left");
        assertEquals(List.of(CloudScorer.ROOM).indexOf(RoomScene.Surface.RIGHT_WALL), regions[sw - 1], "top right");
        assertEquals(List.of(CloudScorer.ROOM).indexOf(RoomScene.Surface.BACK_WALL), regions[sw / 2], "top middle");
        for (int k = 0; k < CloudScorer.ROOM.length; k++) {
            int region = k;
            assertTrue(
                    java.util.Arrays.stream(regions).filter(r -> r == region).count() > 50, CloudScorer.ROOM[k].name());
        }
    }

    /**
     * One cycle of clouds as the server's unprojection makes them from true depth times {@code factor(frame)},
     * with intrinsics for {@code hfov} (every cell valid, row-major).
     */
    static List<CloudScorer.Delivered> clip(double hfov, IntToDoubleFunction factor) {
        return clip(hfov, (f, truth) -> factor.applyAsDouble(f));
    }

    /** As {@link #clip(double, IntToDoubleFunction)}, the factor also given each cell's true depth. */
    static List<CloudScorer.Delivered> clip(double hfov, java.util.function.BiFunction<Integer, Float, Double> factor) {
        Intrinsics k = Intrinsics.of(W, H, 640, 480, (float) hfov);
        List<CloudScorer.Delivered> out = new ArrayList<>();
        int sw = (W + STRIDE - 1) / STRIDE;
        int sh = (H + STRIDE - 1) / STRIDE;
        float[] depth = new float[W * H];
        for (int f = 0; f < SCENE.cycleFrames(); f++) {
            SCENE.depthGrid(W, H, f, depth, 0);
            float[] xyz = new float[sw * sh * 3];
            int n = 0;
            for (int j = 0; j < sh; j++) {
                for (int i = 0; i < sw; i++) {
                    int u = i * STRIDE;
                    int v = j * STRIDE;
                    float d = (float) (depth[v * W + u] * factor.apply(f, depth[v * W + u]));
                    xyz[n * 3] = ((u + 0.5f) - k.cx()) / k.fx() * d;
                    xyz[n * 3 + 1] = -((v + 0.5f) - k.cy()) / k.fy() * d;
                    xyz[n * 3 + 2] = -d;
                    n++;
                }
            }
            PointCloudMessage m = new PointCloudMessage(
                    2,
                    new PointCloudMessage.Origin(f, 0, 0, 0, f),
                    new PointCloudMessage.Grid(W, H, STRIDE, k, 0.4f, 4f),
                    new PointCloudMessage.Points(n, xyz, new byte[n * 3]),
                    new PointCloudMessage.Timing(0, 0, 0, 0, 0, 0),
                    new PointCloudMessage.Serving("depth-anything-v2", "truth", 1, 0, 0));
            out.add(new CloudScorer.Delivered(f, m));
        }
        return out;
    }
}
