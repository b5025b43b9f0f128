package dev.depthcast.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The instruction-set extensions that decide how fast (and, for INT8, how exactly) ONNX Runtime's
 * CPU kernels run, as Linux lists them in {@code /proc/cpuinfo}. An INT8 engine is quantized
 * u8×s8; with VNNI ({@code avx512_vnni} or {@code avx_vnni}) that product is one instruction and
 * never saturates, while plain AVX2 kernels add pairs in 16 bits and can saturate, so an engine
 * calibrated on a VNNI machine runs elsewhere, slower and a little less exact.
 *
 * @param flags the extensions present, in {@link #TRACKED} order
 */
public record CpuFeatures(List<String> flags) {

    /** The extensions an engine records; the rest of cpuinfo's flags do not change ONNX Runtime's kernels. */
    public static final List<String> TRACKED =
            List.of("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8");

    public CpuFeatures {
        flags = List.copyOf(flags);
    }

    /** This machine's, or none when {@code /proc/cpuinfo} cannot be read (not Linux). */
    public static CpuFeatures machine() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures(List.of());
        }
    }

    /** From cpuinfo's text: the first {@code flags} line. */
    public static CpuFeatures parse(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                Set<String> present = Set.of(line.substring(colon + 1)
                        .trim()
                        .toLowerCase(Locale.ROOT)
                        .split("\\s+"));
                List<String> out = new ArrayList<>();
                for (String f : TRACKED) {
                    if (present.contains(f)) {
                        out.add(f);
                    }
                }
                return new CpuFeatures(out);
            }
        }
        return new CpuFeatures(List.of());
    }

    /** From a manifest's comma-separated list. */
    public static CpuFeatures of(String commaSeparated) {
        List<String> out = new ArrayList<>();
        for (String f : commaSeparated.split(",")) {
            if (!f.isBlank()) {
                out.add(f.trim());
            }
        }
        return new CpuFeatures(out);
    }

    /** The features of {@code built} this machine lacks. */
    public List<String> missing(CpuFeatures built) {
        return built.flags.stream().filter(f -> !flags.contains(f)).toList();
    }

    @Override
    public String toString() {
        return flags.isEmpty() ? "none known" : String.join(",", flags);
    }
}
