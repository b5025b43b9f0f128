package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules every server class keeps, checked on the code itself:
 *
 * <ul>
 *   <li>No class declares more than two constructors (a record's canonical one counts): settings
 *       with defaults go through a builder, not a row of telescoping constructors. Checked by
 *       reflection on every compiled class of {@code dev.depthcast} (nested ones too).</li>
 *   <li>No constructor starts a thread or a timer: construction is apart from {@code start()}, so
 *       a failed start has nothing running to undo. Checked on the source text of every
 *       constructor body (comments and literals removed): a direct {@code .start()},
 *       {@code new Thread(}, {@code Executors.new…}, {@code Vertx.vertx(} or {@code .setPeriodic(}.
 *       A thread started by a method the constructor calls, or inside a library, is not seen.</li>
 * </ul>
 */
class ArchitectureTest {

    static final Path CLASSES = Path.of(DepthcastServer.class
            .getProtectionDomain()
            .getCodeSource()
            .getLocation()
            .getPath());
    static final Path SOURCES = Path.of(System.getProperty("basedir", "."), "src", "main", "java");

    /** Calls that start a thread or a timer. */
    static final Pattern STARTS =
            Pattern.compile("\\.\\s*start\\s*\\(\\s*\\)|\\bnew\\s+Thread\\s*\\(|\\bExecutors\\s*\\.\\s*new\\w*\\s*\\("
                    + "|\\bVertx\\s*\\.\\s*vertx\\s*\\(|\\.\\s*setPeriodic\\s*\\(");

    @Test
    void noClassDeclaresMoreThanTwoConstructors() throws Exception {
        List<String> offenders = new ArrayList<>();
        List<String> names = compiledClasses();
        assertTrue(names.size() > 50, "found the compiled classes in " + CLASSES + ": " + names.size());
        for (String name : names) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            long count = Arrays.stream(c.getDeclaredConstructors())
                    .filter(k -> !k.isSynthetic())
                    .count();
            if (count > 2) {
                offenders.add(c.getName() + " (" + count + ")");
            }
        }
        assertEquals(List.of(), offenders, "classes with more than two constructors: use a builder");
    }

    @Test
    void noConstructorStartsAThreadOrATimer() throws IOException {
        List<String> offenders = new ArrayList<>();
        int constructors = 0;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = withoutCommentsAndLiterals(Files.readString(file));
                for (Body body : constructorBodies(code)) {
                    constructors++;
                    Matcher m = STARTS.matcher(body.text());
                    if (m.find()) {
                        offenders.add(SOURCES.relativize(file) + ": constructor of " + body.className() + " calls "
                                + m.group().replaceAll("\\s+", ""));
                    }
                }
            }
        }
        assertTrue(constructors > 50, "found the constructors in " + SOURCES + ": " + constructors);
        assertEquals(List.of(), offenders, "constructors that start a thread or a timer: start it in start()");
    }

    @Test
    void theSourceScanSeesAConstructorThatStartsAThreadAndNotAMethodThatDoes() {
        String code = withoutCommentsAndLiterals("""
                final class Pump {
                    private final Thread t;
                    Pump(String name) throws IllegalStateException {
                        t = new Thread(() -> { }, "pump // not a comment");
                        // t.start(); only a comment
                    }
                    void start() {
                        t.start();
                    }
                    static final class Inner {
                        Inner() {
                            Object o = new Object() { };
                            pool.start();
                        }
                    }
                    record Range(int from, int to) {
                        Range {
                            if (from > to) { throw new IllegalArgumentException("from > to { "); }
                        }
                    }
                }
                """);
        List<Body> bodies = constructorBodies(code);
        assertEquals(
                List.of("Pump", "Inner", "Range"),
                bodies.stream().map(Body::className).toList());
        assertTrue(STARTS.matcher(bodies.get(0).text()).find(), "new Thread( in Pump()");
        assertTrue(STARTS.matcher(bodies.get(1).text()).find(), ".start() in Inner()");
        assertFalse(STARTS.matcher(bodies.get(2).text()).find(), "Range's compact constructor starts nothing");
        assertFalse(bodies.get(0).text().contains("t.start()"), "comments are not code");
    }

    /** Binary names of every class under {@link #CLASSES}. */
    static List<String> compiledClasses() throws IOException {
        try (Stream<Path> files = Files.walk(CLASSES)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> CLASSES.relativize(f)
                            .toString()
                            .replace(f.getFileSystem().getSeparator(), ".")
                            .replaceAll("\\.class$", ""))
                    .filter(n -> n.startsWith("dev.depthcast.") && !n.endsWith("package-info"))
                    .sorted()
                    .toList();
        }
    }

    record Body(String className, String text) {}

    /**
     * The bodies of the constructors declared in {@code code} (comments and literals already
     * removed): {@code Name(…) [throws …] {…}} or a record's compact {@code Name {…}}, where Name is
     * a class, record or enum declared in the file and the name does not follow {@code new},
     * {@code class}, {@code record}, {@code enum}, {@code interface} or a dot.
     */
    static List<Body> constructorBodies(String code) {
        List<String> types = new ArrayList<>();
        Matcher declared = Pattern.compile("\\b(?:class|record|enum)\\s+(\\w+)").matcher(code);
        while (declared.find()) {
            types.add(declared.group(1));
        }
        List<Body> bodies = new ArrayList<>();
        for (String type : types.stream().distinct().toList()) {
            Matcher m = Pattern.compile("(?<![\\w.$])" + type + "\\s*(\\(|\\{)").matcher(code);
            while (m.find()) {
                String before = code.substring(0, m.start()).stripTrailing();
                if (before.matches("(?s).*\\b(new|class|record|enum|interface)$")
                        || before.endsWith(".")
                        || before.endsWith("<")
                        || before.endsWith(",")) {
                    continue;
                }
                int open;
                if (m.group(1).equals("(")) {
                    int close = matching(code, m.end() - 1, '(', ')');
                    if (close < 0) {
                        continue;
                    }
                    Matcher rest = Pattern.compile("\\G\\s*(throws\\s+[\\w.$]+(\\s*,\\s*[\\w.$]+)*\\s*)?\\{")
                            .matcher(code);
                    if (!rest.find(close + 1)) {
                        continue; // a call or a record header's use elsewhere, not a declaration
                    }
                    open = rest.end() - 1;
                } else {
                    // A compact canonical constructor follows a modifier or ends a previous member.
                    if (!before.matches("(?s).*(\\b(public|protected|private)|[;{}])$")) {
                        continue;
                    }
                    open = m.end() - 1;
                }
                if (!before.matches("(?s).*(\\b(public|protected|private)|[;{}]|@\\w+(\\([^)]*\\))?)$")) {
                    continue; // a method returning the type (`static Name Name(…)` aside), a cast, a call
                }
                int end = matching(code, open, '{', '}');
                if (end > open) {
                    bodies.add(new Body(type, code.substring(open + 1, end)));
                }
            }
        }
        bodies.sort((a, b) -> Integer.compare(code.indexOf(a.text()), code.indexOf(b.text())));
        return bodies;
    }

    /** The index of the bracket closing the one at {@code open}, or -1. */
    static int matching(String code, int open, char opening, char closing) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == opening) {
                depth++;
            } else if (c == closing && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Java source with comments, string and char literals (text blocks too) blanked, lengths kept. */
    static String withoutCommentsAndLiterals(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                end = end < 0 ? src.length() : end;
                out.append(" ".repeat(end - i));
                i = end;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                end = end < 0 ? src.length() : end + 2;
                out.append(src.substring(i, end).replaceAll("[^\\n]", " "));
                i = end;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                end = end < 0 ? src.length() : end + 3;
                out.append("\"\"")
                        .append(src.substring(i + 2, end - 1).replaceAll("[^\\n]", " "))
                        .append('"');
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, src.length());
                out.append(c).append(" ".repeat(Math.max(0, j - i - 2))).append(c);
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
