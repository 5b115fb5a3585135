package io.electionbench.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JMH's own summary of one metric, kept as JMH computed it ({@code -rf json}): the score, its error
 * (half-width of the 99.9% confidence interval, from Student's t over the iterations), that interval,
 * and the percentiles of the iteration scores. The raw samples remain the source of truth for
 * {@code compare}; this keeps what a JMH user reads, so nothing JMH reported is lost in the store.
 * NaN stands for a value JMH did not compute (it writes {@code "NaN"}, e.g. the error of one
 * iteration).
 *
 * @param score        {@code score}.
 * @param scoreError   {@code scoreError}.
 * @param confidenceLo {@code scoreConfidence[0]}.
 * @param confidenceHi {@code scoreConfidence[1]}.
 * @param percentiles  {@code scorePercentiles}: percentile ("50.0") to value, in JMH's order.
 */
public record JmhScore(double score, double scoreError, double confidenceLo, double confidenceHi,
    Map<String, Double> percentiles) {
    /** Copies the percentiles. */
    public JmhScore {
        percentiles = Collections.unmodifiableMap(new LinkedHashMap<>(percentiles == null ? Map.of() : percentiles));
    }
}
