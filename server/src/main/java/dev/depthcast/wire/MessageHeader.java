package dev.depthcast.wire;

import dev.depthcast.process.Intrinsics;
import dev.depthcast.process.StabiliserState;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import java.io.IOException;
import java.util.function.DoubleSupplier;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * The keys both schemas share (docs/protocol.md), written and read in one place. A message is one
 * msgpack map: the head ({@code v} … {@code n}), the schema's own keys, then the tail
 * ({@code intr} … {@code timing}); {@code timing} goes last so that the encode time it carries
 * covers everything but its own few bytes.
 *
 * <p>An instance is the reading side: it collects the shared keys of one message as they come.
 */
final class MessageHeader {

    /** Keys in the head and the tail, without the optional {@code tag}. */
    private static final int SHARED_KEYS = 16;

    private static final String[] INTRINSICS = {"fx", "fy", "cx", "cy", "fov"};
    private static final String[] TIMING = {
        "ingest", "queue", "preprocess", "inference", "unproject", "encode", "stabilize"
    };

    private int version = -1;
    private long seq;
    private long ts;
    private long ingest;
    private long sent;
    private int width;
    private int height;
    private int stride;
    private int count = -1;
    private int batch;
    private long dropped;
    private String model = "";
    private String backend = "";
    private int tag = Origin.NO_TAG;
    private final float[] intrinsics = new float[INTRINSICS.length];
    private final float[] range = new float[2];
    /** By the position of their key in {@link #TIMING}; {@code stabilize} is NaN until read. */
    private final float[] timing = {0, 0, 0, 0, 0, 0, Float.NaN};

    private StabiliserState stab;

    /** Opens the map ({@code schemaKeys} of the schema's own to come) and writes the head. */
    static void writeHead(MessagePacker p, int version, PointCloudMessage m, int schemaKeys) throws IOException {
        p.packMapHeader(SHARED_KEYS + schemaKeys + (m.origin().tagged() ? 1 : 0) + (m.stab() != null ? 1 : 0));
        Origin o = m.origin();
        Grid g = m.grid();
        p.packString("v").packInt(version);
        p.packString("seq").packLong(o.seq());
        p.packString("ts").packLong(o.timestampUs());
        p.packString("ingestUs").packLong(o.ingestEpochUs());
        p.packString("sentUs").packLong(o.sentEpochUs());
        p.packString("w").packInt(g.width());
        p.packString("h").packInt(g.height());
        p.packString("stride").packInt(g.stride());
        p.packString("n").packInt(m.points().count());
    }

    /**
     * Writes the tail: intr, range, batch, dropped, model, backend, the optional tag and stab, and timing,
     * whose {@code encode} entry is {@code encodeMs} read just before it is written.
     *
     * @return the encode time written
     */
    static double writeTail(MessagePacker p, PointCloudMessage m, DoubleSupplier encodeMs) throws IOException {
        Intrinsics k = m.grid().intrinsics();
        p.packString("intr").packMapHeader(5);
        p.packString("fx").packFloat(k.fx());
        p.packString("fy").packFloat(k.fy());
        p.packString("cx").packFloat(k.cx());
        p.packString("cy").packFloat(k.cy());
        p.packString("fov").packFloat(k.hfovDegrees());
        p.packString("range")
                .packArrayHeader(2)
                .packFloat(m.grid().near())
                .packFloat(m.grid().far());
        Serving s = m.serving();
        p.packString("batch").packInt(s.batch());
        p.packString("dropped").packLong(s.dropped());
        p.packString("model").packString(s.model());
        p.packString("backend").packString(s.backend());
        if (m.origin().tagged()) {
            p.packString("tag").packInt(m.origin().tag());
        }
        StabiliserState stab = m.stab();
        if (stab != null) {
            p.packString("stab").packMapHeader(4);
            p.packString("scale").packDouble(stab.scale());
            p.packString("shift").packDouble(stab.shift());
            p.packString("resets").packLong(stab.resets());
            p.packString("failed").packLong(stab.failed());
        }
        Timing t = m.timing();
        boolean stabilized = !Double.isNaN(t.stabilize());
        double encode = encodeMs.getAsDouble();
        p.packString("timing").packMapHeader(stabilized ? 7 : 6);
        p.packString("ingest").packFloat((float) t.ingest());
        p.packString("queue").packFloat((float) t.queue());
        p.packString("preprocess").packFloat((float) t.preprocess());
        p.packString("inference").packFloat((float) t.inference());
        if (stabilized) {
            p.packString("stabilize").packFloat((float) t.stabilize());
        }
        p.packString("unproject").packFloat((float) t.unproject());
        p.packString("encode").packFloat((float) encode);
        return encode;
    }

