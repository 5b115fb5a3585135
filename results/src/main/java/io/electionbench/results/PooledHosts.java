package io.electionbench.results;

import java.util.List;
import java.util.Optional;

/**
 * Checks that runs pooled into one side of a comparison came from one machine.
 */
public final class PooledHosts {
    private PooledHosts() {
    }

    /**
     * @param runs runs of one side, at least one.
     * @return how the first run's host differs from the first run on another machine, if any.
     */
    public static Optional<String> mixed(final List<RunResult> runs) {
        final HostInfo first = runs.get(0).host();
        for (final RunResult r : runs) {
            final List<String> diffs = first.differences(r.host());
            if (!diffs.isEmpty()) {
                return Optional.of(String.join("; ", diffs));
            }
        }
        return Optional.empty();
    }
}
