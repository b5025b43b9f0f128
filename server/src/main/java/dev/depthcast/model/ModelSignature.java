package dev.depthcast.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Checks a model's input/output shapes against a preset, whatever the runtime (ONNX Runtime
 * session info, TensorRT engine bindings). A dimension below 0 is dynamic.
 *
 * @param fixedBatch 0 when the batch dimension is dynamic, else the only batch size the model takes
 */
public record ModelSignature(int fixedBatch, int inputHeight, int inputWidth) {

    /**
     * @throws IllegalArgumentException with a message a user can act on
     */
    public static ModelSignature check(Preset preset, String modelName, long[] input, long[] output) {
        if (input.length != 4 || (input[1] >= 0 && input[1] != 3)) {
            throw mismatch(
                    modelName,
                    preset,
                    "input must be N x 3 x H x W (RGB, NCHW), the model has " + Arrays.toString(input));
        }
        if (output.length != 3 && !(output.length == 4 && (output[1] < 0 || output[1] == 1))) {
            throw mismatch(
                    modelName,
                    preset,
                    "output must be one depth map per image, N x H x W or " + "N x 1 x H x W; the model has "
                            + Arrays.toString(output));
        }
        if (input[0] > 1) {
            throw mismatch(
                    modelName,
                    preset,
                    "a fixed batch of " + input[0] + " is not supported; export with a dynamic batch (or 1)");
        }
        boolean fixedSize = input[2] > 0 && input[3] > 0;
        if (fixedSize && (input[2] != preset.inputHeight() || input[3] != preset.inputWidth())) {
            throw mismatch(
                    modelName,
                    preset,
                    String.format(
                            Locale.ROOT,
                            "the model takes %dx%d (HxW) but the preset is set to %dx%d: pass --input-size %dx%d",
                            input[2],
                            input[3],
                            preset.inputHeight(),
                            preset.inputWidth(),
                            input[2],
                            input[3]));
        }
        return new ModelSignature(input[0] < 0 ? 0 : 1, preset.inputHeight(), preset.inputWidth());
    }

    private static IllegalArgumentException mismatch(String model, Preset preset, String why) {
        return new IllegalArgumentException("model " + model + " does not fit preset '" + preset.name() + "': " + why);
    }

    public boolean dynamicBatch() {
        return fixedBatch == 0;
    }
}
