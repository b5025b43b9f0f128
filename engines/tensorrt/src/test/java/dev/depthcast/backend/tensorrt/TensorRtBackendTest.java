package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineSpec;
import dev.depthcast.config.Backend;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.config.StartupException;
import dev.depthcast.model.Preset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On this GPU-less machine: {@code --backend auto} serves on the CPU, {@code --backend tensorrt}
 * fails fast with the probe's message, and the CPU path loads no JCuda or JavaCPP class at all.
 */
class TensorRtBackendTest {

    static final String NO_DRIVER = "no CUDA driver (/dev/nvidiactl and /proc/driver/nvidia/version missing)";

    @BeforeAll
    static void onlyWithoutAGpu() {
        Assumptions.assumeFalse(
                Files.exists(Path.of(GpuProbe.NVIDIACTL)) || Files.exists(Path.of(GpuProbe.PROC_VERSION)),
                "these tests are for the GPU-less machines of this project");
    }

    @Test
    void autoFallsBackToTheCpuWithTheReason() throws Exception {
        ServerConfig config = ServerConfig.builder().backend(Backend.AUTO).build();
        assertEquals(new BackendDecision(false, NO_DRIVER), TensorRtBackend.decide(PipelineSpec.of(config, 0)));
        try (DepthPipeline p = Backends.open(config)) {
            assertEquals("cpu-onnxruntime", p.backendName());
        }
    }

    @Test
    void tensorrtFailsFastWithTheSameMessage() {
        ServerConfig config = ServerConfig.builder().backend(Backend.TENSORRT).build();
        StartupException e = assertThrows(StartupException.class, () -> Backends.open(config));
        assertEquals(
                "--backend tensorrt: " + NO_DRIVER + ": on this machine pass --backend auto (falls back to the CPU) "
                        + "or cpu",
                e.getMessage());
    }

    @Test
    void defaultEnginePathIsWhatBuildEngineWrites() {
        assertEquals(
                Path.of("engines", "depth-anything-v2_378x504_fp16.engine"),
                TensorRtBackend.enginePath(PipelineSpec.of(
                        ServerConfig.builder().preset(Preset.DEPTH_ANYTHING_V2).build(), 0)));
        assertEquals("relief_378x504_fp16.engine", TensorRtBackend.defaultEngineName(Preset.RELIEF));
    }

    @Test
    void theCpuPathLoadsNoCudaOrJavaCppClass() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-Xlog:class+load=info",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CpuPathMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("BACKEND cpu-onnxruntime"), out);
        assertTrue(out.contains(NO_DRIVER + ": using the CPU backend"), "the one log line");
        assertTrue(out.contains(" dev.depthcast.backend.tensorrt.TensorRtBackend "), "class+load logging works");
        List<String> gpuClasses = out.lines()
                .filter(l -> l.contains("[class,load]"))
                .filter(l -> l.contains(" jcuda.")
                        || l.contains(" org.bytedeco.")
                        || l.contains(".CudaDriver")
                        || l.contains(".TrtEngine")
                        || l.contains(".NativeProbe")
                        || l.contains(".TensorRtPipeline"))
                .toList();
        assertEquals(List.of(), gpuClasses);
    }
}
