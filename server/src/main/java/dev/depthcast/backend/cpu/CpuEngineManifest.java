package dev.depthcast.backend.cpu;

import dev.depthcast.backend.build.ManifestFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What an ONNX Runtime engine ({@code engines/PRESET_HxW_cpu-PRECISION.onnx}) was built for, from
 * the {@code FILE.onnx.properties} beside it: the model it came from (SHA-256), the preset and input
 * size, the precision and how it was quantized, the ONNX Runtime version whose offline
 * optimisation wrote it (its fused operators are that version's), the CPU features it was tuned on,
 * and the accuracy gate's figures.
 *
 * @param int8Method {@code static-qdq}, {@code dynamic} or {@code none} (FP32)
 * @param gate the gate's figures, e.g. {@code AbsRel 0.0021, δ<1.25 1.0000 over 4 frames}, or
 *     {@code none} (FP32); a forced engine says {@code forced: …}
 */
public record CpuEngineManifest(
        String preset,
        int inputHeight,
        int inputWidth,
        String precision,
        String int8Method,
        String onnxRuntime,
        String modelSha256,
        CpuFeatures cpuFeatures,
        String gate) {

    public static final String FP32 = "fp32";
    public static final String INT8 = "int8";

    public static Path pathFor(Path engine) {
        return ManifestFile.pathFor(engine);
    }

    /** The engine's file name under {@code engines/}, e.g. {@code depth-anything-v2_378x504_cpu-int8.onnx}. */
    public static String engineName(String preset, int inputHeight, int inputWidth, String precision) {
        return String.format(Locale.ROOT, "%s_%dx%d_cpu-%s.onnx", preset, inputHeight, inputWidth, precision);
    }

    /** Whether the gate let it in on its figures (not forced, not FP32). */
    public boolean gatePassed() {
        return precision.equals(FP32) || !gate.startsWith("forced");
    }

    /** The manifest beside {@code engine}, or null when there is none. */
    public static CpuEngineManifest read(Path engine) {
        Path p = pathFor(engine);
        Properties props = ManifestFile.read(engine);
        if (props == null) {
            return null;
        }
        String[] hw = required(props, "input", p).toLowerCase(Locale.ROOT).split("x");
        try {
            return new CpuEngineManifest(
                    required(props, "preset", p),
                    Integer.parseInt(hw[0].trim()),
                    Integer.parseInt(hw[1].trim()),
                    required(props, "precision", p),
                    props.getProperty("int8.method", "none"),
                    required(props, "onnxruntime", p),
                    required(props, "onnx.sha256", p),
                    CpuFeatures.of(props.getProperty("cpu.features", "")),
                    props.getProperty("gate", "none"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(p + ": malformed input=HxW");
        }
    }

    /** Writes the manifest beside {@code engine} with the model's file name for people reading it. */
    public void write(Path engine, String modelFile) throws IOException {
        Properties p = new Properties();
        p.setProperty("preset", preset);
        p.setProperty("input", inputHeight + "x" + inputWidth);
        p.setProperty("precision", precision);
        p.setProperty("int8.method", int8Method);
        p.setProperty("onnxruntime", onnxRuntime);
        p.setProperty("onnx", modelFile);
        p.setProperty("onnx.sha256", modelSha256);
        p.setProperty("cpu.features", String.join(",", cpuFeatures.flags()));
        p.setProperty("gate", gate);
        ManifestFile.write(
                engine,
                p,
                "written by scripts/build-engine.sh --backend cpu; checked by the server before it loads the engine");
    }

    private static String required(Properties p, String key, Path where) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(where + " has no '" + key + "'");
        }
        return v.trim();
    }
}
