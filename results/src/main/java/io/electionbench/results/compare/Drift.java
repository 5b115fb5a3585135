package io.electionbench.results.compare;

import io.electionbench.results.stats.Samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The machine drift between two pools, read from their ZooKeeper control cells
 * ({@link io.electionbench.results.Cell#isControl()}): a released ZooKeeper that no commit here
 * changes, so whatever moved it moved the machine. Per metric, the drift is the geometric mean of
 * the controls' new/old median ratios, as benchstat's geomean row; a change of ours no larger than
 * it cannot be told from the machine drifting.
 */
public final class Drift {
    private Drift() {
    }

    /**
     * @param oldPool  the old side.
     * @param newPool  the new side.
     * @param warnings receives a line when both sides have controls but not the same ones.
     * @return one row per metric with a positive median on both sides of some control cell; empty
     *         unless both sides have the same ZooKeeper cells (same sizes, patterns and version).
     */
    public static List<GeomeanRow> between(final Pool oldPool, final Pool newPool, final List<String> warnings) {
        final Set<String> controls = controlIds(oldPool);
        final Set<String> newControls = controlIds(newPool);
        if (controls.isEmpty() || newControls.isEmpty()) {
            return List.of();
        }
        if (!controls.equals(newControls)) {
            warnings.add("the sides have different ZooKeeper cells (" + controls.size() + " vs " + newControls.size()
                + "), so the machine drift between them is not estimated");
            return List.of();
        }
        final Map<String, List<double[]>> byMetric = new LinkedHashMap<>();
        final Map<String, String> units = new LinkedHashMap<>();
        for (final String id : controls) {
            final Map<String, PooledMetric> newMetrics = newPool.metrics(id);
            oldPool.metrics(id).forEach((name, o) -> {
                final PooledMetric n = newMetrics.get(name);
                if (n == null || !n.unit().equals(o.unit()) || o.samples().length == 0 || n.samples().length == 0) {
                    return;
                }
                final double oldMedian = Samples.median(o.samples());
                final double newMedian = Samples.median(n.samples());
                if (oldMedian > 0.0 && newMedian > 0.0) {
                    byMetric.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{oldMedian, newMedian});
                    units.putIfAbsent(name, o.unit());
                }
            });
        }
        final List<GeomeanRow> out = new ArrayList<>();
        byMetric.forEach((metric, pairs) -> {
            final double[] olds = pairs.stream().mapToDouble(p -> p[0]).toArray();
            final double[] news = pairs.stream().mapToDouble(p -> p[1]).toArray();
            final double[] ratios = pairs.stream().mapToDouble(p -> p[1] / p[0]).toArray();
            out.add(new GeomeanRow(metric, units.get(metric), Samples.geometricMean(olds), Samples.geometricMean(news),
                (Samples.geometricMean(ratios) - 1.0) * 100.0, pairs.size()));
        });
        return out;
    }

    /**
     * @param drift rows from {@link #between}.
     * @return metric name to drift in percent.
     */
    public static Map<String, Double> byMetric(final List<GeomeanRow> drift) {
        final Map<String, Double> out = new LinkedHashMap<>();
        drift.forEach(d -> out.put(d.metric(), d.changePct()));
        return out;
    }

    private static Set<String> controlIds(final Pool pool) {
        return pool.cellIds().stream().filter(id -> pool.cell(id).isControl())
            .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
