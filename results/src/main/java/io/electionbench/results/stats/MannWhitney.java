package io.electionbench.results.stats;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Arrays;

/**
 * The two-sided Mann-Whitney U test, matching {@code scipy.stats.mannwhitneyu(x, y,
 * alternative='two-sided')} with its defaults ({@code method='auto'}, {@code use_continuity=True}).
 *
 * <p>Like scipy, {@code auto} uses the exact null distribution when there are no ties and at least
 * one sample has at most 8 values, and the normal approximation with tie and continuity corrections
 * otherwise. The statistic reported is U1, the U of the first sample; the p-value is
 * 2 P(U &gt;= max(U1, U2)) clipped to [0, 1].
 */
public final class MannWhitney {
    /** scipy's bound: exact when min(n1, n2) &lt;= this and there are no ties. */
    public static final int EXACT_MAX_SMALLER_SIZE = 8;

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
     */
    public static Result test(final double[] x, final double[] y) {
        final Ranks ranks = Ranks.of(x, y);
        final boolean useExact = !ranks.hasTies
            && Math.min(x.length, y.length) <= EXACT_MAX_SMALLER_SIZE;
        final double p = useExact ? exactP(ranks) : asymptoticP(ranks);
        return new Result(ranks.u1, p, useExact ? Method.EXACT : Method.ASYMPTOTIC);
    }

    /**
     * The exact two-sided p-value, ignoring ties as scipy's {@code method='exact'} does (U is
     * truncated to an integer). Costs O(min(n1,n2) * n1 * n2) big-integer additions.
     *
     * @param x first sample.
     * @param y second sample.
     * @return 2 P(U &gt;= max(U1, U2)) under the null, clipped to 1.
     */
    public static double exactPValue(final double[] x, final double[] y) {
        return exactP(Ranks.of(x, y));
    }

    /**
     * The normal approximation with tie correction and continuity correction.
     *
     * @param x first sample.
     * @param y second sample.
     * @return the two-sided p-value.
     */
    public static double asymptoticPValue(final double[] x, final double[] y) {
        return asymptoticP(Ranks.of(x, y));
    }

    private static double exactP(final Ranks r) {
        final int u = (int)Math.max(r.u1, (double)r.n1 * r.n2 - r.u1);
        final BigInteger[] counts = uCounts(r.n1, r.n2);
        BigInteger tail = BigInteger.ZERO;
        BigInteger total = BigInteger.ZERO;
        for (int k = 0; k < counts.length; k++) {
            total = total.add(counts[k]);
            if (k >= u) {
                tail = tail.add(counts[k]);
            }
        }
        final double sf = new BigDecimal(tail).divide(new BigDecimal(total), MathContext.DECIMAL64).doubleValue();
        return Math.min(1.0, 2.0 * sf);
    }

    private static double asymptoticP(final Ranks r) {
        final double n1 = r.n1;
        final double n2 = r.n2;
        final double n = n1 + n2;
        final double u = Math.max(r.u1, n1 * n2 - r.u1);
        final double mu = n1 * n2 / 2.0;
        final double variance = n1 * n2 / 12.0 * ((n + 1.0) - r.tieTerm / (n * (n - 1.0)));
        final double numerator = u - mu - 0.5;
        if (!(variance > 0.0)) {
            // Every value tied (or n = 2): scipy divides -0.5 by 0, gets z = -inf and p = 1.
            return 1.0;
        }
        final double z = numerator / Math.sqrt(variance);
        return Math.min(1.0, Math.max(0.0, 2.0 * Erfc.normalSf(z)));
    }

    /**
     * Number of arrangements of n1 + n2 distinct values giving each U in [0, n1*n2]: the
     * coefficients of the Gaussian binomial [n1+n2 choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
     * m = min, n = max. Exact integers, so tail sums lose nothing to cancellation.
     */
    static BigInteger[] uCounts(final int n1, final int n2) {
        final int m = Math.min(n1, n2);
        final int n = Math.max(n1, n2);
        final int degree = m * n;
        final BigInteger[] c = new BigInteger[degree + 1];
        Arrays.fill(c, BigInteger.ZERO);
        c[0] = BigInteger.ONE;
        for (int i = 1; i <= m; i++) {
            final int shift = n + i;
            for (int k = degree; k >= shift; k--) {
                c[k] = c[k].subtract(c[k - shift]);
            }
            for (int k = i; k <= degree; k++) {
                c[k] = c[k].add(c[k - i]);
            }
        }
        return c;
    }

    /** Average ranks of the pooled sample, U1 and the tie term sum(t^3 - t). */
    private static final class Ranks {
        final int n1;
        final int n2;
        final double u1;
        final double tieTerm;
        final boolean hasTies;

        private Ranks(final int n1, final int n2, final double u1, final double tieTerm, final boolean hasTies) {
            this.n1 = n1;
            this.n2 = n2;
            this.u1 = u1;
            this.tieTerm = tieTerm;
            this.hasTies = hasTies;
        }

        static Ranks of(final double[] x, final double[] y) {
            if (x.length == 0 || y.length == 0) {
                throw new IllegalArgumentException("both samples need at least one value");
            }
            final int n = x.length + y.length;
            final double[] values = new double[n];
            final boolean[] isFirst = new boolean[n];
            final Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                values[i] = i < x.length ? x[i] : y[i - x.length];
                if (Double.isNaN(values[i])) {
                    throw new IllegalArgumentException("samples must not contain NaN");
                }
                isFirst[i] = i < x.length;
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
            return rank(values, isFirst, order, x.length, y.length);
        }

        private static Ranks rank(
            final double[] values, final boolean[] isFirst, final Integer[] order, final int n1, final int n2) {
            double rankSum1 = 0.0;
            double tieTerm = 0.0;
            int i = 0;
            while (i < order.length) {
                int j = i;
                while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                    j++;
                }
                final double averageRank = (i + j) / 2.0 + 1.0;
                final double t = j - i + 1;
                tieTerm += t * t * t - t;
                for (int k = i; k <= j; k++) {
                    if (isFirst[order[k]]) {
                        rankSum1 += averageRank;
                    }
                }
                i = j + 1;
            }
            final double u1 = rankSum1 - n1 * (n1 + 1.0) / 2.0;
            return new Ranks(n1, n2, u1, tieTerm, tieTerm > 0.0);
        }
    }
}
