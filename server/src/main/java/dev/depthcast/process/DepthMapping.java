package dev.depthcast.process;

/**
 * How one frame's model output becomes metres, and what depth range its message reports
 * (docs/pipeline-math.md, "Depth mapping"). Three kinds: a relative model's frame mapped through
 * its own extent ({@link Unprojector.DepthRange}), through a session's stabiliser
 * ({@link StabilisedMapping}), or a metric model's metres as they are ({@link #METRIC}).
 */
public interface DepthMapping {

    /** Metres for one model output value; NaN marks an invalid one. */
    float metres(float value);

    /**
     * The range the message reports, given the extent of the frame's delivered points' depths (metres,
     * {@code zmin > zmax} when there are none). Every delivered depth must lie at or above its
     * near end: schema 2 quantises depth from it.
     */
    Range range(float zmin, float zmax, UnprojectParams params);

    /**
     * The difference between two neighbours' depths near {@code z} metres that the model's noise
     * alone explains (a few sigmas), so that the edge test does not take noise for an edge; 0 when
     * the noise is not known.
     */
    default float neighbourNoise(float z) {
        return 0f;
    }

    /** The stabiliser's state after this frame, or null when no stabiliser mapped it. */
    default StabiliserState stabiliser() {
        return null;
    }

    /** A depth range in metres. */
    record Range(float near, float far) {}

    /** A metric model's output: metres already; the range reported is the frame's true extent. */
    DepthMapping METRIC = new DepthMapping() {
        @Override
        public float metres(float value) {
            return Float.isFinite(value) && value > 0f ? value : Float.NaN;
        }

        @Override
        public Range range(float zmin, float zmax, UnprojectParams params) {
            return zmin <= zmax ? new Range(zmin, zmax) : new Range(params.near(), params.far());
        }
    };
}
