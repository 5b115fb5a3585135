package io.electionbench.results.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SamplesTest {
    @Test
    void quantilesInterpolateBetweenClosestRanks() {
        final double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Samples.median(v));
        assertEquals(1.0, Samples.quantile(v, 0.0));
        assertEquals(4.0, Samples.quantile(v, 1.0));
        assertEquals(3.7, Samples.quantile(v, 0.9), 1e-12); // h = 2.7 -> 3 + 0.7 * (4 - 3)
        assertEquals(3.0, Samples.median(new double[]{5, 3, 1}));
    }

    @Test
    void geometricMeanOfRatios() {
        assertEquals(1.0, Samples.geometricMean(new double[]{2.0, 0.5}), 1e-15);
        assertEquals(4.0, Samples.geometricMean(new double[]{2.0, 8.0}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Samples.geometricMean(new double[]{1.0, 0.0}));
    }

    @Test
    void rejectsNaNAndEmpty() {
        assertThrows(IllegalArgumentException.class, () -> Samples.median(new double[]{1.0, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Samples.median(new double[0]));
    }
}
