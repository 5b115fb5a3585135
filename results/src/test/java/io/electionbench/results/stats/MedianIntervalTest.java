package io.electionbench.results.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedianIntervalTest {
    private static double[] oneTo(final int n) {
        final double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[n - 1 - i] = i + 1; // reversed: the interval must not depend on input order
        }
        return v;
    }

    @Test
    void twentySamplesGiveSixthAndFifteenthOrderStatistics() {
        // P(B <= 5) = 21700 / 2^20 = 0.0207 -> coverage 0.9586; k = 7 would cover only 0.885.
        final MedianInterval ci = MedianInterval.of(oneTo(20), 0.95);
        assertEquals(10.5, ci.median());
        assertEquals(6.0, ci.lo());
        assertEquals(15.0, ci.hi());
        assertTrue(ci.isAvailable());
    }

    @Test
    void tenSamplesGiveSecondAndNinth() {
        // coverage of [x2, x9] = 1 - 2 * 11/1024 = 0.9785; [x3, x8] = 1 - 2 * 56/1024 = 0.89.
        final MedianInterval ci = MedianInterval.of(oneTo(10), 0.95);
        assertEquals(2.0, ci.lo());
        assertEquals(9.0, ci.hi());
    }

    @Test
    void sixSamplesAreTheSmallestWithAnInterval() {
        // [min, max] covers 1 - 2/2^n: 0.96875 for n = 6, 0.9375 for n = 5.
        final MedianInterval six = MedianInterval.of(oneTo(6), 0.95);
        assertTrue(six.isAvailable());
        assertEquals(1.0, six.lo());
        assertEquals(6.0, six.hi());
        final MedianInterval five = MedianInterval.of(oneTo(5), 0.95);
        assertFalse(five.isAvailable());
        assertEquals(3.0, five.median());
        assertEquals(Double.POSITIVE_INFINITY, five.relativeHalfWidthPct());
    }

    @Test
    void largeSampleDoesNotUnderflow() {
        final MedianInterval ci = MedianInterval.of(oneTo(5000), 0.95);
        // Normal approximation: k = n/2 - 1.96 sqrt(n)/2 = 2500 - 69.3 -> about x(2431) .. x(2570).
        assertEquals(2431.0, ci.lo(), 1.0);
        assertEquals(2570.0, ci.hi(), 1.0);
    }

    @Test
    void chosenOrderStatisticsMatchExactBinomialSums() {
        // The largest k with 1 - 2 P(B <= k-1) >= 0.95, from exact integer binomial sums, for n up to 300.
        for (int n = 1; n <= 300; n++) {
            final java.math.BigInteger total = java.math.BigInteger.TWO.pow(n);
            java.math.BigInteger choose = java.math.BigInteger.ONE;
            java.math.BigInteger below = java.math.BigInteger.ZERO;
            int expected = 0;
            for (int k = 1; k <= (n + 1) / 2; k++) {
                below = below.add(choose); // P(B <= k-1) * 2^n
                choose = choose.multiply(java.math.BigInteger.valueOf(n - k
                    + 1)).divide(java.math.BigInteger.valueOf(k));
                final double coverage = 1.0 - 2.0 * new java.math.BigDecimal(below)
                    .divide(new java.math.BigDecimal(total), java.math.MathContext.DECIMAL64).doubleValue();
                if (coverage >= 0.95) {
                    expected = k;
                } else {
                    break;
                }
            }
            assertEquals(expected, MedianInterval.largestK(n, 0.95), "n=" + n);
        }
    }
}
