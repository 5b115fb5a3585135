package io.electionbench.results.stats;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import org.apache.commons.statistics.distribution.NormalDistribution;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference p-values come from scipy 1.17.1, {@code mannwhitneyu(x, y, alternative='two-sided')}
 * (method auto), and from its {@code method='exact'} / {@code method='asymptotic'}. They pin the
 * Commons Statistics implementation behind {@link MannWhitney} to scipy's answers.
 */
class MannWhitneyTest {
    private static final double TOLERANCE = 1e-9;

    private static void assertAuto(final double[] x, final double[] y, final double u1, final double p,
        final MannWhitney.Method method) {
        final MannWhitney.Result r = MannWhitney.test(x, y);
        assertEquals(u1, r.u1(), 1e-12, "U1");
        assertEquals(p, r.pValue(), TOLERANCE, "p");
        assertEquals(method, r.method());
    }

    @Test
    void exactSmallCases() {
        assertAuto(new double[]{1, 2, 3}, new double[]{4, 5, 6}, 0.0, 0.1, MannWhitney.Method.EXACT);
        assertAuto(new double[]{1, 2, 3, 4, 5}, new double[]{6, 7, 8, 9, 10}, 0.0, 0.007936507936507936,
            MannWhitney.Method.EXACT);
        assertAuto(new double[]{1.1, 3.4, 2.2, 5.0, 4.1}, new double[]{2.9, 6.3, 5.5, 7.1, 3.0, 8.2, 6.6}, 6.0,
            0.07323232323232323, MannWhitney.Method.EXACT);
    }

    @Test
    void exactSmallCasesInTheOtherTail() {
        // The first sample above the second: U1 is the large U; p must be the same two-sided value.
        assertAuto(new double[]{4, 5, 6}, new double[]{1, 2, 3}, 9.0, 0.1, MannWhitney.Method.EXACT);
        assertAuto(new double[]{6.3, 5.5, 7.1, 8.2, 6.6, 2.9, 3.0}, new double[]{1.1, 3.4, 2.2, 5.0, 4.1}, 29.0,
            0.07323232323232323, MannWhitney.Method.EXACT);
        assertAuto(new double[]{3, 8, 13, 18, 23, 28, 33, 38},
            new double[]{1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17}, 88.0, 0.029177221127685525,
            MannWhitney.Method.EXACT);
    }

    @Test
    void aTinySampleAgainstAHugeOneTakesTheNormalApproximationInsteadOfAHugeTable() {
        final double[] huge = new double[5000];
        for (int i = 0; i < huge.length; i++) {
            huge[i] = i + 0.5;
        }
        final MannWhitney.Result r = MannWhitney.test(new double[]{10, 2000, 4000}, huge);
        assertEquals(MannWhitney.Method.ASYMPTOTIC, r.method());
        assertEquals(MannWhitney.asymptoticPValue(new double[]{10, 2000, 4000}, huge), r.pValue(), 0.0);
    }

    @Test
    void exactWhenOnlyOneSampleIsSmall() {
        // scipy's auto rule: exact when min(n1, n2) <= 8 and there are no ties, whatever the other size.
        final double[] y = {9.0, 12.501, 10.252, 13.753, 11.504, 9.255, 12.756, 10.507, 14.008, 11.759, 9.51, 13.011,
            10.762, 14.263, 12.014, 9.765, 13.266, 11.017, 14.518, 12.269};
        assertAuto(new double[]{10.5, 12.25, 11.75}, y, 25.0, 0.6979107848673065, MannWhitney.Method.EXACT);
        final double[] eight = {3, 8, 13, 18, 23, 28, 33, 38};
        final double[] fourteen = {10.5, 13.5, 16.5, 19.5, 22.5, 25.5, 28.5, 31.5, 34.5, 37.5, 40.5, 43.5, 46.5, 49.5};
        assertAuto(eight, fourteen, 33.0, 0.12659098727210183, MannWhitney.Method.EXACT);
        assertEquals(0.12461733072354308, MannWhitney.asymptoticPValue(eight, fourteen), TOLERANCE);
    }

