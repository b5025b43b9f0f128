package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every package of the server has a {@code package-info.java} saying what it does and which threads
 * use it: a newcomer reads it first, and where it is missing the thread rules get guessed.
 */
class PackageNotesTest {

    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void everyServerPackageHasAPackageInfo() throws IOException {
        assertTrue(Files.isDirectory(SOURCES.resolve("dev/depthcast")), "run from the server module");
        List<String> missing;
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            missing = dirs.filter(Files::isDirectory)
                    .filter(PackageNotesTest::holdsClasses)
                    .filter(d -> !Files.exists(d.resolve("package-info.java")))
                    .map(d -> SOURCES.relativize(d).toString().replace('/', '.'))
                    .sorted()
                    .toList();
        }
        assertEquals(List.of(), missing, "packages without a package-info.java");
    }

    private static boolean holdsClasses(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
