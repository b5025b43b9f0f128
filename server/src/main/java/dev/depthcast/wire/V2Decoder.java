package dev.depthcast.wire;

import dev.depthcast.wire.PointCloudMessage.Points;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads schema 2 (see {@link V2Encoder}) into points as schema 1 has them (xyz metres, rgb bytes),
 * in steps: the keys, the validity bitmap, the depth/luma/chroma grids, then the reconstruction of
 * each point. Unknown keys are skipped; missing, inconsistent or malformed ones fail with an
 * {@link IOException}.
 *
 * <p>Not thread-safe: it reuses its buffers and its Inflater; one per client socket or thread.
 * {@link #close()} frees the native zlib state.
 */
public final class V2Decoder implements AutoCloseable {

    /** More distinct depth codes than this (a malicious or broken message) are not tabulated. */
    private static final int MAX_DEPTH_CODES = 1 << 20;
    /** The largest grid a message may claim, in depth pixels. */
    private static final long MAX_GRID_PIXELS = 1 << 26;

    private final Inflater inflater = new Inflater(true);
    private byte[] inflated = new byte[1 << 16];
    private byte[] present = new byte[0];
    private byte[] blockPresent = new byte[0];
    private int[] depthQ = new int[0];
    private int[] lumaQ = new int[0];
    private int[] cbQ = new int[0];
    private int[] crQ = new int[0];

    /** The keys of one message, as read. */
    private static final class Fields {
        final MessageHeader header = new MessageHeader();
        int level;
        byte[] cells;
        float[] zq;
        byte[] depth;
        byte[] luma;
        byte[] chroma;
        int lumaStep;
        int chromaStep;
        int chromaBlock;
        boolean dense;
    }

    public PointCloudMessage decode(byte[] bytes) throws IOException {
        try {
            Fields f = readFields(bytes);
            if (f.dense) {
                // A dense session's metadata: its points are in the video frame (docs/protocol.md).
                return f.header.message(new Points(0, new float[0], new byte[0]), f.level);
            }
            CellGrid cells = checkedGrid(f);
            ensureCells(cells.cells(), cells.blocks());
            int count = readBitmap(f, cells);
            readGrids(f, cells);
            return f.header.message(reconstruct(f, cells, count), f.level);
        } catch (MessagePackException | DataFormatException | ArithmeticException e) {
            throw new IOException("malformed point-cloud message: " + e, e);
        }
    }

    private static Fields readFields(byte[] bytes) throws IOException {
        Fields f = new Fields();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            for (int e = 0; e < entries; e++) {
                String key = u.unpackString();
                if (f.header.read(key, u)) {
                    continue;
                }
                switch (key) {
                    case "level" -> f.level = u.unpackInt();
                    case "cells" -> f.cells = MessageHeader.readBinary(u, bytes.length);
                    case "zq" -> f.zq = MessageHeader.readFloats(u, 2);
                    case "depth" -> f.depth = MessageHeader.readBinary(u, bytes.length);
                    case "cq" -> {
                        int len = u.unpackArrayHeader();
                        if (len != 3) {
                            throw new IOException("cq must have 3 entries, has " + len);
                        }
                        f.lumaStep = u.unpackInt();
                        f.chromaStep = u.unpackInt();
                        f.chromaBlock = u.unpackInt();
                    }
                    case "luma" -> f.luma = MessageHeader.readBinary(u, bytes.length);
                    case "chroma" -> f.chroma = MessageHeader.readBinary(u, bytes.length);
                    case "dense" -> {
                        f.dense = true;
                        u.skipValue();
                    }
                    default -> u.skipValue();
                }
            }
        }
        return f;
    }

    /** The message's cells, once its keys are all there and describe a grid. */
    private static CellGrid checkedGrid(Fields f) throws IOException {
        MessageHeader h = f.header;
        if (h.version() != V2Encoder.VERSION) {
            throw new IOException(
                    "unsupported message version " + h.version() + " (expected " + V2Encoder.VERSION + ")");
        }
        if (f.cells == null
                || f.zq == null
                || f.depth == null
                || f.luma == null
                || f.chroma == null
                || f.lumaStep < 1
                || f.chromaStep < 1
                || f.chromaBlock < 1
                || f.chromaBlock > 2) {
            throw new IOException("schema-2 message lacks cells, zq, depth, cq, luma or chroma");
        }
        if (h.stride() < 1
                || h.width() < 1
                || h.height() < 1
                || (long) h.width() * h.height() > MAX_GRID_PIXELS
                || h.count() < 0) {
            throw new IOException(
                    "bad grid " + h.width() + "x" + h.height() + " stride " + h.stride() + " n " + h.count());
        }
        return CellGrid.of(h.width(), h.height(), h.stride(), f.chromaBlock);
    }

    /** Fills {@link #present} and {@link #blockPresent} from the bitmap; returns the points it holds. */
    private int readBitmap(Fields f, CellGrid cells) throws IOException, DataFormatException {
        int bitmapBytes = (cells.cells() + 7) / 8;
        int got = inflate(f.cells, bitmapBytes + 1);
        if (got != bitmapBytes) {
            throw new IOException("cells bitmap has " + got + " bytes, grid needs " + bitmapBytes);
        }
        int sw = cells.columns();
        int cb = cells.chromaBlock();
        int bw = cells.blockColumns();
        int count = 0;
        Arrays.fill(blockPresent, 0, cells.blocks(), (byte) 0);
        for (int j = 0, c = 0; j < cells.rows(); j++) {
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
        if (count != f.header.count()) {
            throw new IOException("cells bitmap holds " + count + " points, n says " + f.header.count());
        }
        return count;
    }

    /** Decodes {@link #depthQ} and {@link #lumaQ} per cell, {@link #cbQ} and {@link #crQ} per block. */
    private void readGrids(Fields f, CellGrid cells) throws IOException, DataFormatException {
        readGrid(f.depth, depthQ, cells, "depth");
        readGrid(f.luma, lumaQ, cells, "luma");
        int bw = cells.blockColumns();
        int bh = cells.blockRows();
        int length = inflate(f.chroma, -1);
        int used = GridCoder.decode(cbQ, blockPresent, bw, bh, inflated, 0, length);
        used += GridCoder.decode(crQ, blockPresent, bw, bh, inflated, used, length);
        if (used != length) {
            throw new IOException("chroma stream has " + (length - used) + " bytes left over");
        }
    }

    private void readGrid(byte[] deflated, int[] grid, CellGrid cells, String what)
            throws IOException, DataFormatException {
        int length = inflate(deflated, -1);
        int used = GridCoder.decode(grid, present, cells.columns(), cells.rows(), inflated, 0, length);
        if (used != length) {
            throw new IOException(what + " stream has " + (length - used) + " bytes left over");
        }
    }

    /** Each present cell's point: xyz from its cell, depth code and the intrinsics; rgb from its YCbCr. */
    private Points reconstruct(Fields f, CellGrid cells, int count) {
        int sw = cells.columns();
        int sh = cells.rows();
        int cb = cells.chromaBlock();
        int bw = cells.blockColumns();
        int stride = f.header.stride();
        // Depth per code from a table: fewer exp() calls than points, and the same values in every decoder.
        int qMin = Integer.MAX_VALUE;
        int qMax = Integer.MIN_VALUE;
        for (int c = 0; c < cells.cells(); c++) {
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
        float[] xyz = new float[count * 3];
        byte[] rgb = new byte[count * 3];
        double fx = f.header.intrinsic(0);
        double fy = f.header.intrinsic(1);
        double cx = f.header.intrinsic(2);
        double cy = f.header.intrinsic(3);
        // ((i*stride + 0.5) - cx) / fx per column, once: the same operations as per point.
        double[] xOfColumn = new double[sw];
        for (int i = 0; i < sw; i++) {
            xOfColumn[i] = ((i * stride + 0.5) - cx) / fx;
        }
        int p = 0;
        for (int j = 0, c = 0; j < sh; j++) {
            double yOfRow = -((j * stride + 0.5) - cy) / fy;
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
        return new Points(count, xyz, rgb);
    }

    /**
     * floor(v + 0.5) clamped to 0..255, the rounding docs/protocol.md specifies. The int cast
     * truncates toward zero, not down, but only where the result is negative and clamps to 0 anyway.
     */
    static byte channel(double v) {
        int r = (int) (v + 0.5);
        return (byte) (r < 0 ? 0 : (r > 255 ? 255 : r));
    }

    /**
     * Inflates into {@link #inflated}; returns the length. {@code limit} (if ≥ 0) stops a stream
     * that would be longer than expected. Residual streams are at most 5 bytes a cell. Bytes after
     * the stream's final block are ignored.
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
            // An empty stream (no present cell) finishes on a call that inflates nothing.
            if (got == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
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
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
