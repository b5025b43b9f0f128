package dev.depthcast.backend.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DepthAgreementTest {

    @Test
    void identicalMapsAgreeFully() {
        float[] r = {0.5f, 1f, 2f, 4f};
        DepthAgreement.Frame f = DepthAgreement.compare(r, r.clone());
        assertEquals(0, f.absRel(), 1e-12);
        assertEquals(1, f.delta1());
        assertEquals(1, f.scale(), 1e-12);
        assertEquals(0, f.shift(), 1e-12);
        assertEquals(4, f.pixels());
    }

    @Test
    void anAffineChangeOfInverseDepthIsAlignedAway() {
        float[] r = {0.5f, 1f, 2f, 4f, 3f};
        float[] c = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            c[i] = 2.5f * r[i] - 0.75f; // another scale and shift of the same relative inverse depth
        }
        DepthAgreement.Frame f = DepthAgreement.compare(r, c);
        assertEquals(0, f.absRel(), 1e-6);
        assertEquals(1, f.delta1());
        assertEquals(0.4, f.scale(), 1e-6);
        assertEquals(0.3, f.shift(), 1e-6);
    }

    @Test
    void aHandComputedCase() {
        // r = 1, 2, 4; c = 1, 2, 5. Least squares: s = 19/26, t = 5/13; aligned inverse depths
        // 29/26, 24/13, 105/26; depths 26/29, 13/24, 26/105 against 1, 1/2, 1/4:
        // relative errors 3/29, 1/12, 1/105; all ratios < 1.25.
        DepthAgreement.Frame f = DepthAgreement.compare(new float[] {1, 2, 4}, new float[] {1, 2, 5});
        assertEquals(19.0 / 26, f.scale(), 1e-9);
        assertEquals(5.0 / 13, f.shift(), 1e-9);
        assertEquals((3.0 / 29 + 1.0 / 12 + 1.0 / 105) / 3, f.absRel(), 1e-9);
        assertEquals(1.0, f.delta1());
    }

    @Test
    void deltaCountsPixelsOffByMoreThanAQuarter() {
        // Eight pixels agree, two are twice as near in the candidate after alignment can't fix them.
        float[] r = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] c = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        r[0] = 2;
        c[0] = 2; // gives the fit a slope
        r[9] = 0.5f;
        c[9] = 0.5f;
        c[3] = 3;
        c[4] = 3; // two outliers
        DepthAgreement.Frame f = DepthAgreement.compare(r, c);
        assertTrue(f.delta1() < 1.0 && f.delta1() >= 0.5, "delta " + f.delta1());
        assertTrue(f.absRel() > 0.05, "absRel " + f.absRel());
    }

    @Test
    void invalidPixelsAreLeftOutAndAFlatCandidateGetsOnlyAShift() {
        float[] r = {1, 2, Float.NaN, -1, 4, Float.POSITIVE_INFINITY};
        float[] c = {1, 2, 3, 3, 4, 1};
        DepthAgreement.Frame f = DepthAgreement.compare(r, c);
        assertEquals(3, f.pixels(), "NaN, negative and infinite reference pixels do not count");
        assertEquals(0, f.absRel(), 1e-9);
        DepthAgreement.Frame flat = DepthAgreement.compare(new float[] {1, 2, 4}, new float[] {7, 7, 7});
        assertEquals(0, flat.scale());
        assertEquals(7.0 / 3, flat.shift(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> DepthAgreement.compare(new float[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> DepthAgreement.compare(new float[] {1, 2}, new float[] {1}));
    }

    @Test
    void theGateRefusesWithTheNumbersAndTheWayOut() {
        DepthAgreement.Summary good = DepthAgreement.summarize(List.of(
                new DepthAgreement.Frame(0.02, 0.99, 10, 1, 0), new DepthAgreement.Frame(0.04, 0.97, 10, 1, 0)));
        assertEquals(0.03, good.absRel(), 1e-12);
        assertNull(AccuracyGate.DEFAULT.refusal(good));
        String why = AccuracyGate.DEFAULT.refusal(new DepthAgreement.Summary(0.08, 0.91, 40));
        assertTrue(why.contains("AbsRel 0.0800") && why.contains("0.9100") && why.contains("--force"), why);
        assertTrue(AccuracyGate.DEFAULT.refusal(new DepthAgreement.Summary(0.01, 0.94, 40)) != null, "δ alone fails");
    }
}
