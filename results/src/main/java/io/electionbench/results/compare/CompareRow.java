package io.electionbench.results.compare;

import io.electionbench.results.Better;
import io.electionbench.results.stats.MannWhitney;
import io.electionbench.results.stats.MedianInterval;

/**
 * One cell and metric compared between an old and a new side.
 *
 * @param cell          cell id.
 * @param metric        metric name.
 * @param unit          unit.
 * @param better        which direction is an improvement.
 * @param oldMedian     old median with its confidence interval.
 * @param newMedian     new median with its confidence interval.
 * @param nOld          old sample count.
 * @param nNew          new sample count.
 * @param changePct     (new - old) / |old| * 100; NaN when the old median is 0 and the new is not.
 * @param pValue        two-sided Mann-Whitney U p-value.
 * @param isSignificant p &lt; alpha.
 * @param verdict       regression, improvement or ~.
 */
public record CompareRow(
    String cell,
    String metric,
    String unit,
    Better better,
    MedianInterval oldMedian,
    MedianInterval newMedian,
    int nOld,
    int nNew,
    double changePct,
    double pValue,
    boolean isSignificant,
    Verdict verdict) {
    /**
     * Compares two samples of one metric.
     *
     * @param cell         cell id.
     * @param metric       metric name.
     * @param unit         unit.
     * @param better       direction.
     * @param oldSamples   at least one value.
     * @param newSamples   at least one value.
     * @param thresholdPct smallest change that matters, percent.
     * @param alpha        significance level; the intervals' confidence is 1 - alpha.
     * @return the row.
     */
    public static CompareRow of(
        final String cell,
        final String metric,
        final String unit,
        final Better better,
        final double[] oldSamples,
        final double[] newSamples,
        final double thresholdPct,
        final double alpha) {
        final MedianInterval oldCi = MedianInterval.of(oldSamples, 1.0 - alpha);
        final MedianInterval newCi = MedianInterval.of(newSamples, 1.0 - alpha);
        final double change = changePct(oldCi.median(), newCi.median());
        final double p = MannWhitney.test(oldSamples, newSamples).pValue();
        final Verdict verdict = Verdict.judge(oldCi.median(), newCi.median(), change, p, better, alpha, thresholdPct);
        return new CompareRow(cell, metric, unit, better, oldCi, newCi, oldSamples.length, newSamples.length, change,
            p, p < alpha, verdict);
    }

    /**
     * @param oldMedian before.
     * @param newMedian after.
     * @return the change in percent of |old|; 0 when both are 0, NaN when only old is 0.
     */
    public static double changePct(final double oldMedian, final double newMedian) {
        if (oldMedian == 0.0) {
            return newMedian == 0.0 ? 0.0 : Double.NaN;
        }
        return (newMedian - oldMedian) / Math.abs(oldMedian) * 100.0;
    }
}
