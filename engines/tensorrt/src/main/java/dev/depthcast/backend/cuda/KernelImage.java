package dev.depthcast.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernels as built by scripts/build-kernels.sh: one fatbin (SASS for sm_75/80/86/89/90 and
 * compute_90 PTX) on the classpath at {@value #RESOURCE}, loaded by the driver API with
 * {@code cuModuleLoadData}. Pure Java: reading the resource and its table of contents needs no
 * CUDA, so the probe can tell "this build has no kernels" or "no code for this GPU" up front.
 *
 * @param bytes the fatbin
 * @param entries its table of contents (one entry per SASS or PTX image)
 */
public record KernelImage(byte[] bytes, List<Entry> entries) {

    public static final String RESOURCE = "/kernels/depthcast_kernels.fatbin";
    static final int FATBIN_MAGIC = 0xBA55ED50;

    /** One image: SASS (an ELF cubin) for sm_{arch}, or PTX for compute_{arch}. */
    public record Entry(boolean ptx, int arch) {
        @Override
        public String toString() {
            return (ptx ? "compute_" : "sm_") + arch;
        }
    }

    /** The kernels on the classpath, or empty when this build was made without nvcc. */
    public static Optional<KernelImage> fromClasspath() {
        try (InputStream in = KernelImage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the fatbin's table of contents: a 16-byte header (magic 0xBA55ED50, version, header
     * size, payload size), then entries of {kind (1 PTX, 2 ELF), version, header size, payload
     * size, ..., arch at +0x1c}. This layout is not documented by NVIDIA; it is what nvcc 12/13
     * write, checked against the fatbins built here.
     */
    public static KernelImage parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16 || b.getInt(0) != FATBIN_MAGIC) {
            throw new IllegalArgumentException("not a CUDA fatbin (bad magic)");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long fatSize = b.getLong(8);
        long end = headerSize + fatSize;
        if (end > bytes.length) {
            throw new IllegalArgumentException("truncated fatbin: " + bytes.length + " bytes, header says " + end);
        }
        List<Entry> entries = new ArrayList<>();
        long at = headerSize;
        while (at + 0x20 <= end) {
            int p = (int) at;
            int kind = Short.toUnsignedInt(b.getShort(p));
            long entryHeader = Integer.toUnsignedLong(b.getInt(p + 4));
            long payload = b.getLong(p + 8);
            int arch = b.getInt(p + 0x1c);
            if ((kind != 1 && kind != 2) || entryHeader < 0x20 || payload < 0) {
                throw new IllegalArgumentException("unexpected fatbin entry at " + at);
            }
            entries.add(new Entry(kind == 1, arch));
            at += entryHeader + payload;
        }
        return new KernelImage(bytes, List.copyOf(entries));
    }

    /**
     * Whether a device of compute capability major.minor can run this image: SASS built for the
     * same major and a minor not above the device's (sm_80 code runs on sm_86), or PTX for a
     * virtual arch not above the device's (JIT-compiled by the driver at load, once).
     */
    public boolean runsOn(int major, int minor) {
        int cc = major * 10 + minor;
        for (Entry e : entries) {
            if (e.ptx() ? e.arch() <= cc : (e.arch() / 10 == major && e.arch() % 10 <= minor)) {
                return true;
            }
        }
        return false;
    }

    /** True when the device would run JIT-compiled PTX rather than prebuilt SASS. */
    public boolean needsJit(int major, int minor) {
        for (Entry e : entries) {
            if (!e.ptx() && e.arch() / 10 == major && e.arch() % 10 <= minor) {
                return false;
            }
        }
        return runsOn(major, minor);
    }

    public String targets() {
        return String.join(", ", entries.stream().map(Entry::toString).toList());
    }
}
