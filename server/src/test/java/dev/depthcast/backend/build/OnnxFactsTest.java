package dev.depthcast.backend.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's identity (the engine cache key) and whether it is already quantized. */
class OnnxFactsTest {

    @TempDir
    Path dir;

    @Test
    void modelFactsHashTheFileAndFindQdqNodesAcrossReadBoundaries() throws Exception {
        Path plain = dir.resolve("plain.onnx");
        Files.write(plain, "no quantization here".getBytes(StandardCharsets.US_ASCII));
        OnnxFacts f = OnnxFacts.of(plain);
        // sha256("no quantization here"), as `printf 'no quantization here' | sha256sum` prints it
        assertEquals(
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest("no quantization here".getBytes(StandardCharsets.US_ASCII))),
                f.sha256());
        assertFalse(f.quantized());
        byte[] big = new byte[(1 << 16) + 100];
        byte[] op = "DequantizeLinear".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(op, 0, big, (1 << 16) - 7, op.length); // split across the 64 KiB read
        Path qdq = dir.resolve("qdq.onnx");
        Files.write(qdq, big);
        assertTrue(OnnxFacts.of(qdq).quantized());
        // The repository's generated models have none.
        assertFalse(
                OnnxFacts.of(Path.of("src/main/resources/models/relief.onnx")).quantized());
    }
}
