package io.electionbench.results;

import io.electionbench.results.stats.Samples;

import java.util.Arrays;
import java.util.Objects;

/**
 * One measured quantity of a cell: its unit, which direction is better, every raw sample, and a
 * summary derived from the samples (quantiles by linear interpolation, see {@link Samples#quantile}).
 * Immutable; the summary of an empty metric is NaN (written as JSON null).
 *
 * <p>A <em>per-run</em> metric has, by design, one sample per run: a total or summary over the
 * whole run, such as {@code failed_trials}. Its sample count is the number of runs, not of
 * trials, so {@code compare} does not warn that it is small.
 *
 * <p>A metric imported from JMH also keeps JMH's own summary ({@link #jmh()}).
 */
public final class Metric {
    private final String unit;
    private final Better better;
    private final double[] samples;
    private final double[] sorted;
    private final double mean;
    private final boolean isPerRun;
    private final JmhScore jmh;

    private Metric(final String unit, final Better better, final double[] samples, final boolean isPerRun,
        final JmhScore jmh) {
        this.unit = Objects.requireNonNull(unit, "unit");
        this.better = Objects.requireNonNull(better, "better");
        this.samples = samples;
        this.isPerRun = isPerRun;
        this.jmh = jmh;
        this.sorted = Samples.sorted(samples);
        this.mean = samples.length == 0 ? Double.NaN : Samples.mean(samples);
    }

    /**
     * @param unit    e.g. "ms", "ns/op", "ops/s".
     * @param better  which direction is an improvement.
     * @param samples raw values in measurement order; copied; no NaN.
     * @return the metric.
     */
    public static Metric of(final String unit, final Better better, final double... samples) {
        return new Metric(unit, better, samples.clone(), false, null);
    }

    /**
     * A metric that has one sample per run by design: a total or summary over the run.
     *
     * @param unit    e.g. "trials".
     * @param better  which direction is an improvement.
     * @param samples the run's value (several when runs are merged, one per run); copied; no NaN.
     * @return the metric, marked per-run.
     */
    public static Metric perRun(final String unit, final Better better, final double... samples) {
        return new Metric(unit, better, samples.clone(), true, null);
    }

    /**
     * Starts a metric whose samples arrive one by one.
     *
     * @param unit   e.g. "ms".
     * @param better which direction is an improvement.
     * @return a builder.
     */
    public static Builder builder(final String unit, final Better better) {
        return new Builder(unit, better);
    }

    /** @return the unit. */
    public String unit() {
        return unit;
    }

    /** @return which direction is an improvement. */
    public Better better() {
        return better;
    }

    /** @return a copy of the raw samples in measurement order. */
    public double[] samples() {
        return samples.clone();
    }

    /** @return true when each sample is a total or summary over one run (see the class comment). */
    public boolean isPerRun() {
        return isPerRun;
    }

    /** @return this metric marked per-run, as a reader does for files older than the marker. */
    public Metric asPerRun() {
        return isPerRun ? this : new Metric(unit, better, samples, true, jmh);
    }

    /** @return JMH's own summary of this metric, or null when it did not come from JMH. */
    public JmhScore jmh() {
        return jmh;
    }

    /**
     * @param score JMH's summary, or null.
     * @return this metric with that summary.
     */
    public Metric withJmh(final JmhScore score) {
        if (Objects.equals(score, jmh)) {
            return this;
        }
        return new Metric(unit, better, samples, isPerRun, score);
    }

    /** @return the number of samples. */
    public int n() {
        return samples.length;
    }

    /**
     * @param q in [0, 1].
     * @return the q-quantile, NaN when there are no samples.
     */
    public double quantile(final double q) {
        return sorted.length == 0 ? Double.NaN : Samples.quantileOfSorted(sorted, q);
    }

    /** @return the median. */
    public double p50() {
        return quantile(0.5);
    }

    /** @return the 90th percentile. */
    public double p90() {
        return quantile(0.9);
    }

    /** @return the 99th percentile. */
    public double p99() {
        return quantile(0.99);
    }

    /** @return the 99.9th percentile. */
    public double p999() {
        return quantile(0.999);
    }

    /** @return the largest sample. */
    public double max() {
        return quantile(1.0);
    }

    /** @return the arithmetic mean. */
    public double mean() {
        return mean;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Metric m && unit.equals(m.unit) && better == m.better && isPerRun == m.isPerRun
            && Arrays.equals(samples, m.samples) && Objects.equals(jmh, m.jmh);
    }

    @Override
    public int hashCode() {
        return Objects.hash(unit, better, isPerRun, Arrays.hashCode(samples), jmh);
    }

    @Override
    public String toString() {
        return "Metric{" + unit + ", " + better.json() + (isPerRun ? ", per run" : "") + ", n=" + samples.length
            + ", p50=" + p50() + "}";
    }

    /** Collects samples one at a time; not thread-safe. */
    public static final class Builder {
        private final String unit;
        private final Better better;
        private double[] values = new double[16];
        private int size;
        private boolean isPerRun;

        private Builder(final String unit, final Better better) {
            this.unit = Objects.requireNonNull(unit, "unit");
            this.better = Objects.requireNonNull(better, "better");
        }

        /**
         * @param value a raw sample, not NaN.
         * @return this.
         */
        public Builder add(final double value) {
            if (Double.isNaN(value)) {
                throw new IllegalArgumentException("sample must not be NaN");
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
            return this;
        }

        /**
         * @param isPerRun true when each sample is a total or summary over one run.
         * @return this.
         */
        public Builder perRun(final boolean isPerRun) {
            this.isPerRun = isPerRun;
            return this;
        }

        /** @return the metric holding every sample added so far. */
        public Metric build() {
            return new Metric(unit, better, Arrays.copyOf(values, size), isPerRun, null);
        }
    }
}
