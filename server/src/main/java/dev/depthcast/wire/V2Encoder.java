package dev.depthcast.wire;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.wire.GridCoder.ByteSink;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.zip.Deflater;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Writes schema 2 of docs/protocol.md: the same points as schema 1, in ~1.3 B a point instead of 15.
 * A point is its cell on the sampled depth grid (a validity bitmap: the grid is implied by
 * {@code w}, {@code h}, {@code stride}), its depth as a log-quantised integer (xyz follows exactly
 * from the cell, the depth and {@code intr}) and its colour as quantised YCbCr with chroma averaged
 * over blocks of cells. Depth, luma and chroma are coded by {@link GridCoder} and raw-deflated.
 * {@link V2Decoder} reads it back.
 *
 * <p>Not thread-safe: it reuses its buffers and its Deflater; the fan-out thread owns one.
 * {@link #close()} frees the native zlib state (the finaliser-free Deflater needs it).
 */
public final class V2Encoder implements AutoCloseable {

    public static final int VERSION = 2;

    /**
     * k in z = z0·exp(k·q): ln(1 + 2⁻¹⁰), steps of 0.098 % of depth, so the coded depth is within
     * 0.049 % of the true one (and xyz, which scale with it, too). As a float32: what the wire carries.
     */
    public static final float DEPTH_LOG_STEP = (float) Math.log1p(1.0 / 1024);

    /** Schema 2's own keys: level, cells, zq, depth, cq, luma, chroma. */
    private static final int SCHEMA_KEYS = 7;

    private final Deflater deflater;
    private final LongSupplier nanoClock;
    private final ByteSink residuals = new ByteSink();
    private byte[] packed = new byte[1 << 16];
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
     * fast (0.40 vs 0.77 ms) as level 1, which finds few repeats worth their cost. Timed on
     * {@link System#nanoTime()}.
     */
    public V2Encoder() {
        this.deflater = new Deflater(Deflater.BEST_SPEED, true);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        this.nanoClock = System::nanoTime;
    }

    /**
     * Deflate at zlib level {@code deflateLevel} (1..9), default strategy (LZ77 + Huffman); the
     * {@code encode} time read from {@code nanoClock} (ns, monotonic).
     */
    public V2Encoder(int deflateLevel, LongSupplier nanoClock) {
        this.deflater = new Deflater(deflateLevel, true);
        this.nanoClock = nanoClock;
    }

    /** {@link #encode(PointCloudMessage, ColourSteps)} with the default colour steps. */
    public EncodedMessage encode(PointCloudMessage m) {
        return encode(m, ColourSteps.DEFAULT);
    }

    /**
     * Encodes {@code m} (its xyz/rgb as the unprojector made them: row-major grid points); the
     * {@code encode} time it carries is how long this took.
     *
     * @throws IllegalArgumentException when a point does not sit on the sampled grid or the points
     *     are not in row-major order — which the unprojector never produces
     */
    public EncodedMessage encode(PointCloudMessage m, ColourSteps colour) {
        long t0 = nanoClock.getAsLong();
        PointCloudMessage.Grid grid = m.grid();
        CellGrid cells = CellGrid.of(grid.width(), grid.height(), grid.stride(), colour.chromaBlock());
        quantise(m, cells, colour);
        try (MessageBufferPacker pk = MessagePack.newDefaultBufferPacker()) {
            MessageHeader.writeHead(pk, VERSION, m, SCHEMA_KEYS);
            pk.packString("level").packInt(m.serving().level());
            pk.packString("cells");
            writeBitmap(pk, cells.cells());
            pk.packString("zq").packArrayHeader(2).packFloat(grid.near()).packFloat(DEPTH_LOG_STEP);
            residuals.reset();
            GridCoder.encode(depthQ, present, cells.columns(), cells.rows(), residuals);
            pk.packString("depth");
            writeDeflated(pk, residuals.bytes, residuals.length);
            pk.packString("cq")
                    .packArrayHeader(3)
                    .packInt(colour.luma())
                    .packInt(colour.chroma())
                    .packInt(colour.chromaBlock());
            residuals.reset();
            GridCoder.encode(lumaQ, present, cells.columns(), cells.rows(), residuals);
            pk.packString("luma");
            writeDeflated(pk, residuals.bytes, residuals.length);
            // Cb's grid, then Cr's: one deflate stream (docs/protocol.md).
            residuals.reset();
            GridCoder.encode(cbQ, blockPresent, cells.blockColumns(), cells.blockRows(), residuals);
            GridCoder.encode(crQ, blockPresent, cells.blockColumns(), cells.blockRows(), residuals);
            pk.packString("chroma");
            writeDeflated(pk, residuals.bytes, residuals.length);
            double encodeMs = MessageHeader.writeTail(pk, m, () -> (nanoClock.getAsLong() - t0) / 1e6);
            return new EncodedMessage(pk.toByteArray(), encodeMs);
        } catch (IOException e) {
            throw new IllegalStateException("msgpack encoding to memory failed", e);
        }
    }

    /**
     * Places each point in its cell and quantises it: {@link #present}, {@link #depthQ},
     * {@link #lumaQ} per cell, {@link #cbQ}/{@link #crQ} (block averages) and {@link #blockPresent}
     * per chroma block.
     */
    private void quantise(PointCloudMessage m, CellGrid cells, ColourSteps colour) {
        int sw = cells.columns();
        int sh = cells.rows();
        int cb = cells.chromaBlock();
        int bw = cells.blockColumns();
        int blocks = cells.blocks();
        ensureCells(cells.cells(), blocks);
        Arrays.fill(present, 0, cells.cells(), (byte) 0);
        Arrays.fill(cbSum, 0, blocks, 0f);
        Arrays.fill(crSum, 0, blocks, 0f);
        Arrays.fill(blockCount, 0, blocks, 0);

        Intrinsics k = m.grid().intrinsics();
        double fx = k.fx();
        double fy = k.fy();
        double cx = k.cx();
        double cy = k.cy();
        double logZ0 = Math.log(m.grid().near());
        double perStep = 1.0 / (double) DEPTH_LOG_STEP;
        double perStride = 1.0 / m.grid().stride();
        double lumaScale = 1.0 / colour.luma();
        int n = m.points().count();
        float[] xyz = m.points().xyz();
        byte[] rgb = m.points().rgb();
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
    }

    /** The validity bitmap, LSB first (unused bits of the last byte 0), raw-deflated. */
    private void writeBitmap(MessageBufferPacker pk, int cells) throws IOException {
        int bytes = (cells + 7) / 8;
        residuals.reset();
        residuals.reserve(bytes);
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

    @Override
    public void close() {
        deflater.end();
    }
}
