package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineManifestTest {

    static final String MANIFEST = """
            # written by scripts/build-engine.sh
            tensorrt=10.15.1
            compute_capability=8.9
            preset=depth-anything-v2
            input=378x504
            batch=1/4/8
            precision=fp16
            input_name=pixel_values
            """;

    @Test
    void readsWhatBuildEngineWrites(@TempDir Path dir) throws Exception {
        Path engine = dir.resolve("depth-anything-v2_378x504_fp16.engine");
        assertNull(EngineManifest.read(engine));
        Files.writeString(EngineManifest.pathFor(engine), MANIFEST);
        assertEquals(dir.resolve("depth-anything-v2_378x504_fp16.engine.properties"), EngineManifest.pathFor(engine));
        EngineManifest m = EngineManifest.read(engine);
        assertEquals(new EngineManifest("10.15.1", "8.9", "depth-anything-v2", 378, 504, 8, "fp16", null), m);
        assertEquals("sm_89", EngineManifest.sm(m.computeCapability()));
    }

    @Test
    void versionsMatchOnWhatTheManifestRecords() {
        assertTrue(EngineManifest.sameVersion("10.15.1", "10.15.1"));
        assertTrue(EngineManifest.sameVersion("10.15", "10.15.1"));
        assertFalse(EngineManifest.sameVersion("10.15.1", "10.15.2"));
        assertFalse(EngineManifest.sameVersion("10.14.1", "10.15.1"));
        assertFalse(EngineManifest.sameVersion("10.15.1", "10.15"));
    }

    @Test
    void malformedManifestsAreExplained() throws Exception {
        Properties p = new Properties();
        p.load(new java.io.StringReader(MANIFEST.replace("input=378x504", "input=big")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineManifest.parse(p, "m"))
                .getMessage()
                .contains("input=HxW"));
        p.remove("tensorrt");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineManifest.parse(p, "m"))
                .getMessage()
                .contains("'tensorrt'"));
    }

    @Test
    void whatTheBuilderWritesTheServerReadsBackModelHashIncluded(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path engine = dir.resolve("depth-anything-v2_378x504_int8.engine");
        EngineManifest m = new EngineManifest(
                "10.15.1", "9.0", "depth-anything-v2", 378, 504, 8, "int8", "3f2a9c0d1e2b" + "0".repeat(52));
        m.write(engine, 1, 4, "pixel_values", "da2.onnx");
        assertEquals(m, EngineManifest.read(engine));
        String text = java.nio.file.Files.readString(EngineManifest.pathFor(engine));
        assertTrue(
                text.contains("batch=1/4/8")
                        && text.contains("onnx=da2.onnx")
                        && text.contains("input_name=pixel_values"),
                text);
    }
}
