package dev.depthcast.backend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the kernels' declarations out of kernels/*.cu and *.cuh, so tests can hold Java to them. */
public final class KernelSources {

    /** One {@code extern "C" __global__} kernel: its parameters' C types in order. */
    public record Signature(String name, List<String> parameterTypes) {

        /** True for pointer parameters (passed as a device buffer). */
        public boolean pointer(int i) {
            return parameterTypes.get(i).contains("*");
        }
    }

    private KernelSources() {}

    public static Path dir() {
        return RepoRoot.get().resolve("kernels");
    }

    public static String read(String file) {
        try {
            return Files.readString(dir().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every extern "C" __global__ kernel of the .cu files, by name. */
    public static Map<String, Signature> kernels() {
        Map<String, Signature> out = new LinkedHashMap<>();
        Pattern p = Pattern.compile(
                "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\([^)]*\\)\\s+)?"
                        + "(\\w+)\\s*\\(([^)]*)\\)",
                Pattern.DOTALL);
        for (String f : List.of("preprocess.cu", "unproject.cu")) {
            Matcher m = p.matcher(read(f));
            while (m.find()) {
                List<String> types = new ArrayList<>();
                for (String param : m.group(2).split(",")) {
                    String t = param.trim().replaceAll("\\s+", " ");
                    types.add(t.substring(0, t.lastIndexOf(' '))
                            .replace("__restrict__", "")
                            .trim());
                }
                out.put(m.group(1), new Signature(m.group(1), types));
            }
        }
        return out;
    }

    /** The value of {@code #define NAME value} in a kernels file. */
    public static int define(String file, String name) {
        Matcher m = Pattern.compile("#define\\s+" + name + "\\s+(\\d+)").matcher(read(file));
        if (!m.find()) {
            throw new IllegalStateException(name + " not defined in " + file);
        }
        return Integer.parseInt(m.group(1));
    }

    /** {@code static_assert(offsetof(Struct, field) == N ...)} and {@code sizeof(Struct) == N} values of the header. */
    public static Map<String, Integer> layoutAsserts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("static_assert\\((offsetof|sizeof)\\(([\\w, ]+)\\)\\s*==\\s*(\\d+)")
                .matcher(read("depthcast_math.cuh"));
        while (m.find()) {
            out.put(m.group(1) + "(" + m.group(2).replace(" ", "") + ")", Integer.parseInt(m.group(3)));
        }
        return out;
    }
}
