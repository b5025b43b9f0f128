package dev.depthcast.backend;

import dev.depthcast.config.ServerConfig;
import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What opening a pipeline on one device needs, and nothing else: a {@link BackendProvider} gets
 * this, not the server's whole config (its TLS, ICE and page settings are none of a backend's
 * business).
 *
 * @param model the ONNX model file, or null for the embedded relief model ({@link Backends#modelBytes})
 * @param preset pre/post-processing and input size
 * @param maxBatch the largest batch the pipeline must accept (buffers and engine profiles are sized for it)
 * @param engine a prebuilt engine file ({@code --engine}), or null for the backend's default
 * @param device the ordinal of the device to open the pipeline on
 */
public record PipelineSpec(Path model, Preset preset, int maxBatch, Path engine, int device) {

    public PipelineSpec {
        Objects.requireNonNull(preset, "preset");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        if (device < 0) {
            throw new IllegalArgumentException("device ordinal must be >= 0, got " + device);
        }
    }

    /** The pipeline {@code config} asks for, on device {@code device}. */
    public static PipelineSpec of(ServerConfig config, int device) {
        return new PipelineSpec(config.model(), config.preset(), config.maxBatch(), config.engine(), device);
    }

    /** The model's bytes: the file, or the embedded relief model. */
    public byte[] modelBytes() {
        return Backends.modelBytes(model);
    }
}
