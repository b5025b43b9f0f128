package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.build.ManifestFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What an engine was built for, from the {@code FILE.engine.properties} that
 * scripts/build-engine.sh writes beside it (TensorRT engines are tied to one GPU architecture and
 * one TensorRT version; the serialized header is undocumented, so the build records it).
 *
 * @param tensorRt TensorRT version that built it, e.g. {@code 10.15.1} (or {@code 10.15})
 * @param computeCapability GPU it was built on, e.g. {@code 8.6}
 * @param preset preset name it was built for
 * @param inputHeight input height, @param inputWidth input width
 * @param maxBatch the profile's max batch
 * @param precision fp16 | int8
 * @param modelSha256 SHA-256 of the ONNX model it was built from, or null (manifests of older builds)
 */
public record EngineManifest(
        String tensorRt,
        String computeCapability,
        String preset,
        int inputHeight,
        int inputWidth,
        int maxBatch,
        String precision,
        String modelSha256) {

    public static Path pathFor(Path engine) {
        return ManifestFile.pathFor(engine);
    }

    /** The manifest beside {@code engine}, or null when there is none. */
    public static EngineManifest read(Path engine) {
        Properties props = ManifestFile.read(engine);
        return props == null ? null : parse(props, pathFor(engine).toString());
    }

    static EngineManifest parse(Properties props, String where) {
        String tensorRt = required(props, "tensorrt", where);
        String cc = required(props, "compute_capability", where);
        String preset = required(props, "preset", where);
        String[] hw = required(props, "input", where).toLowerCase(Locale.ROOT).split("x");
        String[] mom = required(props, "batch", where).split("/");
        try {
            return new EngineManifest(
                    tensorRt,
                    cc,
                    preset,
                    Integer.parseInt(hw[0].trim()),
                    Integer.parseInt(hw[1].trim()),
                    Integer.parseInt(mom[mom.length - 1].trim()),
                    props.getProperty("precision", "fp16"),
                    props.getProperty("onnx.sha256"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": malformed input=HxW or batch=MIN/OPT/MAX");
        }
    }

    /**
     * Writes the manifest beside {@code engine}, in the form {@link #read} parses, with the profile
     * and the model's file name for people reading it.
     */
    public void write(Path engine, int minBatch, int optBatch, String inputName, String modelFile) throws IOException {
        Properties p = new Properties();
        p.setProperty("tensorrt", tensorRt);
        p.setProperty("compute_capability", computeCapability);
        p.setProperty("preset", preset);
        p.setProperty("input", inputHeight + "x" + inputWidth);
        p.setProperty("batch", minBatch + "/" + optBatch + "/" + maxBatch);
        p.setProperty("precision", precision);
        p.setProperty("input_name", inputName);
        p.setProperty("onnx", modelFile);
        if (modelSha256 != null) {
            p.setProperty("onnx.sha256", modelSha256);
        }
        ManifestFile.write(
                engine, p, "written by the depthcast engine builder; checked by the server before it loads the engine");
    }

    private static String required(Properties p, String key, String where) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(where + " has no '" + key + "'");
        }
        return v.trim();
    }

    /** "8.6" -> "sm_86". */
    public static String sm(String computeCapability) {
        return "sm_" + computeCapability.replace(".", "");
    }

    /** Versions match when every component the manifest records matches (10.15 matches 10.15.1). */
    public static boolean sameVersion(String built, String runtime) {
        String[] a = built.split("\\.");
        String[] b = runtime.split("\\.");
        for (int i = 0; i < a.length; i++) {
            if (i >= b.length || !a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }
}
