package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.Backend;
import dev.depthcast.config.ServerConfig;

/** Run in a fresh JVM by {@link TensorRtBackendTest}: {@code --backend auto} on this machine, nothing else. */
public final class CpuPathMain {

    private CpuPathMain() {}

    public static void main(String[] args) throws Exception {
        try (DepthPipeline p =
                Backends.open(ServerConfig.builder().backend(Backend.AUTO).build())) {
            System.out.println("BACKEND " + p.backendName());
        }
    }
}
