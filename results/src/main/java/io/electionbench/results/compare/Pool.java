package io.electionbench.results.compare;

import io.electionbench.results.Cell;
import io.electionbench.results.Metric;
import io.electionbench.results.RunResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cells of several runs pooled by {@link Cell#id()}: several runs of one commit, or repeated
 * runs, become one sample per cell and metric. Loadgen and JMH cells never share an id, so runs
 * of different kinds pool side by side without mixing.
 */
public final class Pool {
    private final Map<String, Cell> prototypes = new LinkedHashMap<>();
    private final Map<String, Map<String, PooledMetric>> metrics = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private Pool() {
    }

    /**
     * @param runs runs to pool, in order.
     * @return the pool; a metric whose unit or direction disagrees with earlier runs is left out
     *         of the pool for that run, with a warning.
     */
    public static Pool of(final List<RunResult> runs) {
        final Pool pool = new Pool();
        for (final RunResult run : runs) {
            for (final Cell cell : run.cells()) {
                pool.add(cell);
            }
        }
        return pool;
    }

    private void add(final Cell cell) {
        final String id = cell.id();
        prototypes.putIfAbsent(id, cell);
        final Map<String, PooledMetric> byName = metrics.computeIfAbsent(id, k -> new LinkedHashMap<>());
        for (final Map.Entry<String, Metric> e : cell.metrics().entrySet()) {
            final Metric m = e.getValue();
            final PooledMetric before = byName.get(e.getKey());
            if (before == null) {
                byName.put(e.getKey(), new PooledMetric(m.unit(), m.better(), m.samples(), m.isPerRun()));
            } else if (!before.unit().equals(m.unit()) || before.better() != m.better()) {
                warnings.add(id + " " + e.getKey() + ": runs disagree on unit or direction (" + before.unit() + " vs "
                    + m.unit() + "); later samples left out");
            } else {
                byName.put(e.getKey(), new PooledMetric(m.unit(), m.better(), concat(before.samples(), m.samples()),
                    before.isPerRun() || m.isPerRun()));
            }
        }
    }

    /** @return cell ids in first-seen order. */
    public List<String> cellIds() {
        return List.copyOf(prototypes.keySet());
    }

    /**
     * @param cellId a cell id.
     * @return the first cell seen with that id (for its target, size, pattern, policy, ...).
     */
    public Cell cell(final String cellId) {
        return prototypes.get(cellId);
    }

    /**
     * @param cellId a cell id.
     * @return metric name to pooled samples, in first-seen order; empty for an unknown cell.
     */
    public Map<String, PooledMetric> metrics(final String cellId) {
        return Collections.unmodifiableMap(metrics.getOrDefault(cellId, Map.of()));
    }

    /** @return problems met while pooling. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private static double[] concat(final double[] a, final double[] b) {
        final double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
