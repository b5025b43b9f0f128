package dev.depthcast.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.Backends;
import dev.depthcast.model.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's CPU arena keeps the memory of the largest batch it ran; an idle release gives it
 * back, or a server that once served a burst would hold that memory for good (the soak's "after"
 * RSS checks it). Measured on this process's RSS with the embedded model.
 */
class OnnxRuntimeArenaTest {

    static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void anIdleReleaseGivesBackWhatABurstGrewAndTheModelStillAnswersTheSame() throws Exception {
        byte[] model;
        try (var in = Backends.class.getResourceAsStream(Backends.EMBEDDED_MODEL)) {
            model = in.readAllBytes();
        }
        Preset p = Preset.RELIEF;
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(model, "relief.onnx", p, 2)) {
            float[] input = new float[8 * 3 * p.inputPixels()];
            for (int i = 0; i < input.length; i++) {
                input[i] = (i % 251) / 251f;
            }
            float[] before = m.infer(input, 1).data().clone();
            for (int i = 0; i < 3; i++) {
                m.infer(input, 8); // a burst: the arena grows to batch 8
            }
            long grown = rssMb();
            m.releaseIdleMemory();
            long released = rssMb();
            assertEquals(1, m.arenaShrinks());
            assertTrue(
                    grown - released >= 64,
                    "RSS " + grown + " MB after batch 8, " + released
                            + " MB after the idle release: at least 64 MB back (~200 MB measured)");

            m.releaseIdleMemory();
            assertEquals(1, m.arenaShrinks(), "nothing ran since: no second blank run");
            float[] after = m.infer(input, 1).data();
            float[] first = java.util.Arrays.copyOf(after, before.length);
            assertArrayEquals(
                    java.util.Arrays.copyOf(before, p.inputPixels()),
                    java.util.Arrays.copyOf(first, p.inputPixels()),
                    "same depth for the same image after the shrink");
        }
    }
}
