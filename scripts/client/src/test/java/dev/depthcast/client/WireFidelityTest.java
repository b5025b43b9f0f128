package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.V1Encoder;
import dev.depthcast.wire.V2Decoder;
import dev.depthcast.wire.V2Encoder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schema 2 against schema 1 on clouds the server really makes (relief model, ONNX Runtime): the
 * size budget and fidelity bounds — xyz within max(1 mm, 0.1 % of depth) of the
 * float32 points (as a 3D distance), colour PSNR ≥ 32 dB against the rgb bytes, the same count
 * and order. Content: {@link FramePainter#cameraScene()} (textured, noisy, camera-like) and the
 * load tester's moving disc; no real camera exists here (docs/protocol.md says so).
 */
class WireFidelityTest {

    static final int KIB = 1024;

    record Measured(
            int medianBytes, int maxBytes, int v1Bytes, double minPsnr, double worstErrorOverBound, int points) {}

    static Measured measure(List<PointCloudMessage> messages) throws Exception {
        int[] sizes = new int[messages.size()];
        double minPsnr = Double.POSITIVE_INFINITY;
        double worst = 0;
        try (V2Encoder encoder = new V2Encoder();
                V2Decoder decoder = new V2Decoder()) {
            for (int f = 0; f < messages.size(); f++) {
                PointCloudMessage m = messages.get(f);
                byte[] bytes = encoder.encode(m).bytes();
                sizes[f] = bytes.length;
                PointCloudMessage back = decoder.decode(bytes);
                assertEquals(m.points().count(), back.points().count(), "same point count");
                assertEquals(2, back.version());
                assertEquals(m.grid().stride(), back.grid().stride());
                double squared = 0;
                for (int p = 0; p < m.points().count(); p++) {
                    double dx = m.points().xyz()[p * 3] - back.points().xyz()[p * 3];
                    double dy = m.points().xyz()[p * 3 + 1] - back.points().xyz()[p * 3 + 1];
                    double dz = m.points().xyz()[p * 3 + 2] - back.points().xyz()[p * 3 + 2];
                    double depth = -m.points().xyz()[p * 3 + 2];
                    double bound = Math.max(1e-3, 1e-3 * depth);
                    worst = Math.max(worst, Math.sqrt(dx * dx + dy * dy + dz * dz) / bound);
                    for (int c = 0; c < 3; c++) {
                        double d = (m.points().rgb()[p * 3 + c] & 0xFF)
                                - (back.points().rgb()[p * 3 + c] & 0xFF);
                        squared += d * d;
                    }
                }
                double mse = squared / (3.0 * m.points().count());
                minPsnr = Math.min(minPsnr, mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse));
            }
        }
        int[] sorted = sizes.clone();
        Arrays.sort(sorted);
        return new Measured(
                sorted[sorted.length / 2],
                sorted[sorted.length - 1],
                new V1Encoder().encode(messages.get(0)).bytes().length,
                minPsnr,
                worst,
                messages.get(0).points().count());
    }

    static void check(String what, Measured r, int budgetBytes) {
        System.out.printf(
                "%s: %d points, v2 median %d B (max %d), v1 %d B; PSNR min %.1f dB; xyz error max %.2f of the bound%n",
                what, r.points(), r.medianBytes(), r.maxBytes(), r.v1Bytes(), r.minPsnr(), r.worstErrorOverBound());
        assertTrue(r.medianBytes() <= budgetBytes, what + ": median " + r.medianBytes() + " B over " + budgetBytes);
        assertTrue(r.minPsnr() >= 32, what + ": colour PSNR " + r.minPsnr() + " dB < 32");
        assertTrue(r.worstErrorOverBound() <= 1, what + ": xyz error " + r.worstErrorOverBound() + " of the bound");
    }

    @Test
    void cameraSceneAtTheDefaultStrideFitsIn48KiB() throws Exception {
        check("camera scene, stride 3", measure(WireSamples.messages(FramePainter.cameraScene(), 9, 5, 3)), 48 * KIB);
    }

    @Test
    void cameraSceneAtStrideOneFitsIn256KiB() throws Exception {
        Measured r = measure(WireSamples.messages(FramePainter.cameraScene(), 3, 11, 1));
        check("camera scene, stride 1", r, 256 * KIB);
        assertTrue(r.maxBytes() <= 256 * KIB, "every dense message fits a data channel's 256 KiB, got " + r.maxBytes());
    }

    @Test
    void movingDiscAtTheDefaultStride() throws Exception {
        check("moving disc, stride 3", measure(WireSamples.messages(FramePainter.movingDisc(), 5, 9, 3)), 48 * KIB);
    }
}
