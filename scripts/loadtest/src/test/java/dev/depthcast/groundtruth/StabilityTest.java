package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StabilityTest {

    @Test
    void aConstantSeriesHasNoVariationAndNoJump() {
        double[] still = {2.5, 2.5, 2.5, 2.5};
        assertEquals(0, Stability.coefficientOfVariation(still), 0);
        assertEquals(0, Stability.largestJump(still), 0);
    }

    @Test
    void theCoefficientOfVariationIsThePopulationDeviationOverTheMean() {
        // Mean 1, deviations 0, +0.1, -0.1, 0: variance 0.02 / 4.
        assertEquals(Math.sqrt(0.005), Stability.coefficientOfVariation(new double[] {1, 1.1, 0.9, 1}), 1e-12);
        // Scale-free: the same in other units.
        assertEquals(Math.sqrt(0.005), Stability.coefficientOfVariation(new double[] {3, 3.3, 2.7, 3}), 1e-12);
    }

    @Test
    void theLargestJumpIsTheLargestStepRelativeToTheFrameBefore() {
        // Steps: +5 %, 0, -10 % (0.42 of 4.2), +5 %.
        assertEquals(0.1, Stability.largestJump(new double[] {4, 4.2, 4.2, 3.78, 3.969}), 1e-12);
    }

    @Test
    void tooShortASeriesIsStill() {
        assertEquals(0, Stability.coefficientOfVariation(new double[] {7}), 0);
        assertEquals(0, Stability.largestJump(new double[] {}), 0);
    }

    @Test
    void percentilesInterpolateBetweenTheClosestRanks() {
        float[] values = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
        assertEquals(5.5, Percentile.of(values, values.length, 0.5), 1e-9);
        assertEquals(9.1, Percentile.of(values, values.length, 0.9), 1e-6);
        assertEquals(1, Percentile.of(values, values.length, 0), 0);
        assertEquals(10, Percentile.of(values, values.length, 1), 0);
        assertArrayEquals(new float[] {10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, values, "the input is left as it was");
    }

    @Test
    void percentilesLookOnlyAtTheCountedValues() {
        float[] values = {3, 1, 2, 1000, 1000};
        assertEquals(2, Percentile.of(values, 3, 0.5), 0);
    }

    @Test
    void noValuesHaveNoPercentileAndABadQuantileIsRefused() {
        assertTrue(Double.isNaN(Percentile.of(new float[0], 0, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new float[] {1}, 1, 1.5));
    }
}
