package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.tensorrt.build.BuildRequest;
import dev.depthcast.backend.tensorrt.build.EngineCache;
import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which engine file the server opens, and whether it builds it first. In order: the engine
 * {@code --engine} names; the engine built for exactly this model, GPU, TensorRT and max batch on
 * an earlier start ({@link EngineCache}); the preset's default engine from
 * {@code scripts/build-engine.sh} if its manifest does not name another model; else, under
 * {@code --backend tensorrt} (never {@code auto}, which must not spend minutes unasked), the cache
 * path, to be built now. Otherwise the default path, which {@link BackendDecision} explains.
 *
 * @param build the file does not exist yet: build it before opening
 */
public record EngineChoice(Path path, boolean build) {

    public static final Path ENGINES = Path.of("engines");
    public static final Path CACHE = ENGINES.resolve("cache");

    /**
     * @param explicitEngine {@code --engine}, or null
     * @param explicitTensorRt {@code --backend tensorrt} (not auto)
     * @param modelSha256 the server's model, or null when unknown
     * @param computeCapability the device's, e.g. {@code 8.9}, or null when no device was probed
     * @param tensorRt the loaded TensorRT's version, or null
     * @param manifestSha the model SHA-256 a manifest beside an engine records, or null
     */
    public static EngineChoice choose(
            Path explicitEngine,
            boolean explicitTensorRt,
            Preset preset,
            int maxBatch,
            String modelSha256,
            String computeCapability,
            String tensorRt,
            Predicate<Path> exists,
            Function<Path, String> manifestSha) {
        if (explicitEngine != null) {
            return new EngineChoice(explicitEngine, false);
        }
        Path byDefault = ENGINES.resolve(TensorRtBackend.defaultEngineName(preset));
        Path cached = modelSha256 != null && computeCapability != null && tensorRt != null
                ? EngineCache.path(
                        CACHE, modelSha256, preset, BuildRequest.Precision.FP16, maxBatch, computeCapability, tensorRt)
                : null;
        if (cached != null && exists.test(cached)) {
            return new EngineChoice(cached, false);
        }
        if (exists.test(byDefault)) {
            String built = manifestSha.apply(byDefault);
            if (built == null || modelSha256 == null || built.equalsIgnoreCase(modelSha256)) {
                return new EngineChoice(byDefault, false);
            }
        }
        if (cached != null && explicitTensorRt) {
            return new EngineChoice(cached, true);
        }
        return new EngineChoice(byDefault, false);
    }
}
