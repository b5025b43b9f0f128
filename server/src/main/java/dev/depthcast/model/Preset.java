package dev.depthcast.model;

import java.util.Locale;

/**
 * What a depth model expects and gives: input size, normalisation, channel order and output
 * meaning. The runtime (ONNX Runtime, TensorRT) is separate; a preset is the pre/post-processing
 * contract that lives beside it (see docs/pipeline-math.md).
 *
 * @param multipleOf input sides must be multiples of this (ViT patch size), 1 if free
 * @param output what the model's output means (relative inverse depth, or metres)
 */
public record Preset(
        String name,
        int inputHeight,
        int inputWidth,
        float[] mean,
        float[] std,
        boolean bgr,
        int multipleOf,
        String description,
        DepthOutput output) {

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** The embedded default: smoothed brightness as an inverse-depth proxy. Not a learned model. */
    public static final Preset RELIEF = new Preset(
            "relief",
            378,
            504,
            new float[] {0, 0, 0},
            new float[] {1, 1, 1},
            false,
            1,
            "embedded relief demo: inverse depth from smoothed brightness (not a learned depth model)",
            DepthOutput.RELATIVE);

    public static final Preset DEPTH_ANYTHING_V2 = new Preset(
            "depth-anything-v2",
            378,
            504,
            IMAGENET_MEAN,
            IMAGENET_STD,
            false,
            14,
            "Depth Anything V2 (ViT-S/B/L), relative inverse depth",
            DepthOutput.RELATIVE);

    // The metric checkpoints share the relative ones' input and normalisation; their head ends in
    // sigmoid x max depth, so the output is metres (Hypersim indoor: 20 m; Virtual KITTI outdoor: 80 m).
    public static final Preset DEPTH_ANYTHING_V2_METRIC_INDOOR = new Preset(
            "depth-anything-v2-metric-indoor",
            378,
            504,
            IMAGENET_MEAN,
            IMAGENET_STD,
            false,
            14,
            "Depth Anything V2 metric, indoor (Hypersim, max 20 m): depth in metres",
            DepthOutput.METRIC);

    public static final Preset DEPTH_ANYTHING_V2_METRIC_OUTDOOR = new Preset(
            "depth-anything-v2-metric-outdoor",
            378,
            504,
            IMAGENET_MEAN,
            IMAGENET_STD,
            false,
            14,
            "Depth Anything V2 metric, outdoor (Virtual KITTI, max 80 m): depth in metres",
            DepthOutput.METRIC);

    // MiDaS v2.1 small (EfficientNet-Lite3 encoder) halves its input five times: sides must be multiples of 32.
    public static final Preset MIDAS_SMALL = new Preset(
            "midas-small",
            256,
            256,
            IMAGENET_MEAN,
            IMAGENET_STD,
            false,
            32,
            "MiDaS v2.1 small, relative inverse depth",
            DepthOutput.RELATIVE);

    /** The built-in presets at their default sizes ({@link BuiltInPreset} names them). */
    public static final Preset[] ALL = {
        RELIEF, DEPTH_ANYTHING_V2, DEPTH_ANYTHING_V2_METRIC_INDOOR, DEPTH_ANYTHING_V2_METRIC_OUTDOOR, MIDAS_SMALL
    };

    public Preset {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels");
        }
        if (inputHeight % multipleOf != 0 || inputWidth % multipleOf != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "--input-size %dx%d does not fit preset %s: its sides must be multiples of %d (HxW), e.g. %dx%d",
                    inputHeight,
                    inputWidth,
                    name,
                    multipleOf,
                    Math.max(multipleOf, Math.round((float) inputHeight / multipleOf) * multipleOf),
                    Math.max(multipleOf, Math.round((float) inputWidth / multipleOf) * multipleOf)));
        }
    }

    /** The same preset at another input size (e.g. Depth Anything at 518x518); checks multiples. */
    public Preset withInputSize(int height, int width) {
        return new Preset(name, height, width, mean, std, bgr, multipleOf, description, output);
    }

    /** The same preset with its output declared otherwise ({@code --model-output}). */
    public Preset withOutput(DepthOutput value) {
        return value == output
                ? this
                : new Preset(name, inputHeight, inputWidth, mean, std, bgr, multipleOf, description, value);
    }

    public int inputPixels() {
        return inputHeight * inputWidth;
    }
}
