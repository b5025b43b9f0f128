package dev.depthcast.groundtruth;

/**
 * A pinhole camera at the origin looking down −z, x right and y up (the frame the server's points are in), with
 * square pixels on a {@code width}×{@code height} picture and a horizontal field of view. Image points are given as
 * {@code (s, t)} in [0, 1]², s from the left edge, t from the top edge: pixel {@code (x, y)}'s centre is
 * {@code ((x + 0.5) / width, (y + 0.5) / height)} at any resolution, as the server's resize and intrinsics take it.
 */
public record PinholeCamera(double hfovDegrees, int width, int height) {

    public PinholeCamera {
        if (!(hfovDegrees > 1 && hfovDegrees < 179)) {
            throw new IllegalArgumentException(
                    "horizontal field of view must be in (1, 179) degrees, got " + hfovDegrees);
        }
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("picture too small: " + width + "x" + height);
        }
    }

    /** tan(hfov / 2): the x of the ray through the right edge at depth 1. */
    public double tanHalfHfov() {
        return Math.tan(Math.toRadians(hfovDegrees) / 2);
    }

    /** The x of the ray through image column {@code s} at depth 1 (the ray is {@code (rayX, rayY, −1)}). */
    public double rayX(double s) {
        return (2 * s - 1) * tanHalfHfov();
    }

    /** The y of the ray through image row {@code t} at depth 1 (square pixels: the vertical extent follows the aspect). */
    public double rayY(double t) {
        return -(2 * t - 1) * tanHalfHfov() * height / width;
    }

    /** The image column {@code s} where a point at {@code x} and depth {@code depth} (> 0) appears. */
    public double column(double x, double depth) {
        return (x / depth / tanHalfHfov() + 1) / 2;
    }

    /** The image row {@code t} where a point at {@code y} and depth {@code depth} (> 0) appears. */
    public double row(double y, double depth) {
        return (1 - y / depth / (tanHalfHfov() * height / width)) / 2;
    }
}
