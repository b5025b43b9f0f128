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

    /** Fills {@code into} with item {@code index} (one slice along the first axis). */
    interface Items {
        void write(int index, float[] into);
    }

    /** Writes {@code data} (row-major, {@code shape}) to {@code file}. */
    static void write(Path file, float[] data, int... shape) throws IOException {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (shape.length == 0 || count != data.length) {
            throw new IllegalArgumentException("shape holds " + count + " values, data " + data.length);
        }
        int per = shape[0] == 0 ? 0 : data.length / shape[0];
        write(file, (i, into) -> System.arraycopy(data, i * per, into, 0, per), shape);
    }

    /**
     * Writes {@code shape[0]} items, each the product of the other dimensions, asking for one at a
     * time: hundreds of preprocessed frames never sit in memory together.
     */
    static void write(Path file, Items items, int... shape) throws IOException {
        int per = 1;
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                per *= shape[i];
            }
            dims.append(shape[i]).append(", ");
        }
        String dict = String.format(
                Locale.ROOT,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }",
                dims.toString().trim());
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        float[] item = new float[per];
        ByteBuffer buf = ByteBuffer.allocate(per * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            byte[] h = header.getBytes(StandardCharsets.US_ASCII);
            out.write(h.length & 0xff);
            out.write(h.length >> 8);
            out.write(h);
            for (int i = 0; i < shape[0]; i++) {
                items.write(i, item);
                buf.clear();
                buf.asFloatBuffer().put(item);
                out.write(buf.array(), 0, per * Float.BYTES);
            }
        }
    }
}
