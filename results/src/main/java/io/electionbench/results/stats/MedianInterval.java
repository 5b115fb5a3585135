package io.electionbench.results.stats;

import org.apache.commons.statistics.distribution.BinomialDistribution;

/**
 * A median with a distribution-free confidence interval.
 *
 * @param median     the sample median.
 * @param lo         lower bound: an order statistic of the sample.
 * @param hi         upper bound: an order statistic of the sample.
 * @param confidence the requested coverage, e.g. 0.95.
 * @param isAvailable false when even [min, max] covers the median with less than the requested
 *                   confidence (fewer than 6 samples at 95%); then lo and hi are min and max and
 *                   the interval is reported as unbounded ("± ∞").
 */
public record MedianInterval(double median, double lo, double hi, double confidence, boolean isAvailable) {
    /**
     * Computes the interval [x(k), x(n+1-k)] (1-based order statistics) with the largest k whose
     * coverage 1 - 2 P(B &lt;= k-1), B ~ Binomial(n, 1/2), is at least the confidence. This is
     * exact for any continuous distribution, as benchstat does; ties make it conservative.
     *
     * @param samples    at least one value.
     * @param confidence in (0, 1).
     * @return the median and its interval.
     */
    public static MedianInterval of(final double[] samples, final double confidence) {
        if (!(confidence > 0.0 && confidence < 1.0)) {
            throw new IllegalArgumentException("confidence out of (0, 1): " + confidence);
        }
        final double[] sorted = Samples.sorted(samples);
        final int n = sorted.length;
        final double median = Samples.quantileOfSorted(sorted, 0.5);
        final int best = largestK(n, confidence);
        if (best == 0) {
            return new MedianInterval(median, sorted[0], sorted[n - 1], confidence, false);
        }
        return new MedianInterval(median, sorted[best - 1], sorted[n - best], confidence, true);
    }

    /**
     * Half-width relative to the median, in percent: the larger distance from the median to a
     * bound. Infinite when unavailable or when the median is zero and the interval is not.
     *
     * @return the "± x%" benchstat prints.
     */
    public double relativeHalfWidthPct() {
        if (!isAvailable) {
            return Double.POSITIVE_INFINITY;
        }
        final double half = Math.max(median - lo, hi - median);
        if (half == 0.0) {
            return 0.0;
        }
        return median == 0.0 ? Double.POSITIVE_INFINITY : 100.0 * half / Math.abs(median);
    }

    /**
     * The largest k in [0, (n+1)/2] with 1 - 2 P(B &lt;= k-1) &gt;= confidence, B ~ Binomial(n, 1/2),
     * found from Commons Statistics' inverse CDF and checked against the condition itself.
     */
    static int largestK(final int n, final double confidence) {
        final BinomialDistribution b = BinomialDistribution.of(n, 0.5);
        int j = b.inverseCumulativeProbability((1.0 - confidence) / 2.0);
        while (j >= 0 && !(1.0 - 2.0 * b.cumulativeProbability(j) >= confidence)) {
            j--;
        }
        while (j + 1 < (n + 1) / 2 && 1.0 - 2.0 * b.cumulativeProbability(j + 1) >= confidence) {
            j++;
        }
        return Math.min(j + 1, (n + 1) / 2);
    }
}