    /** Reads the value of {@code key} when it is a shared key; false (nothing read) when it is not. */
    boolean read(String key, MessageUnpacker u) throws IOException {
        switch (key) {
            case "v" -> version = u.unpackInt();
            case "seq" -> seq = u.unpackLong();
            case "ts" -> ts = u.unpackLong();
            case "ingestUs" -> ingest = u.unpackLong();
            case "sentUs" -> sent = u.unpackLong();
            case "w" -> width = u.unpackInt();
            case "h" -> height = u.unpackInt();
            case "stride" -> stride = u.unpackInt();
            case "n" -> count = u.unpackInt();
            case "batch" -> batch = u.unpackInt();
            case "dropped" -> dropped = u.unpackLong();
            case "model" -> model = u.unpackString();
            case "backend" -> backend = u.unpackString();
            case "tag" -> tag = u.unpackInt();
            case "intr" -> readNamedFloats(u, INTRINSICS, intrinsics);
            case "range" -> {
                float[] r = readFloats(u, -1);
                System.arraycopy(r, 0, range, 0, Math.min(2, r.length));
            }
            case "timing" -> readNamedFloats(u, TIMING, timing);
            case "stab" -> stab = readStab(u);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The message's {@code v}; -1 when it had none. */
    int version() {
        return version;
    }

    /** The message's {@code n}; -1 when it had none. */
    int count() {
        return count;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    int stride() {
        return stride;
    }

    /** fx, fy, cx, cy, fov as read (0 when missing). */
    float intrinsic(int index) {
        return intrinsics[index];
    }

    /** The message read, with {@code points} and the schema's {@code level}. */
    PointCloudMessage message(Points points, int level) {
        return new PointCloudMessage(
                version,
                new Origin(seq, ts, ingest, sent, tag),
                new Grid(
                        width,
                        height,
                        stride,
                        new Intrinsics(intrinsics[0], intrinsics[1], intrinsics[2], intrinsics[3], intrinsics[4]),
                        range[0],
                        range[1]),
                points,
                new Timing(timing[0], timing[1], timing[2], timing[3], timing[6], timing[4], timing[5]),
                stab,
                new Serving(model, backend, batch, dropped, level));
    }

    /**
     * A binary value, checked against the bytes the message has left: a truncated or hostile
     * length fails before anything is allocated for it.
     */
    static byte[] readBinary(MessageUnpacker u, int messageLength) throws IOException {
        int length = u.unpackBinaryHeader();
        long left = messageLength - u.getTotalReadBytes();
        if (length > left) {
            throw new IOException("a binary value of " + length + " bytes, but the message has " + left + " left");
        }
        return u.readPayload(length);
    }

    /** An array of numbers; {@code expected} ≥ 0 checks its length. */
    static float[] readFloats(MessageUnpacker u, int expected) throws IOException {
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

    /** The {@code stab} map: scale, shift, resets, failed; other keys skipped. */
    private static StabiliserState readStab(MessageUnpacker u) throws IOException {
        double scale = 0;
        double shift = 0;
        long resets = 0;
        long failed = 0;
        int entries = u.unpackMapHeader();
        for (int i = 0; i < entries; i++) {
            switch (u.unpackString()) {
                case "scale" -> scale = u.unpackDouble();
                case "shift" -> shift = u.unpackDouble();
                case "resets" -> resets = u.unpackLong();
                case "failed" -> failed = u.unpackLong();
                default -> u.skipValue();
            }
        }
        return new StabiliserState(scale, shift, resets, failed);
    }

    /** A map of numbers into {@code into} by the position of their key in {@code keys}; other keys skipped. */
    private static void readNamedFloats(MessageUnpacker u, String[] keys, float[] into) throws IOException {
        int entries = u.unpackMapHeader();
        for (int i = 0; i < entries; i++) {
            String key = u.unpackString();
            int slot = -1;
            for (int j = 0; j < keys.length; j++) {
                if (keys[j].equals(key)) {
                    slot = j;
                }
            }
            if (slot < 0) {
                u.skipValue();
            } else {
                into[slot] = (float) u.unpackDouble();
            }
        }
    }
}
