package io.electionbench.results.compare;

import io.electionbench.results.Better;

/**
 * The samples of one metric of one cell, pooled over every run of a side.
 *
 * @param unit     the unit all pooled runs agree on.
 * @param better   which direction is an improvement.
 * @param samples  all raw samples, run after run.
 * @param isPerRun some pooled run marks the metric per-run: one sample per run by design.
 */
public record PooledMetric(String unit, Better better, double[] samples, boolean isPerRun) {
}
