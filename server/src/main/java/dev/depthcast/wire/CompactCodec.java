package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.GridCoder.ByteSink;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Schema 2 of docs/protocol.md: the same points as schema 1, in ~1.3 B a point instead of 15.
 * A point is its cell on the sampled depth grid (a validity bitmap: the grid is implied by
 * {@code w}, {@code h}, {@code stride}), its depth as a log-quantised integer (xyz follows exactly
 * from the cell, the depth and {@code intr}) and its colour as quantised YCbCr with chroma averaged
 * over 2×2 cells. Depth, luma and chroma are coded by {@link GridCoder} and raw-deflated.
 *
 * <p>Not thread-safe: it reuses its buffers and its Deflater/Inflater; one instance per thread
 * (the fan-out thread encodes, each client socket decodes). {@link #close()} frees the native zlib
 * state (the finaliser-free Deflater needs it).
 */
public final class CompactCodec implements AutoCloseable {

    public static final int VERSION = 2;

    /**
     * k in z = z0·exp(k·q): ln(1 + 2⁻¹⁰), steps of 0.098 % of depth, so the coded depth is within
     * 0.049 % of the true one (and xyz, which scale with it, too). As a float32: what the wire carries.
     */
    public static final float DEPTH_LOG_STEP = (float) Math.log1p(1.0 / 1024);

    /**
     * Colour quantisation: the luma step, the chroma step, and the chroma block (1: chroma per cell;
     * 2: averaged over 2×2 cells, for dense strides where neighbouring cells share the camera's own
     * 4:2:0 chroma sample anyway).
     */
    public record ColourSteps(int luma, int chroma, int chromaBlock) {
        public ColourSteps {
            if (luma < 1 || luma > 64 || chroma < 1 || chroma > 64) {
                throw new IllegalArgumentException("colour steps must be 1..64, got " + luma + ", " + chroma);
            }
            if (chromaBlock != 1 && chromaBlock != 2) {
                throw new IllegalArgumentException("chroma block must be 1 or 2, got " + chromaBlock);
            }
        }

        /** The same steps with the chroma block fit for {@code stride}: 2×2 at stride 1, per cell above. */
        public ColourSteps forStride(int stride) {
            return new ColourSteps(luma, chroma, stride == 1 ? 2 : 1);
        }
    }

    /** The default colour quality (PSNR and sizes measured in docs/protocol.md). */
    public static final ColourSteps DEFAULT_COLOUR = new ColourSteps(4, 4, 1);

    /** More colour levels than this (a malicious or broken message) are not tabulated. */
    private static final int MAX_DEPTH_CODES = 1 << 20;

    private final Deflater deflater;
    private final Inflater inflater = new Inflater(true);
    private final ByteSink residuals = new ByteSink();
    private byte[] packed = new byte[1 << 16];
    private byte[] inflated = new byte[1 << 16];
    private byte[] present = new byte[0];
    private byte[] blockPresent = new byte[0];
    private int[] depthQ = new int[0];
    private int[] lumaQ = new int[0];
    private int[] cbQ = new int[0];
    private int[] crQ = new int[0];
    private float[] cbSum = new float[0];
    private float[] crSum = new float[0];
    private int[] blockCount = new int[0];

    /**
     * Deflate with Huffman codes only ({@link Deflater#HUFFMAN_ONLY}), no LZ77 string matching: on
     * these residual streams both smaller (26.1 vs 30.9 kB on the camera scene) and about twice as
     * fast (0.40 vs 0.77 ms) as level 1, which finds few repeats worth their cost.
     */
    public CompactCodec() {
        this(Deflater.BEST_SPEED, Deflater.HUFFMAN_ONLY);
    }

    /** Deflate at zlib level {@code deflateLevel} (1..9), default strategy (LZ77 + Huffman). */
    public CompactCodec(int deflateLevel) {
        this(deflateLevel, Deflater.DEFAULT_STRATEGY);
    }

    private CompactCodec(int deflateLevel, int strategy) {
        this.deflater = new Deflater(deflateLevel, true);
        deflater.setStrategy(strategy);
    }

    /** {@link #encode(PointCloudMessage, ColourSteps)} with the default colour steps. */
    public PointCloudCodec.Encoded encode(PointCloudMessage m) {
        return encode(m, DEFAULT_COLOUR);
    }

    /**
     * Encodes {@code m} (its xyz/rgb as the unprojector made them: row-major grid points) and stamps
     * the encode time into {@code m.timing()}, like schema 1.
     *
     * @throws IllegalArgumentException when a point does not sit on the sampled grid or the points
     *     are not in row-major order — which the unprojector never produces
     */
    public PointCloudCodec.Encoded encode(PointCloudMessage m, ColourSteps colour) {
        long t0 = System.nanoTime();
        int n = m.count();
        int stride = m.stride();
        int sw = samples(m.gridWidth(), stride);
        int sh = samples(m.gridHeight(), stride);
        int cells = sw * sh;
        int cb = colour.chromaBlock();
        int bw = (sw + cb - 1) / cb;
        int bh = (sh + cb - 1) / cb;
        int blocks = bw * bh;
        ensureCells(cells, blocks);
        Arrays.fill(present, 0, cells, (byte) 0);
        Arrays.fill(cbSum, 0, blocks, 0f);
        Arrays.fill(crSum, 0, blocks, 0f);
        Arrays.fill(blockCount, 0, blocks, 0);

        Intrinsics k = m.intrinsics();
        double fx = k.fx();
        double fy = k.fy();
        double cx = k.cx();
        double cy = k.cy();
        double z0 = m.near();
        double logZ0 = Math.log(z0);
        double perStep = 1.0 / (double) DEPTH_LOG_STEP;
        double perStride = 1.0 / stride;
        double lumaScale = 1.0 / colour.luma();
        float[] xyz = m.xyz();
        byte[] rgb = m.rgb();
        int previous = -1;
        for (int p = 0; p < n; p++) {
            double d = -xyz[p * 3 + 2];
            if (!(d > 0) || d == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("point " + p + " has no positive finite depth: " + d);
            }
            // The unprojector's x = ((u + 0.5) - cx) / fx * d, inverted: u within ~1e-3 of a grid point.
            double perDepth = 1.0 / d;
            long i = Math.round((xyz[p * 3] * perDepth * fx + cx - 0.5) * perStride);
            long j = Math.round((-xyz[p * 3 + 1] * perDepth * fy + cy - 0.5) * perStride);
            if (i < 0 || i >= sw || j < 0 || j >= sh) {
                throw new IllegalArgumentException("point " + p + " is off the " + sw + "x" + sh + " grid");
            }
            int cell = (int) j * sw + (int) i;
            if (cell <= previous) {
                throw new IllegalArgumentException("point " + p + " is not in row-major order");
            }
            previous = cell;
            present[cell] = 1;
            depthQ[cell] = (int) Math.round((Math.log(d) - logZ0) * perStep);
            int r = rgb[p * 3] & 0xFF;
            int g = rgb[p * 3 + 1] & 0xFF;
            int b = rgb[p * 3 + 2] & 0xFF;
            float luma = 0.299f * r + 0.587f * g + 0.114f * b;
            lumaQ[cell] = (int) (luma * lumaScale + 0.5);
            int block = (int) (j / cb) * bw + (int) (i / cb);
            cbSum[block] += -0.168736f * r - 0.331264f * g + 0.5f * b;
            crSum[block] += 0.5f * r - 0.418688f * g - 0.081312f * b;
            blockCount[block]++;
        }
        for (int b = 0; b < blocks; b++) {
            int c = blockCount[b];
            blockPresent[b] = (byte) (c > 0 ? 1 : 0);
            if (c > 0) {
                cbQ[b] = Math.round(cbSum[b] / c / colour.chroma());
                crQ[b] = Math.round(crSum[b] / c / colour.chroma());
            }
        }

        try (MessageBufferPacker pk = MessagePack.newDefaultBufferPacker()) {
            pk.packMapHeader(m.tagged() ? 24 : 23);
            pk.packString("v").packInt(VERSION);
            pk.packString("seq").packLong(m.seq());
            pk.packString("ts").packLong(m.timestampUs());
            pk.packString("ingestUs").packLong(m.ingestEpochUs());
            pk.packString("sentUs").packLong(m.sentEpochUs());
            pk.packString("w").packInt(m.gridWidth());
            pk.packString("h").packInt(m.gridHeight());
            pk.packString("stride").packInt(stride);
            pk.packString("n").packInt(n);
            pk.packString("level").packInt(m.level());
            pk.packString("cells");
            writeBitmap(pk, cells);
            pk.packString("zq").packArrayHeader(2).packFloat(m.near()).packFloat(DEPTH_LOG_STEP);
            residuals.reset();
            GridCoder.encode(depthQ, present, sw, sh, residuals);
            pk.packString("depth");
            writeDeflated(pk, residuals.bytes, residuals.length);
            pk.packString("cq").packArrayHeader(3).packInt(colour.luma()).packInt(colour.chroma()).packInt(cb);
            residuals.reset();
            GridCoder.encode(lumaQ, present, sw, sh, residuals);
            pk.packString("luma");
            writeDeflated(pk, residuals.bytes, residuals.length);
            residuals.reset();
            GridCoder.encode(cbQ, blockPresent, bw, bh, residuals);
            GridCoder.encode(crQ, blockPresent, bw, bh, residuals);
            pk.packString("chroma");
            writeDeflated(pk, residuals.bytes, residuals.length);
            return PointCloudCodec.finish(pk, m, t0);
        } catch (IOException e) {
            throw new IllegalStateException("msgpack encoding to memory failed", e);
        }
    }

    /** The validity bitmap, LSB first, raw-deflated. */
    private void writeBitmap(MessageBufferPacker pk, int cells) throws IOException {
        int bytes = (cells + 7) / 8;
        residuals.reset();
        if (residuals.bytes.length < bytes) {
            residuals.bytes = new byte[bytes];
        }
        byte[] bits = residuals.bytes;
        Arrays.fill(bits, 0, bytes, (byte) 0);
        for (int c = 0; c < cells; c++) {
            if (present[c] != 0) {
                bits[c >> 3] |= (byte) (1 << (c & 7));
            }
        }
        writeDeflated(pk, bits, bytes);
    }

    private void writeDeflated(MessageBufferPacker pk, byte[] data, int length) throws IOException {
        deflater.reset();
        deflater.setInput(data, 0, length);
        deflater.finish();
        int size = 0;
        while (!deflater.finished()) {
            if (size == packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
            size += deflater.deflate(packed, size, packed.length - size);
        }
        pk.packBinaryHeader(size);
        pk.writePayload(packed, 0, size);
    }

    /**
     * Decodes a schema-2 message into points as schema 1 has them (xyz metres, rgb bytes).
     * Unknown keys are skipped; missing or inconsistent ones fail.
     */
    public PointCloudMessage decode(byte[] bytes) throws IOException {
        try {
            return decodeUnchecked(bytes);
        } catch (MessagePackException | DataFormatException | ArithmeticException e) {
            throw new IOException("malformed point-cloud message: " + e, e);
        }
    }

    private PointCloudMessage decodeUnchecked(byte[] bytes) throws IOException, DataFormatException {
        Fields f = new Fields();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int e = 0; e < entries; e++) {
                String key = u.unpackString();
                if (!f.read(key, u)) {
                    switch (key) {
                        case "level" -> f.level = u.unpackInt();
                        case "cells" -> f.cells = u.readPayload(u.unpackBinaryHeader());
                        case "zq" -> f.zq = Fields.floats(u, 2);
                        case "depth" -> f.depth = u.readPayload(u.unpackBinaryHeader());
                        case "cq" -> {
                            int len = u.unpackArrayHeader();
                            if (len != 3) {
                                throw new IOException("cq must have 3 entries, has " + len);
                            }
                            f.lumaStep = u.unpackInt();
                            f.chromaStep = u.unpackInt();
                            f.chromaBlock = u.unpackInt();
                        }
                        case "luma" -> f.luma = u.readPayload(u.unpackBinaryHeader());
                        case "chroma" -> f.chroma = u.readPayload(u.unpackBinaryHeader());
                        default -> u.skipValue();
                    }
                }
            }
        }
        if (f.version != VERSION) {
            throw new IOException("unsupported message version " + f.version + " (expected " + VERSION + ")");
        }
        if (f.cells == null || f.zq == null || f.depth == null || f.luma == null || f.chroma == null
                || f.lumaStep < 1 || f.chromaStep < 1 || f.chromaBlock < 1 || f.chromaBlock > 2) {
            throw new IOException("schema-2 message lacks cells, zq, depth, cq, luma or chroma");
        }
        if (f.stride < 1 || f.w < 1 || f.h < 1 || (long) f.w * f.h > 1 << 26 || f.n < 0) {
            throw new IOException("bad grid " + f.w + "x" + f.h + " stride " + f.stride + " n " + f.n);
        }
        int sw = samples(f.w, f.stride);
        int sh = samples(f.h, f.stride);
        int cells = sw * sh;
        int cb = f.chromaBlock;
        int bw = (sw + cb - 1) / cb;
        int bh = (sh + cb - 1) / cb;
        ensureCells(cells, bw * bh);

        int bitmapBytes = (cells + 7) / 8;
        int got = inflate(f.cells, bitmapBytes + 1);
        if (got != bitmapBytes) {
            throw new IOException("cells bitmap has " + got + " bytes, grid needs " + bitmapBytes);
        }
        int count = 0;
        Arrays.fill(blockPresent, 0, bw * bh, (byte) 0);
        for (int j = 0, c = 0; j < sh; j++) {
            int blockRow = (j / cb) * bw;
            for (int i = 0; i < sw; i++, c++) {
                byte bit = (byte) ((inflated[c >> 3] >> (c & 7)) & 1);
                present[c] = bit;
                if (bit != 0) {
                    count++;
                    blockPresent[blockRow + i / cb] = 1;
                }
            }
        }
        if (count != f.n) {
            throw new IOException("cells bitmap holds " + count + " points, n says " + f.n);
        }
        readGrid(f.depth, depthQ, present, sw, sh, "depth");
        readGrid(f.luma, lumaQ, present, sw, sh, "luma");
        int chromaLength = inflate(f.chroma, -1);
        int used = GridCoder.decode(cbQ, blockPresent, bw, bh, inflated, 0, chromaLength);
        used += GridCoder.decode(crQ, blockPresent, bw, bh, inflated, used, chromaLength);
        if (used != chromaLength) {
            throw new IOException("chroma stream has " + (chromaLength - used) + " bytes left over");
        }

        // Depth per code from a table: fewer exp() calls than points, and the same values in every decoder.
        int qMin = Integer.MAX_VALUE;
        int qMax = Integer.MIN_VALUE;
        for (int c = 0; c < cells; c++) {
            if (present[c] != 0) {
                qMin = Math.min(qMin, depthQ[c]);
                qMax = Math.max(qMax, depthQ[c]);
            }
        }
        double z0 = f.zq[0];
        double step = f.zq[1];
        double[] depthOf = null;
        if (count > 0 && (long) qMax - qMin < MAX_DEPTH_CODES) {
            depthOf = new double[qMax - qMin + 1];
            for (int q = qMin; q <= qMax; q++) {
                depthOf[q - qMin] = z0 * Math.exp(step * q);
            }
        }
        float[] xyz = new float[f.n * 3];
        byte[] rgb = new byte[f.n * 3];
        double fx = f.intr[0];
        double fy = f.intr[1];
        double cx = f.intr[2];
        double cy = f.intr[3];
        // ((i*stride + 0.5) - cx) / fx per column, once: the same operations as per point.
        double[] xOfColumn = new double[sw];
        for (int i = 0; i < sw; i++) {
            xOfColumn[i] = ((i * f.stride + 0.5) - cx) / fx;
        }
        int p = 0;
        for (int j = 0, c = 0; j < sh; j++) {
            double yOfRow = -((j * f.stride + 0.5) - cy) / fy;
            int blockRow = (j / cb) * bw;
            for (int i = 0; i < sw; i++, c++) {
                if (present[c] == 0) {
                    continue;
                }
                int q = depthQ[c];
                double z = depthOf != null ? depthOf[q - qMin] : z0 * Math.exp(step * q);
                int at = p * 3;
                xyz[at] = (float) (xOfColumn[i] * z);
                xyz[at + 1] = (float) (yOfRow * z);
                xyz[at + 2] = (float) -z;
                int block = blockRow + i / cb;
                double y = (double) lumaQ[c] * f.lumaStep;
                double blue = (double) cbQ[block] * f.chromaStep;
                double red = (double) crQ[block] * f.chromaStep;
                rgb[at] = channel(y + 1.402 * red);
                rgb[at + 1] = channel(y - 0.344136 * blue - 0.714136 * red);
                rgb[at + 2] = channel(y + 1.772 * blue);
                p++;
            }
        }
        return new PointCloudMessage(f.version, f.seq, f.ts, f.ingest, f.sent, f.w, f.h, f.stride, f.n, xyz, rgb,
                new Intrinsics(f.intr[0], f.intr[1], f.intr[2], f.intr[3], f.intr[4]), f.range[0], f.range[1],
                f.timing(), f.batch, f.dropped, f.model, f.backend, f.tag, f.level);
    }

    /**
     * floor(v + 0.5) clamped to 0..255, the rounding docs/protocol.md specifies. The int cast
     * truncates toward zero, not down, but only where the result is negative and clamps to 0 anyway.
     */
    static byte channel(double v) {
        int r = (int) (v + 0.5);
        return (byte) (r < 0 ? 0 : (r > 255 ? 255 : r));
    }

    private void readGrid(byte[] deflated, int[] grid, byte[] mask, int width, int height, String what)
            throws IOException, DataFormatException {
        int length = inflate(deflated, -1);
        int used = GridCoder.decode(grid, mask, width, height, inflated, 0, length);
        if (used != length) {
            throw new IOException(what + " stream has " + (length - used) + " bytes left over");
        }
    }

    /**
     * Inflates into {@link #inflated}; returns the length. {@code limit} (if ≥ 0) stops a stream
     * that would be longer than expected. Residual streams are at most 5 bytes a cell.
     */
    private int inflate(byte[] deflated, int limit) throws IOException, DataFormatException {
        inflater.reset();
        inflater.setInput(deflated);
        int size = 0;
        int cap = limit >= 0 ? limit : 5 * present.length + 64;
        while (!inflater.finished()) {
            if (size == inflated.length) {
                if (inflated.length >= cap) {
                    throw new IOException("a deflated stream inflates to more than " + cap + " bytes");
                }
                inflated = Arrays.copyOf(inflated, Math.min(cap, inflated.length * 2));
            }
            int got = inflater.inflate(inflated, size, inflated.length - size);
            size += got;
            if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                throw new IOException("a deflated stream is truncated");
            }
        }
        return size;
    }

    private void ensureCells(int cells, int blocks) {
        if (present.length < cells) {
            present = new byte[cells];
            depthQ = new int[cells];
            lumaQ = new int[cells];
        }
        if (blockPresent.length < blocks) {
            blockPresent = new byte[blocks];
            cbQ = new int[blocks];
            crQ = new int[blocks];
            cbSum = new float[blocks];
            crSum = new float[blocks];
            blockCount = new int[blocks];
        }
    }

    static int samples(int size, int stride) {
        return (size + stride - 1) / stride;
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
    }

    /** The keys schema 2 shares with schema 1, as read. */
    private static final class Fields {
        int version = -1;
        long seq;
        long ts;
        long ingest;
        long sent;
        int w;
        int h;
        int stride;
        int n = -1;
        int level;
        int tag = PointCloudMessage.NO_TAG;
        int batch;
        long dropped;
        String model = "";
        String backend = "";
        float[] intr = new float[5];
        float[] range = new float[2];
        float[] timing = new float[6];
        byte[] cells;
        float[] zq;
        byte[] depth;
        byte[] luma;
        byte[] chroma;
        int lumaStep;
        int chromaStep;
        int chromaBlock;

        /** Reads a common key; false when {@code key} is not one. */
        boolean read(String key, MessageUnpacker u) throws IOException {
            switch (key) {
                case "v" -> version = u.unpackInt();
                case "seq" -> seq = u.unpackLong();
                case "ts" -> ts = u.unpackLong();
                case "ingestUs" -> ingest = u.unpackLong();
                case "sentUs" -> sent = u.unpackLong();
                case "w" -> w = u.unpackInt();
                case "h" -> h = u.unpackInt();
                case "stride" -> stride = u.unpackInt();
                case "n" -> n = u.unpackInt();
                case "batch" -> batch = u.unpackInt();
                case "dropped" -> dropped = u.unpackLong();
                case "model" -> model = u.unpackString();
                case "backend" -> backend = u.unpackString();
                case "tag" -> tag = u.unpackInt();
                case "intr" -> PointCloudCodec.readFloats(u, new String[] {"fx", "fy", "cx", "cy", "fov"}, intr);
                case "range" -> {
                    float[] r = floats(u, -1);
                    System.arraycopy(r, 0, range, 0, Math.min(2, r.length));
                }
                case "timing" -> PointCloudCodec.readFloats(u, new String[] {"ingest", "queue", "preprocess",
                        "inference", "unproject", "encode"}, timing);
                default -> {
                    return false;
                }
            }
            return true;
        }

        FrameTimes timing() {
            return FrameTimes.of(timing[0], timing[1], timing[2], timing[3], timing[4], timing[5]);
        }

        /** An array of numbers; {@code expected} ≥ 0 checks its length. */
        static float[] floats(MessageUnpacker u, int expected) throws IOException {
            int len = u.unpackArrayHeader();
            if (expected >= 0 && len != expected) {
                throw new IOException("expected an array of " + expected + " numbers, got " + len);
            }
            float[] out = new float[len];
            for (int i = 0; i < len; i++) {
                out[i] = (float) u.unpackDouble();
            }
            return out;
        }
    }
}
