package dev.depthcast.backend.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the builder needs to know of an ONNX file before TensorRT parses it: its SHA-256 (the
 * engine cache key and manifest) and whether it carries explicit quantization
 * (QuantizeLinear/DequantizeLinear nodes: a Q/DQ model builds as INT8 without a calibrator, the
 * way TensorRT 10 prefers). ONNX stores an op type as a plain UTF-8 protobuf string, so a byte
 * search finds the node types without a protobuf library.
 */
public record OnnxFacts(String sha256, boolean quantized) {

    private static final byte[] QDQ = "DequantizeLinear".getBytes(StandardCharsets.US_ASCII);

    public static OnnxFacts of(Path onnx) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        boolean quantized = false;
        byte[] tail = new byte[QDQ.length - 1];
        int tailLength = 0;
        try (InputStream in = Files.newInputStream(onnx)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                if (!quantized) {
                    // Search across the buffer boundary too: the tail of the last read, then this read.
                    byte[] window = new byte[tailLength + n];
                    System.arraycopy(tail, 0, window, 0, tailLength);
                    System.arraycopy(buf, 0, window, tailLength, n);
                    quantized = indexOf(window, QDQ) >= 0;
                    tailLength = Math.min(tail.length, window.length);
                    System.arraycopy(window, window.length - tailLength, tail, 0, tailLength);
                }
            }
        }
        return new OnnxFacts(HexFormat.of().formatHex(sha.digest()), quantized);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
