package dev.depthcast.wire;

import dev.depthcast.metrics.FrameTimes;
import dev.depthcast.process.Intrinsics;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Schema 1 of {@link PointCloudMessage} (kept for one release, {@code --wire v1}): arrays as raw
 * little-endian binary, never lists (the seed's lesson 2: lists doubled the size and cost ms to
 * pack). Schema 2 is {@link CompactCodec}; {@link MessageDecoder} reads either.
 */
public final class PointCloudCodec {

    public static final int VERSION = 1;

    private PointCloudCodec() {
    }

    /** Encoded bytes, and how long encoding took (also stamped into the message's timing). */
    public record Encoded(byte[] bytes, double encodeMs) {
    }

    /**
     * Encodes {@code m} and stamps the time this takes into {@code m.timing()} (its encode time),
     * which goes on the wire too: the timing map goes last so only its few bytes are outside the
     * measurement.
     */
    public static Encoded encode(PointCloudMessage m) {
        long t0 = System.nanoTime();
        int n = m.count();
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(m.tagged() ? 19 : 18);
            p.packString("v").packInt(m.version());
            p.packString("seq").packLong(m.seq());
            p.packString("ts").packLong(m.timestampUs());
            p.packString("ingestUs").packLong(m.ingestEpochUs());
            p.packString("sentUs").packLong(m.sentEpochUs());
            p.packString("w").packInt(m.gridWidth());
            p.packString("h").packInt(m.gridHeight());
            p.packString("stride").packInt(m.stride());
            p.packString("n").packInt(n);
            ByteBuffer xyz = ByteBuffer.allocate(n * 3 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            xyz.asFloatBuffer().put(m.xyz(), 0, n * 3);
            p.packString("xyz").packBinaryHeader(xyz.capacity());
            p.writePayload(xyz.array());
            p.packString("rgb").packBinaryHeader(n * 3);
            p.writePayload(m.rgb(), 0, n * 3);
            return finish(p, m, t0);
        } catch (IOException e) {
            throw new IllegalStateException("msgpack encoding to memory failed", e);
        }
    }

    /**
     * Writes the fields every schema ends with — intr, range, batch, dropped, model, backend, the
     * optional tag and timing (whose encode time runs to here) — and returns the message.
     */
    static Encoded finish(MessageBufferPacker p, PointCloudMessage m, long t0) throws IOException {
        Intrinsics k = m.intrinsics();
        p.packString("intr").packMapHeader(5);
        p.packString("fx").packFloat(k.fx());
        p.packString("fy").packFloat(k.fy());
        p.packString("cx").packFloat(k.cx());
        p.packString("cy").packFloat(k.cy());
        p.packString("fov").packFloat(k.hfovDegrees());
        p.packString("range").packArrayHeader(2).packFloat(m.near()).packFloat(m.far());
        p.packString("batch").packInt(m.batch());
        p.packString("dropped").packLong(m.dropped());
        p.packString("model").packString(m.model());
        p.packString("backend").packString(m.backend());
        if (m.tagged()) {
            p.packString("tag").packInt(m.tag());
        }
        FrameTimes t = m.timing();
        double encodeMs = (System.nanoTime() - t0) / 1e6;
        t.encoded(encodeMs);
        p.packString("timing").packMapHeader(6);
        p.packString("ingest").packFloat((float) t.ingest());
        p.packString("queue").packFloat((float) t.queue());
        p.packString("preprocess").packFloat((float) t.preprocess());
        p.packString("inference").packFloat((float) t.inference());
        p.packString("unproject").packFloat((float) t.unproject());
        p.packString("encode").packFloat((float) encodeMs);
        return new Encoded(p.toByteArray(), encodeMs);
    }

    /** Decodes a message; unknown keys are skipped (forward compatible), missing required keys fail. */
    public static PointCloudMessage decode(byte[] bytes) throws IOException {
        try {
            return decodeUnchecked(bytes);
        } catch (MessagePackException e) {
            throw new IOException("malformed point-cloud message: " + e, e);
        }
    }

    private static PointCloudMessage decodeUnchecked(byte[] bytes) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            int entries = u.unpackMapHeader();
            int version = -1;
            long seq = 0;
            long ts = 0;
            long ingest = 0;
            long sent = 0;
            int w = 0;
            int h = 0;
            int stride = 0;
            int n = -1;
            float[] xyz = null;
            byte[] rgb = null;
            float[] intr = new float[5];
            float[] range = new float[2];
            double[] timing = new double[6];
            int batch = 0;
            long dropped = 0;
            String model = "";
            String backend = "";
            int tag = PointCloudMessage.NO_TAG;
            for (int i = 0; i < entries; i++) {
                String key = u.unpackString();
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
                    case "xyz" -> {
                        byte[] raw = u.readPayload(u.unpackBinaryHeader());
                        xyz = new float[raw.length / Float.BYTES];
                        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(xyz);
                    }
                    case "rgb" -> rgb = u.readPayload(u.unpackBinaryHeader());
                    case "intr" -> readFloats(u, new String[] {"fx", "fy", "cx", "cy", "fov"}, intr);
                    case "range" -> {
                        int len = u.unpackArrayHeader();
                        for (int j = 0; j < len; j++) {
                            float value = u.unpackFloat();
                            if (j < 2) {
                                range[j] = value;
                            }
                        }
                    }
                    case "timing" -> {
                        float[] f = new float[6];
                        readFloats(u, new String[] {"ingest", "queue", "preprocess", "inference", "unproject",
                                "encode"}, f);
                        for (int j = 0; j < 6; j++) {
                            timing[j] = f[j];
                        }
                    }
                    case "batch" -> batch = u.unpackInt();
                    case "dropped" -> dropped = u.unpackLong();
                    case "model" -> model = u.unpackString();
                    case "backend" -> backend = u.unpackString();
                    case "tag" -> tag = u.unpackInt();
                    default -> u.skipValue();
                }
            }
            if (version != VERSION) {
                throw new IOException("unsupported message version " + version + " (expected " + VERSION + ")");
            }
            if (n < 0 || xyz == null || rgb == null || xyz.length != n * 3 || rgb.length != n * 3) {
                throw new IOException("point arrays do not match n=" + n);
            }
            return new PointCloudMessage(version, seq, ts, ingest, sent, w, h, stride, n, xyz, rgb,
                    new Intrinsics(intr[0], intr[1], intr[2], intr[3], intr[4]), range[0], range[1],
                    FrameTimes.of(timing[0], timing[1], timing[2], timing[3], timing[4], timing[5]),
                    batch, dropped, model, backend, tag);
        }
    }

    static void readFloats(MessageUnpacker u, String[] keys, float[] into) throws IOException {
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
