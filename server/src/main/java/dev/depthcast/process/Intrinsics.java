package dev.depthcast.process;

/** Pinhole intrinsics in depth-grid pixels (docs/pipeline-math.md). */
public record Intrinsics(float fx, float fy, float cx, float cy, float hfovDegrees) {

    /**
     * @param gridW depth grid width, @param gridH its height
     * @param srcW source frame width, @param srcH its height (for a resize that changes aspect)
     */
    public static Intrinsics of(int gridW, int gridH, int srcW, int srcH, float hfovDegrees) {
        float fx = (float) ((gridW / 2.0) / Math.tan(Math.toRadians(hfovDegrees) / 2.0));
        float fy = (float) (fx * ((double) gridH / gridW) * ((double) srcW / srcH));
        return new Intrinsics(fx, fy, gridW / 2f, gridH / 2f, hfovDegrees);
    }
}
