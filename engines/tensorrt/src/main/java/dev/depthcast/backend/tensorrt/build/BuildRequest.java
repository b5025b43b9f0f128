package dev.depthcast.backend.tensorrt.build;

import dev.depthcast.model.Preset;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One engine build, checked before TensorRT is touched: the model, the preset (input size), the
 * precision, the profile's batch range, the workspace and where the timing cache lives.
 *
 * @param quantizedModel the ONNX carries Q/DQ nodes ({@link dev.depthcast.backend.build.OnnxFacts}): INT8 without a calibrator
 */
public record BuildRequest(
        Path onnx,
        Preset preset,
        Precision precision,
        int minBatch,
        int optBatch,
        int maxBatch,
        long workspaceBytes,
        Path timingCache,
        boolean quantizedModel) {

    public enum Precision {
        FP16,
        INT8;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Precision parse(String s) {
            for (Precision p : values()) {
                if (p.label().equals(s.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--precision " + s + ": use fp16 or int8");
        }
    }

    public BuildRequest {
        if (minBatch != 1) {
            throw new IllegalArgumentException("--min-batch must be 1: a batch may hold a single frame");
        }
        if (optBatch < minBatch || optBatch > maxBatch || maxBatch > 64) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "batch range %d/%d/%d: need 1 = min <= opt <= max <= 64",
                    minBatch,
                    optBatch,
                    maxBatch));
        }
        if (workspaceBytes < (64L << 20)) {
            throw new IllegalArgumentException("--workspace-mib below 64 leaves TensorRT too few tactics");
        }
    }

    /**
     * Why an ONNX graph's I/O does not suit the pipeline (one input; exactly one output, the depth:
     * enqueueV3 fails when an output has no address), or null.
     */
    public static String ioMisfit(List<String> inputs, List<String> outputs) {
        if (inputs.size() != 1) {
            return "the model has " + inputs.size() + " inputs " + inputs + "; the pipeline feeds one image tensor";
        }
        if (outputs.size() != 1) {
            return "the model has " + outputs.size() + " outputs " + outputs
                    + "; the pipeline binds exactly one, the depth: export the model with the depth output only";
        }
        return null;
    }

    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s %s at %dx%d (HxW), batch %d/%d/%d%s",
                preset.name(),
                precision.label(),
                preset.inputHeight(),
                preset.inputWidth(),
                minBatch,
                optBatch,
                maxBatch,
                precision == Precision.INT8
                        ? (quantizedModel ? ", INT8 from the model's Q/DQ nodes" : ", INT8 calibrated")
                        : "");
    }
}
