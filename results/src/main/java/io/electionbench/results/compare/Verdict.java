package io.electionbench.results.compare;

import io.electionbench.results.Better;

/**
 * The judgement on one compared metric, the same rule for {@code compare} and the report's
 * history marks.
 */
public enum Verdict {
    /** Significant change in the worse direction, at least the threshold. */
    REGRESSION("regression"),
    /** Significant change in the better direction, at least the threshold. */
    IMPROVEMENT("improvement"),
    /**
     * Significant and at least the threshold, of a metric whose direction is not declared
     * ({@link Better#UNKNOWN}): neither better nor worse, and never a failure of the gate.
     */
    CHANGED("changed"),
    /** Not significant, or smaller than the threshold. */
    SAME("~"),
    /**
     * Would be a regression or an improvement, but the change is no larger than the shift of the
     * ZooKeeper controls in the same metric: not distinguishable from machine drift.
     */
    WITHIN_DRIFT("within drift"),
    /** No verdict: the sides ran on different machines (see {@code --allow-host-mismatch}). */
    UNKNOWN("?");

    private final String label;

    Verdict(final String label) {
        this.label = label;
    }

    /** @return "regression", "improvement", "changed", "~", "within drift" or "?". */
    public String label() {
        return label;
    }

    /**
     * A change counts only when it is statistically significant (p &lt; alpha) and at least the
     * threshold in size; its direction against {@code better} then decides, and without a declared
     * direction it is {@link #CHANGED}. A change from a zero
     * median has no percentage (NaN) and counts as exceeding any threshold.
     *
     * @param oldMedian    median before.
     * @param newMedian    median after.
     * @param changePct    (new - old) / |old| * 100, NaN when old is zero.
     * @param pValue       two-sided Mann-Whitney U p-value, adjusted for the family tested.
     * @param better       which direction is an improvement.
     * @param alpha        significance level, e.g. 0.05.
     * @param thresholdPct smallest change that matters, in percent, e.g. 5.
     * @return the verdict.
     */
    public static Verdict judge(
        final double oldMedian,
        final double newMedian,
        final double changePct,
        final double pValue,
        final Better better,
        final double alpha,
        final double thresholdPct) {
        if (!(pValue < alpha) || newMedian == oldMedian) {
            return SAME;
        }
        if (!Double.isNaN(changePct) && Math.abs(changePct) < thresholdPct) {
            return SAME;
        }
        if (better == Better.UNKNOWN) {
            return CHANGED;
        }
        final boolean isWorse = better == Better.LOWER ? newMedian > oldMedian : newMedian < oldMedian;
        return isWorse ? REGRESSION : IMPROVEMENT;
    }
}
