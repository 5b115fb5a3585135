package io.electionbench.results.report;

import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.JmhImport;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.compare.CompareRow;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.compare.Pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each commit against the one before it, judged exactly as {@code compare} judges two commits:
 * the family-wise correction, the ZooKeeper controls as drift, no verdicts across machines.
 * The report's summary is the last step; the history marks are every step's regressions.
 */
final class History {
    /**
     * One commit against the previous one.
     *
     * @param from       the older commit.
     * @param to         the newer commit.
     * @param comparison the comparison, null when nothing was on both sides.
     * @param problem    why there is no comparison, else null.
     */
    record Step(String from, String to, Comparison comparison, String problem) {
        /** @return the row of our change or control for that cell and metric, or null. */
        CompareRow row(final String cell, final String metric) {
            if (comparison == null) {
                return null;
            }
            for (final List<CompareRow> rows : List.of(comparison.rows(), comparison.controls())) {
                for (final CompareRow r : rows) {
                    if (r.cell().equals(cell) && r.metric().equals(metric)) {
                        return r;
                    }
                }
            }
            return null;
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Step> stepTo = new HashMap<>();

    /**
     * @param commitOrder  commits oldest first.
     * @param runsByCommit every commit's runs.
     * @param options      as for compare.
     */
    History(final List<String> commitOrder, final Map<String, List<RunResult>> runsByCommit,
        final Comparison.Options options) {
        for (int i = 1; i < commitOrder.size(); i++) {
            final String from = commitOrder.get(i - 1);
            final String to = commitOrder.get(i);
            Step step;
            try {
                step = new Step(from, to,
                    Comparison.of(from, runsByCommit.get(from), to, runsByCommit.get(to), options), null);
            } catch (final ResultsException ex) {
                step = new Step(from, to, null, ex.getMessage());
            }
            steps.add(step);
            stepTo.put(to, step);
        }
    }

    /** @return every step, oldest first. */
    List<Step> steps() {
        return List.copyOf(steps);
    }

    /** @return the step into that commit, or null for the first commit. */
    Step into(final String commit) {
        return stepTo.get(commit);
    }

    /** @return the last step, or null with fewer than two commits. */
    Step last() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    /**
     * The summary and the regression list count primary metrics only: the metric a load test or a
     * JMH mode measures, not JMH's secondary metrics (GC profiler, counters, group members), and
     * never a metric whose direction was not declared.
     *
     * @param cell   the cell (for its kind), or null when unknown.
     * @param metric the metric name.
     * @param better its direction.
     * @return true for a primary metric with a declared direction.
     */
    static boolean isPrimary(final Cell cell, final String metric, final Better better) {
        return better != Better.UNKNOWN && (cell == null || !cell.isJmh() || JmhImport.isPrimaryMetric(metric));
    }

    /** @return the rows of our primary metrics in a comparison, in its order. */
    static List<CompareRow> primaryRows(final Comparison c, final Pool pool) {
        return c.rows().stream().filter(r -> isPrimary(pool.cell(r.cell()), r.metric(), r.better())).toList();
    }
}
