package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class GpuProbeTest {

    @Test
    void withoutDriverNodesTheNativeStagesAreNeverCalled() {
        ProbeFacts f = GpuProbe.probe(p -> false, () -> {
            throw new AssertionError("native probe called without a driver");
        });
        assertEquals(ProbeFacts.noDriverNodes(), f);
    }

    @Test
    void eitherDriverNodeLeadsToTheNativeStages() {
        for (String node : Set.of(GpuProbe.NVIDIACTL, GpuProbe.PROC_VERSION)) {
            AtomicInteger calls = new AtomicInteger();
            ProbeFacts f = GpuProbe.probe(node::equals, () -> {
                calls.incrementAndGet();
                return ProbeFacts.devices(1, "gpu", 8, 6);
            });
            assertEquals(1, calls.get());
            assertEquals(1, f.deviceCount());
        }
    }

    @Test
    void aNativeStageThatThrowsAnythingIsADriverMiss() {
        ProbeFacts f = GpuProbe.probe(p -> true, () -> {
            throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file");
        });
        assertTrue(f.driverNodes());
        assertTrue(f.driverError().contains("UnsatisfiedLinkError: libcuda.so.1"), f.driverError());
        assertFalse(BackendDecision.decide(f, java.util.Optional.empty(), null, null, 1, null)
                .gpu());
    }

    @Test
    void thisMachineHasNoDriverAndTheAnswerIsCached() {
        Assumptions.assumeFalse(
                Files.exists(Path.of(GpuProbe.NVIDIACTL)) || Files.exists(Path.of(GpuProbe.PROC_VERSION)),
                "this test is for the GPU-less machines of this project");
        ProbeFacts f = GpuProbe.system();
        assertFalse(f.driverNodes());
        assertSame(f, GpuProbe.system());
    }
}
