package io.electionbench.results.stats;

import org.apache.commons.statistics.descriptive.GeometricMean;
import org.apache.commons.statistics.descriptive.Mean;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.descriptive.NaNPolicy;
import org.apache.commons.statistics.descriptive.Quantile;

import java.util.Arrays;

/**
 * Order statistics over raw samples, computed by Apache Commons Statistics' descriptive module.
 * Every method takes samples in any order and never modifies its argument; none accepts NaN.
 */
public final class Samples {
    /** Hyndman and Fan type 7, numpy's default; works on a copy and refuses NaN. */
    private static final Quantile QUANTILE = Quantile.withDefaults().with(Quantile.EstimationMethod.HF7)
        .with(NaNPolicy.ERROR).withCopy(true);
    private static final Median MEDIAN = Median.withDefaults().with(NaNPolicy.ERROR).withCopy(true);

    private Samples() {
    }

    /**
     * @param samples raw values.
     * @return a sorted copy.
     * @throws IllegalArgumentException if a value is NaN.
     */
    public static double[] sorted(final double[] samples) {
        final double[] copy = samples.clone();
        requireNoNaN(copy);
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
        requireSome(samples);
        return MEDIAN.evaluate(samples);
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
        requireSome(samples);
        requireProbability(q);
        return QUANTILE.evaluate(samples, q);
    }

    /**
     * As {@link #quantile(double[], double)} over already sorted values.
     *
     * @param sorted ascending values, at least one.
     * @param q      in [0, 1].
     * @return the quantile.
     */
    public static double quantileOfSorted(final double[] sorted, final double q) {
        requireSome(sorted);
        requireProbability(q);
        return QUANTILE.evaluate(sorted.length, i -> sorted[i], q);
    }

    /**
     * @param samples at least one value.
     * @return the arithmetic mean.
     */
    public static double mean(final double[] samples) {
        requireSome(samples);
        return Mean.of(samples).getAsDouble();
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
        for (final double v : values) {
            if (!(v > 0.0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("geometric mean needs finite positive values, got " + v);
            }
        }
        return GeometricMean.of(values).getAsDouble();
    }

    private static void requireSome(final double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        requireNoNaN(samples);
    }

    private static void requireNoNaN(final double[] samples) {
        for (final double v : samples) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("samples must not contain NaN");
            }
        }
    }

    private static void requireProbability(final double q) {
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile out of [0, 1]: " + q);
        }
    }
}