    @Test
    void tiesUseTheCorrectedNormalApproximation() {
        assertAuto(new double[]{1, 2, 2, 3}, new double[]{2, 3, 4, 4, 5}, 2.5, 0.07854585095119067,
            MannWhitney.Method.ASYMPTOTIC);
        assertAuto(new double[]{2, 3, 4, 4, 5}, new double[]{1, 2, 2, 3}, 17.5, 0.07854585095119067,
            MannWhitney.Method.ASYMPTOTIC);
        // With ties the exact distribution does not apply; asked for anyway, the tie-corrected
        // normal approximation answers (scipy's method='exact' would truncate U and say 0.1111).
        assertEquals(0.07854585095119067, MannWhitney.exactPValue(new double[]{1, 2, 2, 3}, new double[]{2, 3, 4, 4,
            5}),
            TOLERANCE);
        final double[] x = new double[30];
        final double[] y = new double[30];
        for (int i = 0; i < 30; i++) {
            x[i] = (i * 13) % 7;
            y[i] = (i * 11) % 8;
        }
        assertAuto(x, y, 394.0, 0.4078824804758655, MannWhitney.Method.ASYMPTOTIC);
    }

    @Test
    void allTiedAndIdenticalSamplesGiveOne() {
        assertAuto(new double[]{5, 5, 5}, new double[]{5, 5}, 3.0, 1.0, MannWhitney.Method.ASYMPTOTIC);
        final double[] same = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertAuto(same, same.clone(), 50.0, 1.0, MannWhitney.Method.ASYMPTOTIC);
    }

    @Test
    void largerSamplesWithoutTiesUseTheNormalApproximation() {
        final double[] x9 = {0.0, 1.3, 2.6, 3.9000000000000004, 5.2, 6.5, 7.800000000000001, 9.1, 10.4};
        final double[] y9 = {2.05, 3.75, 5.449999999999999, 7.1499999999999995, 8.85, 10.55, 12.25, 13.95,
            15.649999999999999};
        assertAuto(x9, y9, 22.0, 0.11196135426374831, MannWhitney.Method.ASYMPTOTIC);
        assertEquals(0.1134923899629782, MannWhitney.exactPValue(x9, y9), TOLERANCE);
        final double[] x = {100.0, 120.66666666666667, 109.0, 129.66666666666666, 118.0, 106.33333333333333, 127.0,
            115.33333333333333, 103.66666666666667, 124.33333333333333, 112.66666666666667, 101.0, 121.66666666666667,
            110.0, 130.66666666666666, 119.0, 107.33333333333333, 128.0, 116.33333333333333, 104.66666666666667};
        final double[] y = {103.01, 124.67666666666668, 116.67666666666668, 108.67666666666668, 130.34333333333333,
            122.34333333333333, 114.34333333333333, 106.34333333333333, 128.01, 120.01, 112.01, 104.01,
            125.67666666666668, 117.67666666666668, 109.67666666666668, 131.34333333333333, 123.34333333333333,
            115.34333333333333, 107.34333333333333, 129.01, 121.01, 113.01, 105.01, 126.67666666666668,
            118.67666666666668};
        assertAuto(x, y, 217.0, 0.45787390413750895, MannWhitney.Method.ASYMPTOTIC);
        assertEquals(0.4616784477592823, MannWhitney.exactPValue(x, y), TOLERANCE);
    }

    @Test
    void normalApproximationByHand() {
        // x = 1..9, y = 10..18: U1 = 0, U = 81, mu = 40.5, sigma^2 = 81 * 19 / 12 = 128.25,
        // z = (81 - 40.5 - 0.5) / sqrt(128.25) = 3.53209..., p = 2 * Phi(-z) = 4.1226e-4.
        final double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        final double[] y = {10, 11, 12, 13, 14, 15, 16, 17, 18};
        final double z = 40.0 / Math.sqrt(128.25);
        assertEquals(3.5320863, z, 1e-7);
        assertEquals(2.0 * NormalDistribution.of(0, 1).survivalProbability(z), MannWhitney.test(x, y).pValue(), 1e-15);
        assertEquals(4.1226e-4, MannWhitney.test(x, y).pValue(), 1e-7);
        // scipy: mannwhitneyu(y, x) = (81.0, 0.00041229480206169127), the other tail.
        assertEquals(0.00041229480206169127, MannWhitney.test(y, x).pValue(), TOLERANCE);
    }

