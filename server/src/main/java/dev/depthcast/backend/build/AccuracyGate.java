package dev.depthcast.backend.build;

import java.util.Locale;

/**
 * Whether an INT8 engine (TensorRT's or ONNX Runtime's) may replace the reference it was compared
 * with: the unquantized model's depth on held-out frames. The thresholds measure
 * agreement with the same network unquantized, not accuracy against ground truth: published
 * FP32-to-INT8 drops of relative-depth networks with a good calibration are around 0.01 AbsRel, and
 * at AbsRel 0.05 the point cloud of a person 2 m away wobbles by ~10 cm from frame to frame, which
 * users see. So: AbsRel ≤ 0.05 and δ&lt;1.25 ≥ 0.95, or the engine is refused (unless forced).
 */
public record AccuracyGate(double maxAbsRel, double minDelta1) {

    public static final AccuracyGate DEFAULT = new AccuracyGate(0.05, 0.95);

    /** Null when the summary passes, else why not, in one line a user can act on. */
    public String refusal(DepthAgreement.Summary s) {
        if (s.absRel() <= maxAbsRel && s.delta1() >= minDelta1) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "the INT8 engine disagrees with the reference: %s (gate: AbsRel ≤ %.3f, "
                        + "δ<1.25 ≥ %.3f); calibrate with more varied frames (--calib-images), keep more operators unquantized, "
                        + "serve without INT8 (fp16 on TensorRT, fp32 on the CPU), or pass --force to install it anyway",
                s,
                maxAbsRel,
                minDelta1);
    }
}
