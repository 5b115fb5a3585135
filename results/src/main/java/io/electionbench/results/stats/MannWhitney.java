package io.electionbench.results.stats;

import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * The two-sided Mann-Whitney U test, matching {@code scipy.stats.mannwhitneyu(x, y,
 * alternative='two-sided')} with its defaults ({@code method='auto'}, {@code use_continuity=True}),
 * computed by Apache Commons Statistics' {@link MannWhitneyUTest}.
 *
 * <p>Only the choice of method is ours, because Commons' own {@code AUTO} differs from scipy's
 * ({@code _mwu_choose_method} in {@code scipy/stats/_mannwhitneyu.py}): scipy uses the exact null
 * distribution when there are no ties and the smaller sample has at most 8 values, and the normal
 * approximation with tie and continuity corrections otherwise. Commons tabulates the exact
 * distribution in {@code (n1+1)(n2+1)(min(U1, U2)+1)} doubles, so a tiny sample against a huge one
 * (8 against thousands) takes the normal approximation when that table would exceed
 * {@link #EXACT_MAX_TABLE} entries; there the two agree to about 1e-3. The statistic reported is
 * U1, the U of the first sample; the p-value is 2 P(U &gt;= max(U1, U2)) clipped to [0, 1].
 */
public final class MannWhitney {
    /** scipy's bound: exact when min(n1, n2) &lt;= this and there are no ties. */
    public static final int EXACT_MAX_SMALLER_SIZE = 8;
    /** Largest exact-distribution table (entries) Commons may build for one test: 16 MiB of doubles. */
    public static final long EXACT_MAX_TABLE = 1L << 21;

    private static final MannWhitneyUTest EXACT = MannWhitneyUTest.withDefaults().with(PValueMethod.EXACT);
    private static final MannWhitneyUTest ASYMPTOTIC = MannWhitneyUTest.withDefaults().with(PValueMethod.ASYMPTOTIC);

    /** Which null distribution gave the p-value. */
    public enum Method {
        /** Exact permutation distribution of U (no ties). */
        EXACT,
        /** Normal approximation with tie and continuity corrections. */
        ASYMPTOTIC
    }

    /**
     * @param u1     U statistic of the first sample: pairs (x, y) with x &gt; y, ties counting 1/2.
     * @param pValue two-sided p-value.
     * @param method the distribution used.
     */
    public record Result(double u1, double pValue, Method method) {
    }

    private MannWhitney() {
    }

    /**
     * Runs the test with scipy's automatic choice of method.
     *
     * @param x first sample, at least one value, no NaN.
     * @param y second sample, at least one value, no NaN.
     * @return U1, the p-value and the method used.
     * @throws IllegalArgumentException when a sample is empty or holds NaN.
     */
    public static Result test(final double[] x, final double[] y) {
        final Outcome asymptotic = run(ASYMPTOTIC, x, y);
        final double u1 = asymptotic.u1();
        final double uMin = Math.min(u1, (double)x.length * y.length - u1);
        final boolean isExact = !asymptotic.hasTies()
            && Math.min(x.length, y.length) <= EXACT_MAX_SMALLER_SIZE
            && (x.length + 1.0) * (y.length + 1.0) * (uMin + 1.0) <= EXACT_MAX_TABLE;
        if (!isExact) {
            return new Result(u1, asymptotic.pValue(), Method.ASYMPTOTIC);
        }
        return new Result(u1, run(EXACT, x, y).pValue(), Method.EXACT);
    }

    /**
     * The exact two-sided p-value. With ties the exact distribution does not apply and Commons
     * gives the tie-corrected normal approximation instead, as {@link #test} does.
     *
     * @param x first sample.
     * @param y second sample.
     * @return 2 P(U &gt;= max(U1, U2)) under the null, clipped to 1.
     */
    public static double exactPValue(final double[] x, final double[] y) {
        return run(EXACT, x, y).pValue();
    }

    /**
     * The normal approximation with tie correction and continuity correction.
     *
     * @param x first sample.
     * @param y second sample.
     * @return the two-sided p-value.
     */
    public static double asymptoticPValue(final double[] x, final double[] y) {
        return run(ASYMPTOTIC, x, y).pValue();
    }

    /** What one Commons test gave: U1, whether values were tied, the p-value. */
    private record Outcome(double u1, boolean hasTies, double pValue) {
    }

    /**
     * Commons returns NaN when every value is tied (zero variance); scipy divides -0.5 by 0 there,
     * gets z = -inf and p = 1, which is what "no evidence of a difference" means.
     */
    private static Outcome run(final MannWhitneyUTest test, final double[] x, final double[] y) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        for (final double[] s : new double[][]{x, y}) {
            for (final double v : s) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("samples must not contain NaN");
                }
            }
        }
        final MannWhitneyUTest.Result r = test.test(x, y);
        return new Outcome(r.getStatistic(), r.hasTiedValues(), Double.isNaN(r.getPValue()) ? 1.0 : r.getPValue());
    }
}
