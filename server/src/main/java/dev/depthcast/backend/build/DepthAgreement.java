package dev.depthcast.backend.build;

import java.util.List;
import java.util.Locale;

/**
 * How closely a candidate engine's depth (INT8) agrees with a reference (the FP16 engine, or ONNX
 * Runtime FP32 on the CPU) on the same frames: the standard relative-depth metrics, AbsRel and
 * δ&lt;1.25, after the per-frame alignment every relative-depth benchmark uses (MiDaS, Depth
 * Anything): both models output relative <em>inverse</em> depth with an unknown scale and shift,
 * so the candidate is fitted to the reference by least squares in inverse depth,
 * {@code s·c + t ≈ r}, and both are then turned into depth as {@code 1/x}.
 *
 * <p>Pixels count when both values are finite and the reference is positive; an aligned candidate
 * at or below zero (a far pixel pushed through zero by the fit) is clamped to the smallest positive
 * reference value, so it counts as a large error instead of vanishing.
 */
public final class DepthAgreement {

    /** One frame's agreement. */
    public record Frame(double absRel, double delta1, int pixels, double scale, double shift) {}

    /** Means over frames (each frame weighs the same, as the benchmarks report them). */
    public record Summary(double absRel, double delta1, int frames) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "AbsRel %.4f, δ<1.25 %.4f over %d frames", absRel, delta1, frames);
        }
    }

    private DepthAgreement() {}

    public static Frame compare(float[] reference, float[] candidate) {
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException(
                    "depth maps of " + reference.length + " and " + candidate.length + " values");
        }
        // Least squares s, t minimising Σ (s·c + t − r)² over the valid pixels.
        double n = 0;
        double sc = 0;
        double sr = 0;
        double scc = 0;
        double scr = 0;
        double minRef = Double.POSITIVE_INFINITY;
        for (int i = 0; i < reference.length; i++) {
            float r = reference[i];
            float c = candidate[i];
            if (valid(r, c)) {
                n++;
                sc += c;
                sr += r;
                scc += (double) c * c;
                scr += (double) c * r;
                minRef = Math.min(minRef, r);
            }
        }
        if (n < 2) {
            throw new IllegalArgumentException("fewer than 2 pixels with finite depth in both maps");
        }
        double det = n * scc - sc * sc;
        double s;
        double t;
        if (Math.abs(det) < 1e-12 * n * n) {
            s = 0; // a flat candidate: only the shift can be fitted
            t = sr / n;
        } else {
            s = (n * scr - sc * sr) / det;
            t = (sr - s * sc) / n;
        }
        double absRel = 0;
        int within = 0;
        for (int i = 0; i < reference.length; i++) {
            float r = reference[i];
            float c = candidate[i];
            if (!valid(r, c)) {
                continue;
            }
            double aligned = Math.max(s * c + t, minRef);
            double depthRef = 1.0 / r;
            double depthCand = 1.0 / aligned;
            absRel += Math.abs(depthCand - depthRef) / depthRef;
            if (Math.max(depthCand / depthRef, depthRef / depthCand) < 1.25) {
                within++;
            }
        }
        return new Frame(absRel / n, within / n, (int) n, s, t);
    }

    public static Summary summarize(List<Frame> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames compared");
        }
        return new Summary(
                frames.stream().mapToDouble(Frame::absRel).average().orElseThrow(),
                frames.stream().mapToDouble(Frame::delta1).average().orElseThrow(),
                frames.size());
    }

    private static boolean valid(float r, float c) {
        return Float.isFinite(r) && Float.isFinite(c) && r > 0;
    }
}
