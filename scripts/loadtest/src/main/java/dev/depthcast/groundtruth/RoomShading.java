package dev.depthcast.groundtruth;

/**
 * The room's colours, so that the picture is camera-like (edges, texture, shading at every depth) rather than flat:
 * a brick back wall, a plank floor, plastered side walls with a dado stripe, a red-and-cream chequered ball lit from
 * the upper left. Deterministic; colours are 0..255 RGB.
 */
final class RoomShading {

    private static final double BRICK_HEIGHT = 0.25;
    private static final double BRICK_LENGTH = 0.5;
    private static final double MORTAR = 0.02;
    private static final double PLANK_WIDTH = 0.3;
    /** Light direction (unit), from the upper left and behind the camera. */
    private static final double[] LIGHT = unit(-0.4, 0.6, 0.7);

    private RoomShading() {}

    /** The colour seen along the ray {@code λ·(dx, dy, −1)} at the ball's position {@code ball}, into rgb[at..at+2]. */
    static void shade(double dx, double dy, RoomScene.Ball ball, float[] rgb, int at) {
        RoomScene.Hit hit = RoomScene.trace(dx, dy, ball);
        double d = hit.depth();
        double x = dx * d;
        double y = dy * d;
        double z = -d;
        switch (hit.surface()) {
            case BACK_WALL -> brick(x, y, rgb, at);
            case FLOOR -> plank(x, z, rgb, at);
            case LEFT_WALL, RIGHT_WALL -> plaster(z, y, hit.surface() == RoomScene.Surface.LEFT_WALL, rgb, at);
            case BALL -> ball(x, y, z, ball, rgb, at);
        }
        // Light falls off a little with distance: depth cues a camera also sees.
        float dim = (float) (1.15 - 0.08 * d);
        rgb[at] *= dim;
        rgb[at + 1] *= dim;
        rgb[at + 2] *= dim;
    }

    private static void brick(double x, double y, float[] rgb, int at) {
        int row = (int) Math.floor(y / BRICK_HEIGHT);
        double shifted = x + (row & 1) * BRICK_LENGTH / 2;
        int col = (int) Math.floor(shifted / BRICK_LENGTH);
        double inY = y - row * BRICK_HEIGHT;
        double inX = shifted - col * BRICK_LENGTH;
        if (inY < MORTAR || inX < MORTAR) {
            set(rgb, at, 205, 200, 190);
            return;
        }
        double tone = 0.75 + 0.35 * hash(row, col) + 0.12 * noise(x * 9, y * 9);
        set(rgb, at, 175 * tone, 92 * tone, 70 * tone);
    }

    private static void plank(double x, double z, float[] rgb, int at) {
        int plank = (int) Math.floor(x / PLANK_WIDTH);
        double inX = x - plank * PLANK_WIDTH;
        if (inX < 0.01) {
            set(rgb, at, 60, 40, 25);
            return;
        }
        double grain = 0.08 * Math.sin((z + 3 * hash(plank, 7)) * 23 + 4 * noise(x * 6, z * 2));
        double tone = 0.8 + 0.3 * hash(plank, 3) + grain;
        set(rgb, at, 160 * tone, 118 * tone, 78 * tone);
    }

    private static void plaster(double z, double y, boolean left, float[] rgb, int at) {
        double tone = 0.9 + 0.15 * noise(z * 5, y * 5);
        if (Math.abs(y + 0.3) < 0.06) {
            set(rgb, at, 70 * tone, 90 * tone, 140 * tone); // dado stripe
        } else if (left) {
            set(rgb, at, 140 * tone, 185 * tone, 170 * tone);
        } else {
            set(rgb, at, 190 * tone, 180 * tone, 135 * tone);
        }
    }

    private static void ball(double x, double y, double z, RoomScene.Ball ball, float[] rgb, int at) {
        double nx = (x - ball.x()) / ball.radius();
        double ny = (y - ball.y()) / ball.radius();
        double nz = (z - ball.z()) / ball.radius();
        double lon = Math.atan2(nx, nz);
        double lat = Math.asin(Math.max(-1, Math.min(1, ny)));
        boolean red = ((int) Math.floor(lon / (Math.PI / 4)) + (int) Math.floor(lat / (Math.PI / 6)) & 1) == 0;
        double lambert = Math.max(0, nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2]);
        double light = 0.35 + 0.75 * lambert;
        if (red) {
            set(rgb, at, 200 * light, 45 * light, 40 * light);
        } else {
            set(rgb, at, 225 * light, 215 * light, 175 * light);
        }
    }

    private static void set(float[] rgb, int at, double r, double g, double b) {
        rgb[at] = (float) r;
        rgb[at + 1] = (float) g;
        rgb[at + 2] = (float) b;
    }

    /** A value in [0, 1) fixed by two integers. */
    static double hash(int a, int b) {
        long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Smooth value noise in [0, 1): bilinear between lattice hashes. */
    static double noise(double x, double y) {
        int ix = (int) Math.floor(x);
        int iy = (int) Math.floor(y);
        double fx = x - ix;
        double fy = y - iy;
        double sx = fx * fx * (3 - 2 * fx);
        double sy = fy * fy * (3 - 2 * fy);
        double top = hash(ix, iy) + (hash(ix + 1, iy) - hash(ix, iy)) * sx;
        double bottom = hash(ix, iy + 1) + (hash(ix + 1, iy + 1) - hash(ix, iy + 1)) * sx;
        return top + (bottom - top) * sy;
    }

    private static double[] unit(double x, double y, double z) {
        double n = Math.sqrt(x * x + y * y + z * z);
        return new double[] {x / n, y / n, z / n};
    }
}
