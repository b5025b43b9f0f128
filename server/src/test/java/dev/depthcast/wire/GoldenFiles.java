package dev.depthcast.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** The golden messages of docs/wire-golden (see its README), and clocks to encode them again. */
final class GoldenFiles {

    static final Path DIR = repoRoot().resolve("docs/wire-golden");

    private GoldenFiles() {}

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docs/wire-golden"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "no docs/wire-golden above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A clock under which encoding takes {@code encodeMs} (as a float32 on the wire): it reads 0,
     * then the matching nanoseconds — an encoder reads its clock when it starts and just before
     * it writes the timing.
     */
    static LongSupplier clockTaking(double encodeMs) {
        long nanos = Math.round(encodeMs * 1e6);
        long[] reads = {0};
        return () -> reads[0]++ == 0 ? 0 : nanos;
    }
}
