package io.electionbench.results.compare;

import io.electionbench.results.HostInfo;
import io.electionbench.results.PooledHosts;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.stats.Samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The result of comparing an old side with a new side: one row per cell and metric present on
 * both, a geometric-mean row per metric, and warnings a reader must see before trusting the rows.
 * ZooKeeper cells ({@link io.electionbench.results.Cell#isControl()}) are controls: they are
 * compared in their own list, stay out of the geometric means and the gate, and their shift is the
 * machine drift against which our rows are read. See docs/results.md.
 *
 * @param rows         our rows (controls excluded), in the old side's cell order.
 * @param controls     the ZooKeeper control rows, in the old side's cell order.
 * @param geomeans     one per metric name with at least one positive pair of medians, over our rows.
 * @param drift        per metric, the geometric mean shift of the controls; empty unless both sides
 *                     have the same ZooKeeper cells.
 * @param warnings     too few samples, different machines, dirty trees, unmatched cells.
 * @param options      how the rows were judged.
 * @param hostMismatch how the machines differ (CPU, cores, memory) between or within the sides;
 *                     null when they are one machine.
 */
public record Comparison(
    List<CompareRow> rows,
    List<CompareRow> controls,
    List<GeomeanRow> geomeans,
    List<GeomeanRow> drift,
    List<String> warnings,
    Options options,
    String hostMismatch) {
    /** Below this many samples a 95% median interval is unbounded and p cannot drop below 0.05. */
    public static final int MIN_SAMPLES = 6;
    /** The small-sample warning names at most this many cells, then counts the rest. */
    private static final int MAX_CELLS_NAMED = 3;

    /**
     * How rows are judged.
     *
     * @param thresholdPct        smallest change that counts, percent.
     * @param alpha               significance level for the family.
     * @param correction          family-wise correction over our rows (controls are a family of their own).
     * @param isHostMismatchAllowed give verdicts even when the sides ran on different machines.
     */
    public record Options(double thresholdPct, double alpha, Correction correction, boolean isHostMismatchAllowed) {
        /**
         * @param thresholdPct smallest change that counts, percent.
         * @param alpha        significance level.
         * @return Holm-Bonferroni, no verdicts across machines: the gate's defaults.
         */
        public static Options defaults(final double thresholdPct, final double alpha) {
            return new Options(thresholdPct, alpha, Correction.HOLM, false);
        }
    }

    /** Copies the lists. */
    public Comparison {
        rows = List.copyOf(rows);
        controls = List.copyOf(controls);
        geomeans = List.copyOf(geomeans);
        drift = List.copyOf(drift);
        warnings = List.copyOf(warnings);
    }

    /**
     * As {@link #of(String, List, String, List, Options)} with the gate's defaults.
     *
     * @param oldName      how the user named the old side, for the error message.
     * @param oldRuns      runs of the old side, pooled.
     * @param newName      how the user named the new side.
     * @param newRuns      runs of the new side, pooled.
     * @param thresholdPct smallest change that counts, percent.
     * @param alpha        significance level.
     * @return the comparison.
     */
    public static Comparison of(
        final String oldName,
        final List<RunResult> oldRuns,
        final String newName,
        final List<RunResult> newRuns,
        final double thresholdPct,
        final double alpha) {
        return of(oldName, oldRuns, newName, newRuns, Options.defaults(thresholdPct, alpha));
    }

    /**
     * @param oldName how the user named the old side, for the error message.
     * @param oldRuns runs of the old side, pooled.
     * @param newName how the user named the new side.
     * @param newRuns runs of the new side, pooled.
     * @param options threshold, alpha, correction, whether verdicts across machines are given.
     * @return the comparison, with at least one row or control.
     * @throws ResultsException when no cell and metric with samples is on both sides: a gate that
     *                          compared nothing must not pass.
     */
    public static Comparison of(
        final String oldName,
        final List<RunResult> oldRuns,
        final String newName,
        final List<RunResult> newRuns,
        final Options options) {
        final Pool oldPool = Pool.of(oldRuns);
        final Pool newPool = Pool.of(newRuns);
        final List<String> warnings = new ArrayList<>();
        warnings.addAll(oldPool.warnings());
        warnings.addAll(newPool.warnings());
        final List<CompareRow> perRunRows = new ArrayList<>();
        final List<CompareRow> all = matchRows(oldPool, newPool, options.thresholdPct(), options.alpha(), warnings,
            perRunRows);
        if (all.isEmpty()) {
            throw new ResultsException("nothing to compare: no cell and metric with samples is on both sides; "
                + oldName + ": " + describe(oldRuns, oldPool) + "; " + newName + ": " + describe(newRuns, newPool));
        }
        final List<CompareRow> perTrialRows = new ArrayList<>(all);
        perTrialRows.removeAll(perRunRows);
        warnSmallSamples("old", perTrialRows, CompareRow::nOld, warnings);
        warnSmallSamples("new", perTrialRows, CompareRow::nNew, warnings);
        warnHosts(oldRuns, newRuns, warnings);
        final String mismatch = hostMismatch(oldRuns, newRuns);
        final boolean isRefused = mismatch != null && !options.isHostMismatchAllowed();
        final List<CompareRow> ours = all.stream().filter(r -> !isControl(oldPool, r)).collect(Collectors.toList());
        final List<CompareRow> controls = all.stream().filter(r -> isControl(oldPool, r)).collect(Collectors.toList());
        final List<GeomeanRow> drift = Drift.between(oldPool, newPool, warnings);
        final List<CompareRow> judged = judge(ours, false, Drift.byMetric(drift), isRefused, options);
        return new Comparison(judged, judge(controls, true, Map.of(), isRefused, options), geomeans(judged), drift,
            warnings, options, mismatch);
    }

    /** @return true when one of our rows is a regression: the exit-1 condition of {@code compare}. */
    public boolean hasRegression() {
        return rows.stream().anyMatch(r -> r.verdict() == Verdict.REGRESSION);
    }

    /** @return true when verdicts were refused because the sides ran on different machines. */
    public boolean isRefused() {
        return hostMismatch != null && !options.isHostMismatchAllowed();
    }

    /** Adjusts one family's p-values and judges each row against them and the drift of its metric. */
    private static List<CompareRow> judge(final List<CompareRow> family, final boolean isControl,
        final Map<String, Double> driftByMetric, final boolean isRefused, final Options options) {
        final double[] raw = family.stream().mapToDouble(CompareRow::pValue).toArray();
        final double[] adjusted = options.correction().adjust(raw);
        final List<CompareRow> out = new ArrayList<>();
        for (int i = 0; i < family.size(); i++) {
            final CompareRow r = family.get(i);
            out.add(r.judged(adjusted[i], isControl, driftByMetric.getOrDefault(r.metric(), Double.NaN), isRefused,
                options.alpha(), options.thresholdPct()));
        }
        return out;
    }

    private static boolean isControl(final Pool pool, final CompareRow row) {
        return pool.cell(row.cell()).isControl();
    }

    /**
     * Different hardware between the sides, or within one pooled side, makes a verdict meaningless:
     * the comparison would measure the machines.
     */
    private static String hostMismatch(final List<RunResult> oldRuns, final List<RunResult> newRuns) {
        final List<HostInfo> hosts = PooledHosts.representatives(oldRuns, newRuns);
        final List<String> between = hosts.get(0).machineDifferences(hosts.get(1));
        if (!between.isEmpty()) {
            return String.join("; ", between);
        }
        final String oldMixed = PooledHosts.mixedMachines(oldRuns).map(d -> "old side pools " + d).orElse(null);
        final String newMixed = PooledHosts.mixedMachines(newRuns).map(d -> "new side pools " + d).orElse(null);
        return oldMixed != null ? oldMixed : newMixed;
    }

    /** Rows in old-side order; rows of metrics either side marks per-run also go to {@code perRunRows}. */
    private static List<CompareRow> matchRows(
        final Pool oldPool,
        final Pool newPool,
        final double thresholdPct,
        final double alpha,
        final List<String> warnings,
        final List<CompareRow> perRunRows) {
        final List<CompareRow> rows = new ArrayList<>();
        final List<String> unmatched = new ArrayList<>();
        for (final String cell : oldPool.cellIds()) {
            final Map<String, PooledMetric> newMetrics = newPool.metrics(cell);
            for (final Map.Entry<String, PooledMetric> e : oldPool.metrics(cell).entrySet()) {
                final PooledMetric o = e.getValue();
                final PooledMetric n = newMetrics.get(e.getKey());
                if (n == null || o.samples().length == 0 || n.samples().length == 0) {
                    unmatched.add("only in old: " + cell + " " + e.getKey());
                } else if (!o.unit().equals(n.unit()) || o.better() != n.better()) {
                    warnings.add(cell + " " + e.getKey() + ": unit or direction differs (" + o.unit() + ", "
                        + o.better().json() + " vs " + n.unit() + ", " + n.better().json() + "); not compared");
                } else {
                    final CompareRow row = CompareRow.of(cell, e.getKey(), o.unit(), o.better(), o.samples(),
                        n.samples(), thresholdPct, alpha);
                    rows.add(row);
                    if (o.isPerRun() || n.isPerRun()) {
                        perRunRows.add(row);
                    }
                }
            }
        }
        for (final String cell : newPool.cellIds()) {
            final Map<String, PooledMetric> oldMetrics = oldPool.metrics(cell);
            newPool.metrics(cell).keySet().stream().filter(m -> !oldMetrics.containsKey(m))
                .forEach(m -> unmatched.add("only in new: " + cell + " " + m));
        }
        if (!unmatched.isEmpty()) {
            warnings.add(unmatched.size() + " cell metric(s) not on both sides, e.g. " + unmatched.get(0));
        }
        return rows;
    }

    /** "2 loadgen runs of 4654923577e2, 6 cells such as target=sim/...", for the nothing-to-compare error. */
    private static String describe(final List<RunResult> runs, final Pool pool) {
        final Set<String> kinds = new LinkedHashSet<>();
        final Set<String> commits = new LinkedHashSet<>();
        runs.forEach(r -> {
            kinds.add(r.kind().json());
            commits.add(r.commit().length() > 12 ? r.commit().substring(0, 12) : r.commit());
        });
        final List<String> cells = pool.cellIds();
        return runs.size() + " " + String.join("+", kinds) + " run(s) of " + String.join(", ", commits) + ", "
            + (cells.isEmpty() ? "no cells" : cells.size() + " cell(s) such as " + cells.get(0));
    }

    /**
     * Names the cells and metrics of one side with fewer than {@link #MIN_SAMPLES} samples, or says
     * "every" when that is all of them. Per-run metrics are left out by the caller: their n is the
     * number of runs by design, so a small n there says nothing about the measurement.
     */
    private static void warnSmallSamples(final String side, final List<CompareRow> rows,
        final ToIntFunction<CompareRow> n, final List<String> warnings) {
        final Map<String, List<String>> byCell = new LinkedHashMap<>();
        int small = 0;
        int min = MIN_SAMPLES;
        for (final CompareRow r : rows) {
            final int count = n.applyAsInt(r);
            if (count < MIN_SAMPLES) {
                byCell.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r.metric() + " n=" + count);
                small++;
                min = Math.min(min, count);
            }
        }
        if (small == 0) {
            return;
        }
        final String where;
        if (small == rows.size() && rows.size() > 1) {
            where = "every cell and metric (as few as " + min + ")";
        } else {
            where = byCell.entrySet().stream().limit(MAX_CELLS_NAMED)
                .map(e -> e.getKey() + " " + String.join(", ", e.getValue())).collect(Collectors.joining("; "))
                + (byCell.size() > MAX_CELLS_NAMED
                    ? "; and " + (byCell.size() - MAX_CELLS_NAMED) + " more cell(s)" : "");
        }
        warnings.add(side + " side has fewer than " + MIN_SAMPLES + " samples in " + where
            + ": confidence intervals are unbounded and small changes cannot be significant");
    }

    private static void warnHosts(final List<RunResult> oldRuns, final List<RunResult> newRuns,
        final List<String> warnings) {
        final List<HostInfo> hosts = PooledHosts.representatives(oldRuns, newRuns);
        final HostInfo oldHost = hosts.get(0);
        final HostInfo newHost = hosts.get(1);
        final List<String> diffs = oldHost.differences(newHost);
        if (!diffs.isEmpty()) {
            warnings.add("machines differ: " + String.join("; ", diffs));
        }
        PooledHosts.mixed(oldRuns).ifPresent(d -> warnings.add("old side pools runs from different machines: " + d));
        PooledHosts.mixed(newRuns).ifPresent(d -> warnings.add("new side pools runs from different machines: " + d));
        if (oldRuns.stream().anyMatch(RunResult::isDirty)) {
            warnings.add("old side includes runs of a dirty working tree");
        }
        if (newRuns.stream().anyMatch(RunResult::isDirty)) {
            warnings.add("new side includes runs of a dirty working tree");
        }
    }

    private static List<GeomeanRow> geomeans(final List<CompareRow> rows) {
        final Map<String, List<CompareRow>> byMetric = new LinkedHashMap<>();
        for (final CompareRow r : rows) {
            if (r.oldMedian().median() > 0.0 && r.newMedian().median() > 0.0) {
                byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r);
            }
        }
        final List<GeomeanRow> out = new ArrayList<>();
        byMetric.forEach((metric, list) -> {
            final double[] olds = list.stream().mapToDouble(r -> r.oldMedian().median()).toArray();
            final double[] news = list.stream().mapToDouble(r -> r.newMedian().median()).toArray();
            final double[] ratios = list.stream().mapToDouble(r -> r.newMedian().median() / r.oldMedian().median())
                .toArray();
            out.add(new GeomeanRow(metric, list.get(0).unit(), Samples.geometricMean(olds), Samples.geometricMean(news),
                (Samples.geometricMean(ratios) - 1.0) * 100.0, list.size()));
        });
        return out;
    }
}
