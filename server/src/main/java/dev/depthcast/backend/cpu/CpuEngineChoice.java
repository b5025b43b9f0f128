package dev.depthcast.backend.cpu;

import dev.depthcast.config.EnginePrecision;
import dev.depthcast.config.StartupException;
import dev.depthcast.model.Preset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which ONNX Runtime engine under {@code engines/} the CPU backend serves: one whose manifest names
 * this model (SHA-256), preset, input size and ONNX Runtime version (an offline-optimised graph holds
 * that version's fused operators). Every other engine there is refused with one line naming the
 * difference and the command that rebuilds it; {@code --precision} picks among those that match
 * (auto: INT8, which only exists when it passed the accuracy gate or was forced, else FP32).
 * Without a match the model is served as given.
 *
 * @param engine the engine to load, or null for the model as given
 * @param manifest its manifest, or null
 * @param notes lines to log: refusals, the choice, and a CPU feature the engine was tuned for that
 *     this machine lacks
 */
public record CpuEngineChoice(Path engine, CpuEngineManifest manifest, List<String> notes) {

    /** What the server runs, for the log, {@code /api/stats} and the page: e.g. {@code int8 (static-qdq) engines/…}. */
    public String describe() {
        if (engine == null) {
            return "fp32, the model as given (no engine built for it)";
        }
        return manifest.precision()
                + (manifest.precision().equals(CpuEngineManifest.INT8) ? " (" + manifest.int8Method() + ")" : "")
                + " engine " + engine.getFileName();
    }

    /** What the server is asked to run. */
    public record Wanted(
            Preset preset, String modelSha256, String modelArg, String onnxRuntime, EnginePrecision precision) {}

    public static CpuEngineChoice choose(Path enginesDir, Wanted want, CpuFeatures machine) {
        List<String> notes = new ArrayList<>();
        List<String> int8Refusals = new ArrayList<>();
        Path fp32 = null;
        Path int8 = null;
        for (Path candidate : candidates(enginesDir)) {
            CpuEngineManifest m;
            String difference;
            try {
                m = CpuEngineManifest.read(candidate);
                difference = m == null
                        ? "has no manifest ("
                                + CpuEngineManifest.pathFor(candidate).getFileName() + ")"
                        : difference(m, want);
            } catch (RuntimeException e) {
                m = null;
                difference = e.getMessage();
            }
            String precision = m == null ? precisionOf(candidate) : m.precision();
            if (difference != null) {
                notes.add("engine " + candidate + " not used: " + difference + "; rebuild it with "
                        + rebuild(want, precision));
                if (precision.equals(CpuEngineManifest.INT8)) {
                    int8Refusals.add(candidate.getFileName() + ": " + difference);
                }
            } else if (m.precision().equals(CpuEngineManifest.INT8)) {
                int8 = candidate;
            } else if (m.precision().equals(CpuEngineManifest.FP32)) {
                fp32 = candidate;
            }
        }
        Path chosen = switch (want.precision()) {
            case AUTO -> int8 != null ? int8 : fp32;
            case FP32 -> fp32;
            case INT8 -> {
                if (int8 == null) {
                    throw new StartupException(
                            "--precision int8: no INT8 engine under " + enginesDir + " matches this model"
                                    + (int8Refusals.isEmpty() ? "" : " (" + String.join("; ", int8Refusals) + ")")
                                    + "; build one with " + rebuild(want, CpuEngineManifest.INT8),
                            null);
                }
                yield int8;
            }
        };
        CpuEngineManifest manifest = chosen == null ? null : CpuEngineManifest.read(chosen);
        if (manifest != null) {
            List<String> lacking = machine.missing(manifest.cpuFeatures());
            if (!lacking.isEmpty()) {
                notes.add("engine " + chosen.getFileName() + " was tuned on a CPU with " + String.join(",", lacking)
                        + ", which this one lacks: ONNX Runtime runs it with its other kernels (slower"
                        + (manifest.precision().equals(CpuEngineManifest.INT8)
                                ? ", and INT8 without VNNI may saturate: rebuild here to re-check the accuracy gate)"
                                : ")"));
            }
        }
        return new CpuEngineChoice(chosen, manifest, List.copyOf(notes));
    }

    /** The first thing the manifest records that differs from what is asked, or null. */
    static String difference(CpuEngineManifest m, Wanted want) {
        Preset p = want.preset();
        if (!m.preset().equals(p.name())) {
            return "built for preset " + m.preset() + ", this server runs " + p.name();
        }
        if (m.inputHeight() != p.inputHeight() || m.inputWidth() != p.inputWidth()) {
            return "built for input " + m.inputHeight() + "x" + m.inputWidth() + ", this server runs " + p.inputHeight()
                    + "x" + p.inputWidth();
        }
        if (!m.modelSha256().equalsIgnoreCase(want.modelSha256())) {
            return "built from another model (SHA-256 " + abbrev(m.modelSha256()) + ", the server's model is "
                    + abbrev(want.modelSha256()) + ")";
        }
        if (!m.onnxRuntime().equals(want.onnxRuntime())) {
            return "written by ONNX Runtime " + m.onnxRuntime() + ", this server runs " + want.onnxRuntime();
        }
        return null;
    }

    /** From the file name, {@code …_cpu-int8.onnx}: for an engine whose manifest cannot be read. */
    private static String precisionOf(Path engine) {
        String name = engine.getFileName().toString();
        return name.substring(name.lastIndexOf("_cpu-") + 5, name.length() - ".onnx".length());
    }

    static String rebuild(Wanted want, String precision) {
        Preset p = want.preset();
        return "scripts/build-engine.sh --backend cpu --preset " + p.name()
                + (want.modelArg() == null ? "" : " --onnx " + want.modelArg())
                + " --input-size " + p.inputHeight() + "x" + p.inputWidth() + " --precision " + precision
                + (precision.equals(CpuEngineManifest.INT8) ? " --calib-images DIR" : "");
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    private static List<Path> candidates(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().matches(".*_cpu-[a-z0-9]+\\.onnx"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
