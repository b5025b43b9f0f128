package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.ingest.FrameTag;
import org.junit.jupiter.api.Test;

class RoomSceneTest {

    static final PinholeCamera CAMERA = new PinholeCamera(70, 640, 480);
    static final RoomScene SCENE = new RoomScene(CAMERA, 180);
    static final double TAN35 = Math.tan(Math.toRadians(35));

    @Test
    void aRayAboveTheBallAndBetweenTheWallsEndsOnTheBackWallAtItsDepth() {
        // s = 0.5: straight ahead; t = 0.2: up by 0.6 * tan 35 * 3/4 per metre, over the ball at frame 0.
        assertEquals(RoomScene.BACK_WALL_DEPTH, SCENE.depth(0.5, 0.2, 0), 1e-12);
    }

    @Test
    void aRayDownTowardsTheFloorMeetsItWhereItsDropEqualsTheCameraHeight() {
        double dy = 0.9 * TAN35 * 480 / 640; // t = 0.95: 2t - 1 = 0.9 of the half height, downwards
        assertEquals(1.2 / dy, SCENE.depth(0.5, 0.95, 0), 1e-9);
        assertEquals(
                RoomScene.Surface.FLOOR, RoomScene.trace(0, -dy, SCENE.ball(0)).surface());
    }

    @Test
    void aRayFarLeftMeetsTheLeftWallBeforeTheBackWall() {
        double dx = 0.96 * TAN35; // s = 0.02
        assertEquals(2.0 / dx, SCENE.depth(0.02, 0.5, 0), 1e-9);
        assertTrue(2.0 / dx < RoomScene.BACK_WALL_DEPTH);
        assertEquals(
                RoomScene.Surface.LEFT_WALL,
                RoomScene.trace(-dx, 0, SCENE.ball(0)).surface());
    }

    @Test
    void aRayThroughTheBallsCentreEntersItOneRadiusBeforeTheCentre() {
        // Frame 0: the ball is at its farthest, centre (0, -0.25, -3.0). Along the unit ray through the centre the
        // surface is |c| - r away; the ray (dx, dy, -1) has length |d| per metre of depth.
        assertBallCentreDepth(0, 0, -0.25, -3.0);
        // Half a cycle on: nearest, centre depth 1.1, straight ahead again (sin pi = 0).
        assertBallCentreDepth(90, 0, -0.25, -1.1);
    }

    private static void assertBallCentreDepth(long frame, double cx, double cy, double cz) {
        RoomScene.Ball ball = SCENE.ball(frame);
        assertEquals(cx, ball.x(), 1e-12);
        assertEquals(cy, ball.y(), 1e-12);
        assertEquals(cz, ball.z(), 1e-12);
        double s = CAMERA.column(cx, -cz);
        double t = CAMERA.row(cy, -cz);
        double dy = cy / -cz;
        double centreDistance = Math.sqrt(cx * cx + cy * cy + cz * cz);
        double rayLength = Math.sqrt(1 + dy * dy);
        double expected = (centreDistance - RoomScene.BALL_RADIUS) / rayLength;
        assertEquals(expected, SCENE.depth(s, t, frame), 1e-9);
        assertEquals(
                RoomScene.Surface.BALL,
                RoomScene.trace(CAMERA.rayX(s), CAMERA.rayY(t), ball).surface());
    }

    @Test
    void aRayJustPastTheBallsSilhouetteMissesIt() {
        RoomScene.Ball ball = SCENE.ball(0);
        // Sideways from the centre: the silhouette's half-angle is asin(r / |c|).
        double distance = Math.sqrt(ball.y() * ball.y() + ball.z() * ball.z());
        double half = Math.asin(RoomScene.BALL_RADIUS / distance);
        double inside = Math.tan(half * 0.99) * Math.sqrt(1 + Math.pow(ball.y() / ball.z(), 2));
        double outside = Math.tan(half * 1.01) * Math.sqrt(1 + Math.pow(ball.y() / ball.z(), 2));
        double dy = ball.y() / -ball.z();
        assertEquals(RoomScene.Surface.BALL, RoomScene.trace(inside, dy, ball).surface());
        assertEquals(
                RoomScene.Surface.BACK_WALL, RoomScene.trace(outside, dy, ball).surface());
    }

    @Test
    void theBallNeverEntersTheFrameTagStrip() {
        double strip = FrameTag.stripRows(480) / 480.0;
        for (int f = 0; f < SCENE.cycleFrames(); f++) {
            for (double s = 0; s <= 1; s += 0.01) {
                for (double t : new double[] {0, strip / 2, strip}) {
                    assertFalse(SCENE.ballCovers(s, t, f, 0.1), "frame " + f + " at " + s + ", " + t);
                }
            }
        }
    }

    @Test
    void theDepthGridSamplesEachCellAtItsCentre() {
        int w = 50;
        int h = 30;
        float[] grid = new float[5 + w * h];
        SCENE.depthGrid(w, h, 45, grid, 5);
        for (int[] cell : new int[][] {{0, 0}, {25, 15}, {49, 29}, {10, 27}}) {
            double s = (cell[0] + 0.5) / w;
            double t = (cell[1] + 0.5) / h;
            assertEquals((float) SCENE.depth(s, t, 45), grid[5 + cell[1] * w + cell[0]], 0f);
        }
    }

    @Test
    void theMotionRepeatsEveryCycle() {
        assertEquals(SCENE.ball(7), SCENE.ball(7 + 180));
        assertEquals(SCENE.ball(179), SCENE.ball(-1));
    }

    @Test
    void theCameraMapsPointsBackToTheImagePointsWhoseRaysTheyLieOn() {
        double s = 0.3;
        double t = 0.7;
        double depth = 2.5;
        assertEquals(s, CAMERA.column(CAMERA.rayX(s) * depth, depth), 1e-12);
        assertEquals(t, CAMERA.row(CAMERA.rayY(t) * depth, depth), 1e-12);
        assertEquals(TAN35, CAMERA.rayX(1), 1e-12);
        assertEquals(TAN35 * 0.75, CAMERA.rayY(0), 1e-12);
    }
}
