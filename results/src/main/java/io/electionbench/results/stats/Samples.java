package io.electionbench.results.stats;

import java.util.Arrays;

/**
 * Order statistics over raw samples. Every method takes samples in any order and never modifies
 * its argument; none accepts NaN.
 */
public final class Samples {
    private Samples() {
    }

    /**
     * @param samples raw values.
     * @return a sorted copy.
     * @throws IllegalArgumentException if a value is NaN.
     */
    public static double[] sorted(final double[] samples) {
        final double[] copy = samples.clone();
        for (final double v : copy) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("samples must not contain NaN");
            }
        }
        Arrays.sort(copy);
        return copy;
    }

    /**
     * The median: the middle value, or the mean of the two middle values for an even count.
     *
     * @param samples at least one value.
     * @return the median.
     */
    public static double median(final double[] samples) {
        return quantileOfSorted(sorted(samples), 0.5);
    }

    /**
     * The q-quantile by linear interpolation between the closest ranks (Hyndman and Fan type 7,
     * numpy's default), so {@code quantile(s, 0.5)} is the median and {@code quantile(s, 1)} the max.
     *
     * @param samples at least one value.
     * @param q       in [0, 1].
     * @return the quantile.
     */
    public static double quantile(final double[] samples, final double q) {
        return quantileOfSorted(sorted(samples), q);
    }

    /**
     * As {@link #quantile(double[], double)} over already sorted values.
     *
     * @param sorted ascending values, at least one.
     * @param q      in [0, 1].
     * @return the quantile.
     */
    public static double quantileOfSorted(final double[] sorted, final double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile out of [0, 1]: " + q);
        }
        final double h = (sorted.length - 1) * q;
        final int lo = (int)Math.floor(h);
        final int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * @param samples at least one value.
     * @return the arithmetic mean.
     */
    public static double mean(final double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double sum = 0.0;
        for (final double v : samples) {
            sum += v;
        }
        return sum / samples.length;
    }

    /**
     * The geometric mean, used for benchstat's summary row over ratios new/old.
     *
     * @param values positive values, at least one.
     * @return exp(mean(ln v)).
     */
    public static double geometricMean(final double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double sumLog = 0.0;
        for (final double v : values) {
            if (!(v > 0.0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("geometric mean needs finite positive values, got " + v);
            }
            sumLog += Math.log(v);
        }
        return Math.exp(sumLog / values.length);
    }
}
