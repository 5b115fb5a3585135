package io.electionbench.results.continuous;

import io.electionbench.results.Cell;
import io.electionbench.results.Metric;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.StoredRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the run files of one side's rounds into one run: cells with the same id (target, size,
 * pattern, policy; or benchmark and params) become one cell whose metrics hold the samples of
 * every round concatenated in round order. Cells with different ids are kept apart, in order of
 * first appearance, so a round that measured something else never pollutes another cell.
 */
public final class RoundMerge {
    private RoundMerge() {
    }

    /**
     * Reads the run files each round left under {@code <dir>/results/runs/}.
     *
     * @param roundDirs the rounds' scratch directories, in round order.
     * @return their runs, in round order (within a round, by start time).
     * @throws ResultsException when a round left no run file.
     * @throws io.electionbench.results.RunFileException when a run file is invalid.
     */
    public static List<RunResult> readRounds(final List<Path> roundDirs) {
        final List<RunResult> runs = new ArrayList<>();
        for (final Path dir : roundDirs) {
            final Path runsDir = RunStore.runsDir(dir);
            if (!Files.isDirectory(runsDir)) {
                throw new ResultsException("round directory " + dir
                    + " has no results/runs/: the round stored nothing");
            }
            new RunStore(dir).resolve(runsDir.toString()).stream().map(StoredRun::run).forEach(runs::add);
        }
        return runs;
    }

    /**
     * @param envelope the merged run's envelope (commit, host, config, ...); its cells are ignored.
     * @param rounds   the rounds' runs, in round order.
     * @return the envelope with the merged cells.
     * @throws ResultsException when one metric of one cell has different units or directions in
     *         different rounds (the samples would not be comparable).
     */
    public static RunResult merge(final RunResult envelope, final List<RunResult> rounds) {
        return merge(envelope, rounds, Set.of());
    }

    /**
     * @param envelope  the merged run's envelope; its cells are ignored.
     * @param rounds    the rounds' runs, in round order.
     * @param collapsed ids of cells whose rounds are copies of each other ({@link #repeatedCells}):
     *                  they keep the first round's samples only.
     * @return the envelope with the merged cells.
     */
    public static RunResult merge(final RunResult envelope, final List<RunResult> rounds, final Set<String> collapsed) {
        return new RunResult(envelope.schema(), envelope.kind(), envelope.commit(), envelope.isDirty(),
            envelope.branch(), envelope.started(), envelope.host(), envelope.config(), mergeCells(rounds, collapsed));
    }

    /**
     * @param rounds runs in round order.
     * @return one cell per distinct cell id, in order of first appearance, metrics in order of
     *         first appearance, samples concatenated in round order.
     */
    public static List<Cell> mergeCells(final List<RunResult> rounds) {
        return mergeCells(rounds, Set.of());
    }

    private static List<Cell> mergeCells(final List<RunResult> rounds, final Set<String> collapsed) {
        final Map<String, Cell> firstSeen = new LinkedHashMap<>();
        final Map<String, Map<String, List<Metric>>> parts = new LinkedHashMap<>();
        for (final RunResult run : rounds) {
            for (final Cell cell : run.cells()) {
                if (collapsed.contains(cell.id()) && firstSeen.containsKey(cell.id())) {
                    continue;
                }
                firstSeen.putIfAbsent(cell.id(), cell);
                final Map<String, List<Metric>> metrics = parts.computeIfAbsent(cell.id(), id -> new LinkedHashMap<>());
                cell.metrics().forEach((name, m) -> metrics.computeIfAbsent(name, n -> new ArrayList<>()).add(m));
            }
        }
        final List<Cell> cells = new ArrayList<>();
        firstSeen.forEach((id, c) -> {
            final Map<String, Metric> metrics = new LinkedHashMap<>();
            parts.get(id).forEach((name, ms) -> metrics.put(name, concatenate(id, name, ms)));
            cells.add(new Cell(c.target(), c.size(), c.pattern(), c.policy(), c.benchmark(), c.params(), metrics,
                c.hostClocks(), c.faultMechanisms()));
        });
        return cells;
    }

    private static Metric concatenate(final String cellId, final String name, final List<Metric> parts) {
        final Metric first = parts.get(0);
        final Metric.Builder b = Metric.builder(first.unit(), first.better()).perRun(first.isPerRun());
        for (final Metric m : parts) {
            if (!first.unit().equals(m.unit()) || first.better() != m.better()) {
                throw new ResultsException(cellId + ": metric " + name + " is " + first.unit() + "/"
                    + first.better().json() + " in one round and " + m.unit() + "/" + m.better().json()
                    + " in another");
            }
            for (final double x : m.samples()) {
                b.add(x);
            }
        }
        return b.build();
    }

    /**
     * Finds cells that every round measured identically, sample for sample: the sign of a
     * deterministic target (the simulator with a fixed {@code --seed}). Their rounds are copies,
     * not independent measurements, so the pooled n and the p-values overstate the evidence.
     *
     * @param rounds runs in round order.
     * @return ids of cells present in at least two rounds whose every metric has the same
     *         samples in each.
     */
    public static List<String> repeatedCells(final List<RunResult> rounds) {
        final Map<String, List<Cell>> byId = new LinkedHashMap<>();
        rounds.forEach(r -> r.cells().forEach(c -> byId.computeIfAbsent(c.id(), id -> new ArrayList<>()).add(c)));
        final List<String> repeated = new ArrayList<>();
        byId.forEach((id, cells) -> {
            if (cells.size() >= 2 && cells.stream().allMatch(c -> c.metrics().equals(cells.get(0).metrics()))) {
                repeated.add(id);
            }
        });
        return repeated;
    }
}
