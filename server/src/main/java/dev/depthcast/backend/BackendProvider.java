package dev.depthcast.backend;

import dev.depthcast.config.Backend;
import java.util.Optional;

/**
 * A backend built outside the server jar — the TensorRT one, in {@code engines/tensorrt} — and
 * found at run time with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.depthcast.backend.BackendProvider}), the way DJL finds its engines.
 * The server's classpath holds no GPU jar unless such a module was put on it, so on a CPU machine
 * no native GPU class can load, by construction.
 */
public interface BackendProvider {

    /** The {@code --backend} value this provider serves. */
    Backend backend();

    /**
     * {@code --backend auto}: the pipeline when this machine can run it, else empty after one log
     * line saying why (the server then serves on the CPU). Opens device {@code spec.device()}.
     */
    Optional<DepthPipeline> openIfUsable(PipelineSpec spec);

    /**
     * {@code --backend NAME}: the pipeline on device {@code spec.device()}, or an exception whose
     * message is the reason. The server calls it once per device of {@code --devices}.
     */
    DepthPipeline open(PipelineSpec spec) throws Exception;

    /** How many devices this machine has for this backend ({@code --devices all}); 0 when none is usable. */
    default int deviceCount() {
        return 1;
    }
}
