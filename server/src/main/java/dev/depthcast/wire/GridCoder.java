package dev.depthcast.wire;

import java.io.IOException;

/**
 * The lossless core of schema 2 (docs/protocol.md, "Grid coding"): integers on a W×H grid, row-major,
 * some cells present and some not. Each cell is predicted from its decoded left, upper and
 * upper-left neighbours by the median edge detector of LOCO-I/JPEG-LS; a present cell writes the
 * zigzag-varint of (value − prediction), an absent cell writes nothing and takes the prediction
 * as its value, so the next cells predict from something smooth. Encoder and decoder fill the
 * grid the same way, which is what keeps them in step.
 */
final class GridCoder {

    private GridCoder() {}

    /** Median edge detector over the grid as decoded so far; 0 for the first cell. */
    static int predict(int[] g, int at, int x, int y, int width) {
        if (y == 0) {
            return x == 0 ? 0 : g[at - 1];
        }
        if (x == 0) {
            return g[at - width];
        }
        int a = g[at - 1];
        int b = g[at - width];
        int c = g[at - width - 1];
        int max = Math.max(a, b);
        int min = Math.min(a, b);
        if (c >= max) {
            return min;
        }
        if (c <= min) {
            return max;
        }
        return a + b - c;
    }

    /**
     * Writes the residuals of the present cells ({@code present[cell] != 0}) and fills the absent
     * ones of {@code g} with their prediction. (The first row and column are unrolled out of the
     * inner loop: the same predictions as {@link #predict}, without its per-cell branches.)
     */
    static void encode(int[] g, byte[] present, int width, int height, ByteSink out) {
        out.reserve(5 * width * height);
        byte[] bytes = out.bytes;
        int length = out.length;
        for (int y = 0, at = 0; y < height; y++) {
            for (int x = 0; x < width; x++, at++) {
                int p;
                if (y == 0) {
                    p = x == 0 ? 0 : g[at - 1];
                } else if (x == 0) {
                    p = g[at - width];
                } else {
                    int a = g[at - 1];
                    int b = g[at - width];
                    int c = g[at - width - 1];
                    int max = a > b ? a : b;
                    int min = a > b ? b : a;
                    p = c >= max ? min : (c <= min ? max : a + b - c);
                }
                if (present[at] != 0) {
                    int z = zigzag(g[at] - p);
                    while ((z & ~0x7F) != 0) {
                        bytes[length++] = (byte) ((z & 0x7F) | 0x80);
                        z >>>= 7;
                    }
                    bytes[length++] = (byte) z;
                } else {
                    g[at] = p;
                }
            }
        }
        out.length = length;
    }

    /** Rebuilds {@code g} from the residuals in {@code in}; returns the bytes read. */
    static int decode(int[] g, byte[] present, int width, int height, byte[] in, int from, int end) throws IOException {
        int pos = from;
        for (int y = 0, at = 0; y < height; y++) {
            for (int x = 0; x < width; x++, at++) {
                int p;
                if (y == 0) {
                    p = x == 0 ? 0 : g[at - 1];
                } else if (x == 0) {
                    p = g[at - width];
                } else {
                    int a = g[at - 1];
                    int b = g[at - width];
                    int c = g[at - width - 1];
                    int max = a > b ? a : b;
                    int min = a > b ? b : a;
                    p = c >= max ? min : (c <= min ? max : a + b - c);
                }
                if (present[at] != 0) {
                    // Unsigned LEB128 of 32 bits: at most 5 bytes, the fifth at most 0x0F.
                    if (pos >= end) {
                        throw new IOException("residual stream ends early at cell " + at);
                    }
                    int b = in[pos++];
                    int value = b & 0x7F;
                    int shift = 7;
                    while (b < 0) {
                        if (pos >= end) {
                            throw new IOException("residual stream ends early at cell " + at);
                        }
                        if (shift > 28) {
                            throw new IOException("varint longer than 5 bytes at cell " + at);
                        }
                        b = in[pos++];
                        if (shift == 28 && (b & 0x70) != 0) {
                            throw new IOException("varint over 32 bits at cell " + at);
                        }
                        value |= (b & 0x7F) << shift;
                        shift += 7;
                    }
                    g[at] = p + unzigzag(value);
                } else {
                    g[at] = p;
                }
            }
        }
        return pos - from;
    }

    static int zigzag(int r) {
        return (r << 1) ^ (r >> 31);
    }

    static int unzigzag(int z) {
        return (z >>> 1) ^ -(z & 1);
    }

    /** A growable byte array: the residual stream being written. */
    static final class ByteSink {
        byte[] bytes = new byte[1 << 16];
        int length;

        void reset() {
            length = 0;
        }

        /** Room for {@code more} bytes after the current length. */
        void reserve(int more) {
            if (length + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }
}
