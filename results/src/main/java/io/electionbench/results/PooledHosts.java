package io.electionbench.results;

import java.util.List;
import java.util.Optional;

/**
 * Checks that runs pooled into one side of a comparison came from one machine. Only runs of the same
 * kind are compared with each other: a JMH run and a load test never share a cell, and their JVM
 * flags differ by design (a JMH fork's heap and exports, a load generator's own), so a commit that
 * holds both is not "runs from different machines".
 */
public final class PooledHosts {
    private PooledHosts() {
    }

    /**
     * @param runs runs of one side, at least one.
     * @return how a run's host differs from the first run of its kind, if any does.
     */
    public static Optional<String> mixed(final List<RunResult> runs) {
        for (final RunResult r : runs) {
            final RunResult first = firstOfKind(runs, r.kind());
            final List<String> diffs = first.host().differences(r.host());
            if (!diffs.isEmpty()) {
                return Optional.of(String.join("; ", diffs));
            }
        }
        return Optional.empty();
    }

    /**
     * @param runs runs of one side, at least one.
     * @return how a run's machine (CPU, cores, memory) differs from the first run's, if any does,
     *         whatever the kinds: a JMH run and a load test of one machine share its hardware.
     */
    public static Optional<String> mixedMachines(final List<RunResult> runs) {
        for (final RunResult r : runs) {
            final List<String> diffs = runs.get(0).host().machineDifferences(r.host());
            if (!diffs.isEmpty()) {
                return Optional.of("runs from different machines: " + String.join("; ", diffs));
            }
        }
        return Optional.empty();
    }

    /**
     * The hosts to compare across two sides: the first run of each side of a kind both sides have
     * (the old side's first run's kind if the new side has it), else each side's first run.
     */
    public static List<HostInfo> representatives(final List<RunResult> oldRuns, final List<RunResult> newRuns) {
        for (final RunResult r : oldRuns) {
            final RunResult match = firstOfKindOrNull(newRuns, r.kind());
            if (match != null) {
                return List.of(r.host(), match.host());
            }
        }
        return List.of(oldRuns.get(0).host(), newRuns.get(0).host());
    }

    private static RunResult firstOfKind(final List<RunResult> runs, final Kind kind) {
        final RunResult first = firstOfKindOrNull(runs, kind);
        return first != null ? first : runs.get(0);
    }

    private static RunResult firstOfKindOrNull(final List<RunResult> runs, final Kind kind) {
        for (final RunResult r : runs) {
            if (r.kind() == kind) {
                return r;
            }
        }
        return null;
    }
}
