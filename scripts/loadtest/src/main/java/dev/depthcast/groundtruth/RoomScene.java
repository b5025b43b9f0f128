package dev.depthcast.groundtruth;

/**
 * The benchmark's world, in metres, in the camera's frame ({@link PinholeCamera}: at the origin, looking down −z):
 * a room — back wall at depth {@value #BACK_WALL_DEPTH}, floor {@value #CAMERA_HEIGHT} below the camera, side walls
 * at x = ±{@value #SIDE_WALL_X} — and a ball of radius {@value #BALL_RADIUS} that, over one cycle of
 * {@code cycleFrames} frames, comes from 3 m to 1.1 m (centre depth) in front of the camera while swaying sideways,
 * and goes back. Everything is analytic, so the true depth of any image point at any frame is exact, at any
 * resolution. The ball stays below the frame tag's strip (the top 12 % of the picture).
 *
 * <p>Depth is the distance along the optical axis (−z), as the server's unprojection takes it.
 */
public final class RoomScene {

    public static final double BACK_WALL_DEPTH = 4.0;
    public static final double CAMERA_HEIGHT = 1.2;
    public static final double SIDE_WALL_X = 2.0;
    public static final double BALL_RADIUS = 0.35;
    /** Centre depth of the ball: {@code MID − SWING·cos} over the cycle, from 3.0 m to 1.1 m and back. */
    static final double BALL_MID_DEPTH = 2.05;

    static final double BALL_SWING = 0.95;
    static final double BALL_SWAY_X = 0.45;
    static final double BALL_Y = -0.25;

    /** What a ray hit first. */
    public enum Surface {
        BACK_WALL,
        FLOOR,
        LEFT_WALL,
        RIGHT_WALL,
        BALL
    }

    /** The first surface along a ray, and its depth. */
    public record Hit(Surface surface, double depth) {}

    /** The ball at one frame: its centre and radius. */
    public record Ball(double x, double y, double z, double radius) {}

    private final PinholeCamera camera;
    private final int cycleFrames;

    public RoomScene(PinholeCamera camera, int cycleFrames) {
        if (cycleFrames < 2) {
            throw new IllegalArgumentException("the ball's cycle needs at least 2 frames, got " + cycleFrames);
        }
        this.camera = camera;
        this.cycleFrames = cycleFrames;
    }

    public PinholeCamera camera() {
        return camera;
    }

    /** Frames of one approach-and-recede cycle; the scene repeats after it. */
    public int cycleFrames() {
        return cycleFrames;
    }

    /** Where the ball is at frame {@code index} (any index: the motion repeats every cycle). */
    public Ball ball(long index) {
        double phase = 2 * Math.PI * Math.floorMod(index, cycleFrames) / cycleFrames;
        return new Ball(
                BALL_SWAY_X * Math.sin(phase), BALL_Y, -(BALL_MID_DEPTH + BALL_SWING * Math.cos(phase)), BALL_RADIUS);
    }

    /** The true depth at image point {@code (s, t)} at frame {@code index}. */
    public double depth(double s, double t, long index) {
        return trace(camera.rayX(s), camera.rayY(t), ball(index)).depth();
    }

    /** The first hit along the ray {@code λ·(dx, dy, −1)}, λ = depth. */
    public static Hit trace(double dx, double dy, Ball ball) {
        Surface surface = Surface.BACK_WALL;
        double depth = BACK_WALL_DEPTH;
        if (dy < 0 && CAMERA_HEIGHT / -dy < depth) {
            surface = Surface.FLOOR;
            depth = CAMERA_HEIGHT / -dy;
        }
        if (dx < 0 && SIDE_WALL_X / -dx < depth) {
            surface = Surface.LEFT_WALL;
            depth = SIDE_WALL_X / -dx;
        } else if (dx > 0 && SIDE_WALL_X / dx < depth) {
            surface = Surface.RIGHT_WALL;
            depth = SIDE_WALL_X / dx;
        }
        double toBall = ballDepth(dx, dy, ball, ball.radius());
        if (toBall < depth) {
            surface = Surface.BALL;
            depth = toBall;
        }
        return new Hit(surface, depth);
    }

    /**
     * Depth at which the ray {@code λ·(dx, dy, −1)} enters a sphere of {@code radius} around the ball's centre, or
     * +∞ when it misses: the smaller root of {@code |λd − c|² = r²}.
     */
    static double ballDepth(double dx, double dy, Ball ball, double radius) {
        double dd = dx * dx + dy * dy + 1;
        double dc = dx * ball.x() + dy * ball.y() - ball.z();
        double cc = ball.x() * ball.x() + ball.y() * ball.y() + ball.z() * ball.z();
        double disc = dc * dc - dd * (cc - radius * radius);
        if (disc < 0) {
            return Double.POSITIVE_INFINITY;
        }
        double near = (dc - Math.sqrt(disc)) / dd;
        return near > 0 ? near : Double.POSITIVE_INFINITY;
    }

    /** Whether a ball grown by {@code margin} metres covers image point {@code (s, t)} at frame {@code index}. */
    public boolean ballCovers(double s, double t, long index, double margin) {
        Ball b = ball(index);
        return Double.isFinite(ballDepth(camera.rayX(s), camera.rayY(t), b, b.radius() + margin));
    }

    /**
     * True depth on a {@code width}×{@code height} grid over the whole picture at frame {@code index}, row-major,
     * written into {@code out} from {@code offset}.
     */
    public void depthGrid(int width, int height, long index, float[] out, int offset) {
        Ball b = ball(index);
        double[] xs = new double[width];
        for (int u = 0; u < width; u++) {
            xs[u] = camera.rayX((u + 0.5) / width);
        }
        for (int v = 0; v < height; v++) {
            double dy = camera.rayY((v + 0.5) / height);
            int row = offset + v * width;
            for (int u = 0; u < width; u++) {
                out[row + u] = (float) trace(xs[u], dy, b).depth();
            }
        }
    }

    /** The nearest and farthest true depth the scene ever shows (the ball at its nearest; the back wall). */
    public double nearestDepth() {
        return BALL_MID_DEPTH - BALL_SWING - BALL_RADIUS;
    }

    public double farthestDepth() {
        return BACK_WALL_DEPTH;
    }
}
