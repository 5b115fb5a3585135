package io.electionbench.results.cli;

import io.electionbench.results.ResultsException;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.compare.Correction;
import picocli.CommandLine.Option;

/** The significance options shared by {@code compare} and {@code continuous} (a picocli mixin). */
public final class ComparisonOptions {
    @Option(names = "--correction", paramLabel = "none|holm", defaultValue = "holm",
        description = "Family-wise correction of the p-values over the rows tested (default: ${DEFAULT-VALUE}).")
    private String correction;

    @Option(names = "--allow-host-mismatch",
        description = "Give verdicts even when the sides ran on different machines (CPU, cores, memory).")
    private boolean isHostMismatchAllowed;

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5",
        description = "Smallest change in percent that counts (default: ${DEFAULT-VALUE}).")
    private double thresholdPct;

    @Option(names = "--alpha", defaultValue = "0.05",
        description = "Significance level; intervals are at 1 - alpha (default: ${DEFAULT-VALUE}).")
    private double alpha;

    /** @return the threshold in percent, checked to be a finite non-negative number (else a ResultsException). */
    double thresholdPct() {
        if (!(thresholdPct >= 0.0) || Double.isInfinite(thresholdPct)) {
            throw new ResultsException("--threshold must be a non-negative percentage, got " + thresholdPct);
        }
        return thresholdPct;
    }

    /** @return alpha, checked to be in (0, 1). */
    double alpha() {
        if (!(alpha > 0.0 && alpha < 1.0)) {
            throw new ResultsException("--alpha must be in (0, 1), got " + alpha);
        }
        return alpha;
    }

    /** @return the options the comparison judges by, each checked (else a ResultsException). */
    Comparison.Options options() {
        final Correction c = Correction.parse(correction);
        if (c == null) {
            throw new ResultsException("--correction must be none or holm, got '" + correction + "'");
        }
        return new Comparison.Options(thresholdPct(), alpha(), c, isHostMismatchAllowed);
    }
}
