package io.electionbench.results.compare;

/**
 * benchstat's summary row for one metric: geometric means of the old and new medians over every
 * compared cell whose medians are both positive.
 *
 * @param metric    metric name.
 * @param unit      unit.
 * @param oldValue  geometric mean of old medians.
 * @param newValue  geometric mean of new medians.
 * @param changePct (geometric mean of new/old ratios - 1) * 100.
 * @param cells     how many cells entered the mean.
 */
public record GeomeanRow(String metric, String unit, double oldValue, double newValue, double changePct, int cells) {
}
