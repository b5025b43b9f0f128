package dev.depthcast.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (the directory holding kernels/ and server/), found from the working directory. */
public final class RepoRoot {

    private RepoRoot() {}

    public static Path get() {
        Path p = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isDirectory(q.resolve("kernels")) && Files.isDirectory(q.resolve("server"))) {
                return q;
            }
        }
        throw new IllegalStateException("repository root not found above " + p);
    }
}
