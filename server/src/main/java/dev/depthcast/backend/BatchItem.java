package dev.depthcast.backend;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.UnprojectParams;

/**
 * One client's frame in a batch, with that client's unprojection settings and its session's depth
 * stabiliser (null when the session has none: {@code --stabilize off}, a metric model, a backend
 * without one).
 */
public record BatchItem(I420Frame frame, UnprojectParams params, DepthStabiliser stabiliser) {

    /** An item whose depth no stabiliser maps. */
    public BatchItem(I420Frame frame, UnprojectParams params) {
        this(frame, params, null);
    }
}
