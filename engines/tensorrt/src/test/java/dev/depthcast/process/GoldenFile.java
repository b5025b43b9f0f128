package dev.depthcast.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The golden-vector container shared with kernels/test/host_parity.cpp (format in
 * kernels/golden/README.md): "DCG1", u32 record count, then records of
 * {u8 name length, name, u8 type 'b' | 'i' | 'f', u32 element count, little-endian data}.
 */
final class GoldenFile {

    private final Map<String, Object> records = new LinkedHashMap<>();

    GoldenFile bytes(String name, byte[] v) {
        records.put(name, v.clone());
        return this;
    }

    GoldenFile ints(String name, int... v) {
        records.put(name, v.clone());
        return this;
    }

    GoldenFile floats(String name, float... v) {
        records.put(name, v.clone());
        return this;
    }

    byte[] bytes(String name) {
        return (byte[]) get(name);
    }

    int[] ints(String name) {
        return (int[]) get(name);
    }

    int integer(String name) {
        return ints(name)[0];
    }

    float[] floats(String name) {
        return (float[]) get(name);
    }

    float real(String name) {
        return floats(name)[0];
    }

    boolean has(String name) {
        return records.containsKey(name);
    }

    private Object get(String name) {
        Object v = records.get(name);
        if (v == null) {
            throw new IllegalArgumentException("golden file has no record '" + name + "'");
        }
        return v;
    }

    byte[] encode() {
        int size = 8;
        for (Map.Entry<String, Object> e : records.entrySet()) {
            size += 1 + e.getKey().length() + 1 + 4 + payloadBytes(e.getValue());
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("DCG1".getBytes(StandardCharsets.US_ASCII));
        b.putInt(records.size());
        for (Map.Entry<String, Object> e : records.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.US_ASCII);
            b.put((byte) name.length).put(name);
            Object v = e.getValue();
            if (v instanceof byte[] a) {
                b.put((byte) 'b').putInt(a.length).put(a);
            } else if (v instanceof int[] a) {
                b.put((byte) 'i').putInt(a.length);
                for (int x : a) {
                    b.putInt(x);
                }
            } else {
                float[] a = (float[]) v;
                b.put((byte) 'f').putInt(a.length);
                for (float x : a) {
                    b.putFloat(x);
                }
            }
        }
        return b.array();
    }

    static GoldenFile decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!"DCG1".equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("not a DCG1 golden file");
        }
        GoldenFile g = new GoldenFile();
        int n = b.getInt();
        for (int r = 0; r < n; r++) {
            byte[] name = new byte[b.get() & 0xff];
            b.get(name);
            String key = new String(name, StandardCharsets.US_ASCII);
            char type = (char) b.get();
            int count = b.getInt();
            switch (type) {
                case 'b' -> {
                    byte[] a = new byte[count];
                    b.get(a);
                    g.records.put(key, a);
                }
                case 'i' -> {
                    int[] a = new int[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = b.getInt();
                    }
                    g.records.put(key, a);
                }
                case 'f' -> {
                    float[] a = new float[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = b.getFloat();
                    }
                    g.records.put(key, a);
                }
                default -> throw new IllegalArgumentException("bad record type " + type);
            }
        }
        return g;
    }

    static GoldenFile read(Path p) throws IOException {
        return decode(Files.readAllBytes(p));
    }

    void write(Path p) throws IOException {
        Files.write(p, encode());
    }

    private static int payloadBytes(Object v) {
        if (v instanceof byte[] a) {
            return a.length;
        }
        if (v instanceof int[] a) {
            return 4 * a.length;
        }
        return 4 * ((float[]) v).length;
    }
}
