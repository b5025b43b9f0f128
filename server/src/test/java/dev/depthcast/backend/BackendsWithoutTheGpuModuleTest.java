package dev.depthcast.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.Backend;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.StartupException;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The server on its own classpath, as on a CPU machine: no GPU backend module, so no provider and
 * no GPU class at all. (With the module, engines/tensorrt's TensorRtBackendTest covers the probe.)
 */
class BackendsWithoutTheGpuModuleTest {

    @Test
    void noProviderAndNoGpuClassOnTheServersClasspath() {
        assertTrue(ServiceLoader.load(BackendProvider.class).findFirst().isEmpty());
        for (String gpuClass : new String[] {
            "jcuda.driver.JCudaDriver",
            "org.bytedeco.tensorrt.global.nvinfer",
            "dev.depthcast.backend.tensorrt.TensorRtBackend"
        }) {
            assertThrows(
                    ClassNotFoundException.class,
                    () -> Class.forName(gpuClass, false, getClass().getClassLoader()),
                    gpuClass);
        }
    }

    @Test
    void autoServesOnTheCpuAndTensorrtSaysHowToGetTheModule() throws Exception {
        try (DepthPipeline p =
                Backends.open(ServerConfig.builder().backend(Backend.AUTO).build())) {
            assertEquals("cpu-onnxruntime", p.backendName());
        }
        StartupException e = assertThrows(
                StartupException.class,
                () -> Backends.open(
                        ServerConfig.builder().backend(Backend.TENSORRT).build()));
        assertEquals(
                "--backend tensorrt: " + Backends.NO_GPU_MODULE + ": on this machine pass --backend auto (falls back "
                        + "to the CPU) or cpu",
                e.getMessage());
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("mvn -pl engines/tensorrt -am package"));
    }
}
