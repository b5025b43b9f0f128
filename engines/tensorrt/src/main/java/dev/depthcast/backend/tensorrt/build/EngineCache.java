package dev.depthcast.backend.tensorrt.build;

import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where an engine built on first start lives: one file per everything an engine depends on —
 * model (its SHA-256), preset and input size, precision, max batch, GPU architecture and
 * TensorRT version — so a changed model, GPU or TensorRT builds a new engine instead of loading a
 * stale one, and switching back finds the old one again.
 */
public final class EngineCache {

    private EngineCache() {}

    /** e.g. {@code engines/cache/depth-anything-v2_378x504_fp16_b8_sm89_trt10.15.1_3f2a9c0d1e2b.engine}. */
    public static Path path(
            Path cacheDir,
            String modelSha256,
            Preset preset,
            BuildRequest.Precision precision,
            int maxBatch,
            String computeCapability,
            String tensorRt) {
        if (modelSha256.length() < 12) {
            throw new IllegalArgumentException("not a SHA-256: " + modelSha256);
        }
        String name = String.format(
                Locale.ROOT,
                "%s_%dx%d_%s_b%d_sm%s_trt%s_%s.engine",
                preset.name(),
                preset.inputHeight(),
                preset.inputWidth(),
                precision.label(),
                maxBatch,
                computeCapability.replace(".", ""),
                tensorRt,
                modelSha256.substring(0, 12));
        return cacheDir.resolve(name);
    }
}
