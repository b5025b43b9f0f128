package dev.depthcast;

import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.model.DepthOutput;

/**
 * Whether sessions get a depth stabiliser, and why not when they do not: decided once at start
 * from {@code --stabilize}, the model's output and the backend; logged, and shown in
 * {@code /api/stats} as {@code stabilize}.
 */
enum StabilisationChoice {
    /** Each session's relative depth is fitted to its reference. */
    ON("on"),
    /** {@code --stabilize off}: each frame maps through its own range. */
    OFF("off (--stabilize off): each frame maps through its own min/max"),
    /** A metric model: its metres are used as they are, nothing to align. */
    METRIC_OUTPUT("not needed: the model outputs metric depth");

    private final String description;

    StabilisationChoice(String description) {
        this.description = description;
    }

    static StabilisationChoice of(ServerConfig config, DepthPipeline pipeline) {
        if (pipeline.preset().output() == DepthOutput.METRIC) {
            return METRIC_OUTPUT;
        }
        if (!config.stabilize()) {
            return OFF;
        }
        return ON;
    }

    String description() {
        return description;
    }
}
