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
 * @param pValue        two-sided Mann-Whitney U p-value of this row alone.
 * @param pAdjusted     the p-value adjusted for the family of rows tested with it (see {@link Correction}).
 * @param isControl     a ZooKeeper cell: a control, not part of the change under test.
 * @param driftPct      the controls' shift in this metric between the sides, percent; NaN when unknown.
 * @param isSignificant adjusted p &lt; alpha.
 * @param verdict       the judgement.
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
    double pAdjusted,
    boolean isControl,
    double driftPct,
    boolean isSignificant,
    Verdict verdict) {
    /**
     * Compares two samples of one metric on its own: no family, no controls.
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
            p, p, false, Double.NaN, p < alpha, verdict);
    }

    /**
     * Judges this row again as one of a family.
     *
     * @param pAdjusted    the family-adjusted p-value.
     * @param isControl    a control row (its verdict never fails the gate).
     * @param driftPct     the controls' shift in this metric, NaN when unknown.
     * @param isRefused    the sides ran on different machines: no verdict.
     * @param alpha        significance level.
     * @param thresholdPct smallest change that matters, percent.
     * @return the row with the adjusted p-value and its verdict.
     */
    CompareRow judged(final double pAdjusted, final boolean isControl, final double driftPct, final boolean isRefused,
        final double alpha, final double thresholdPct) {
        final Verdict rule = Verdict.judge(oldMedian.median(), newMedian.median(), changePct, pAdjusted, better, alpha,
            thresholdPct);
        final boolean isChange = rule == Verdict.REGRESSION || rule == Verdict.IMPROVEMENT;
        final Verdict v;
        if (isRefused) {
            v = Verdict.UNKNOWN;
        } else if (!isControl && isChange && isNoLargerThan(changePct, driftPct)) {
            v = Verdict.WITHIN_DRIFT;
        } else {
            v = rule;
        }
        return new CompareRow(cell, metric, unit, better, oldMedian, newMedian, nOld, nNew, changePct, pValue,
            pAdjusted, isControl, driftPct, pAdjusted < alpha, v);
    }

    /** @return true when the controls' drift is known and this change is no larger in size. */
    public boolean isWithinDrift() {
        return isNoLargerThan(changePct, driftPct);
    }

    private static boolean isNoLargerThan(final double changePct, final double driftPct) {
        return Double.isFinite(driftPct) && Double.isFinite(changePct) && Math.abs(changePct) <= Math.abs(driftPct);
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
