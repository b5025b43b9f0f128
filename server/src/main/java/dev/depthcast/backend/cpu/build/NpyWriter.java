package dev.depthcast.backend.cpu.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A float32 array in NumPy's {@code .npy} format (version 1.0: magic, little-endian header length,
 * a Python dict literal padded to 64 bytes, then the data), the form the quantizer's calibration
 * reader maps with {@code numpy.load}: how preprocessed frames cross from Java to Python unchanged.
 */
final class NpyWriter {

    private NpyWriter() {}

    /** Writes {@code data} (row-major, {@code shape}) to {@code file}. */
    static void write(Path file, float[] data, int... shape) throws IOException {
        long count = 1;
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            count *= d;
            dims.append(d).append(", ");
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape holds " + count + " values, data " + data.length);
        }
        String dict = String.format(
                Locale.ROOT,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }",
                dims.toString().trim());
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            byte[] h = header.getBytes(StandardCharsets.US_ASCII);
            out.write(h.length & 0xff);
            out.write(h.length >> 8);
            out.write(h);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