    @Test
    void exactPValuesMatchBruteForceEnumeration() {
        for (final int[] sizes
            : List.of(new int[]{1, 1}, new int[]{2, 3}, new int[]{3, 3}, new int[]{4, 6}, new int[]{5, 5})) {
            final int n1 = sizes[0];
            final int n2 = sizes[1];
            final long[] counts = enumerate(n1, n2);
            long total = 0;
            for (final long c : counts) {
                total += c;
            }
            // Every U1 in [0, n1 n2]: first sample on ranks chosen so that exactly u1 pairs exceed the second.
            for (int u1 = 0; u1 <= n1 * n2; u1++) {
                final double[][] xy = samplesWithU(n1, n2, u1);
                if (xy == null) {
                    continue;
                }
                final int u = Math.max(u1, n1 * n2 - u1);
                long tail = 0;
                for (int k = u; k < counts.length; k++) {
                    tail += counts[k];
                }
                final double expected = Math.min(1.0, 2.0 * tail / (double)total);
                assertEquals(expected, MannWhitney.exactPValue(xy[0], xy[1]), 1e-12, "n1=" + n1 + " n2=" + n2 + " u1="
                    + u1);
            }
        }
    }

    /** Two tie-free samples of sizes n1, n2 whose U1 is u1: the first sample's i-th value above some of the second. */
    private static double[][] samplesWithU(final int n1, final int n2, final int u1) {
        for (int mask = 0; mask < 1 << (n1 + n2); mask++) {
            if (Integer.bitCount(mask) != n1) {
                continue;
            }
            final double[] x = new double[n1];
            final double[] y = new double[n2];
            int xi = 0;
            int yi = 0;
            int u = 0;
            for (int rank = 0; rank < n1 + n2; rank++) {
                if ((mask & (1 << rank)) != 0) {
                    x[xi++] = rank;
                    u += yi;
                } else {
                    y[yi++] = rank;
                }
            }
            if (u == u1) {
                return new double[][]{x, y};
            }
        }
        return null;
    }

    /** Counts of U over every choice of which ranks 0..n1+n2-1 belong to the first sample. */
    private static long[] enumerate(final int n1, final int n2) {
        final int n = n1 + n2;
        final long[] counts = new long[n1 * n2 + 1];
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) != n1) {
                continue;
            }
            int u = 0;
            int secondBelow = 0;
            for (int rank = 0; rank < n; rank++) {
                if ((mask & (1 << rank)) != 0) {
                    u += secondBelow;
                } else {
                    secondBelow++;
                }
            }
            counts[u]++;
        }
        return counts;
    }

    @Property(tries = 200)
    void pValueIsSymmetricAndBounded(
        @ForAll @Size(min = 1, max = 12) final List<@DoubleRange(min = -100, max = 100) Double> xs,
        @ForAll @Size(min = 1, max = 12) final List<@DoubleRange(min = -100, max = 100) Double> ys) {
        final double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        final double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        final MannWhitney.Result xy = MannWhitney.test(x, y);
        final MannWhitney.Result yx = MannWhitney.test(y, x);
        assertTrue(xy.pValue() >= 0.0 && xy.pValue() <= 1.0);
        assertEquals(xy.pValue(), yx.pValue(), 1e-12);
        assertEquals((double)x.length * y.length, xy.u1() + yx.u1(), 1e-9);
    }

    @Property(tries = 100)
    void invariantUnderMonotoneTransform(
        @ForAll @Size(min = 1, max = 10) final List<@DoubleRange(min = 0.1, max = 100) Double> xs,
        @ForAll @Size(min = 1, max = 10) final List<@DoubleRange(min = 0.1, max = 100) Double> ys) {
        final double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        final double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        final double[] lx = xs.stream().mapToDouble(Math::log).toArray();
        final double[] ly = ys.stream().mapToDouble(Math::log).toArray();
        assertEquals(MannWhitney.test(x, y).pValue(), MannWhitney.test(lx, ly).pValue(), 1e-12);
    }
}
