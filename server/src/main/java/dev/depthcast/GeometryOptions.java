package dev.depthcast;

import dev.depthcast.process.UnprojectParams;
import picocli.CommandLine.Option;

/**
 * How the depth grid becomes points ({@code --stride}, {@code --fov}, {@code --near}, {@code --far},
 * {@code --edge}), as a picocli mixin of {@link ServeCommand}, and the {@link UnprojectParams} they
 * describe. Each default is the {@code UnprojectParams.DEFAULT_*} of {@link UnprojectParams#DEFAULT}.
 */
final class GeometryOptions {

    @Option(
            names = "--stride",
            defaultValue = "" + UnprojectParams.DEFAULT_STRIDE,
            description = "sampling step on the depth grid: 3 gives ~21k points at 378x504 (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(
            names = "--fov",
            defaultValue = "" + UnprojectParams.DEFAULT_HFOV_DEGREES,
            description = "camera horizontal field of view, degrees (default: ${DEFAULT-VALUE})")
    float fov;

    @Option(
            names = "--near",
            defaultValue = "" + UnprojectParams.DEFAULT_NEAR,
            description = "metres the nearest thing maps to (default: ${DEFAULT-VALUE})")
    float near;

    @Option(
            names = "--far",
            defaultValue = "" + UnprojectParams.DEFAULT_FAR,
            description = "metres the farthest thing maps to (default: ${DEFAULT-VALUE})")
    float far;

    @Option(
            names = "--edge",
            defaultValue = "" + UnprojectParams.DEFAULT_EDGE,
            description =
                    "drop points whose depth jumps more than this fraction to a neighbour; 0 keeps all (default: ${DEFAULT-VALUE})")
    float edge;

    /** @throws IllegalArgumentException when a value is out of its range */
    UnprojectParams toUnprojectParams() {
        return new UnprojectParams(stride, fov, near, far, edge);
    }
}
