package dev.depthcast.backend.build;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where an engine's manifest lives (beside it: {@code ENGINE.properties}) and how it is read and
 * written: one file format for the CPU and the TensorRT engines, whose manifests differ only in keys.
 */
public final class ManifestFile {

    private ManifestFile() {}

    public static Path pathFor(Path engine) {
        return engine.resolveSibling(engine.getFileName() + ".properties");
    }

    /** The properties beside {@code engine}, or null when there is no manifest. */
    public static Properties read(Path engine) {
        Path p = pathFor(engine);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(p)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    public static void write(Path engine, Properties props, String comment) throws IOException {
        try (Writer w = Files.newBufferedWriter(pathFor(engine))) {
            props.store(w, comment);
        }
    }
}
