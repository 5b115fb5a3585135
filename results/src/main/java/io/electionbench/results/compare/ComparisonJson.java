package io.electionbench.results.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.electionbench.results.RunCodec;
import io.electionbench.results.stats.MedianInterval;

/**
 * Renders a comparison as {@code {"rows": [...], "geomean": [...], "warnings": [...]}}; each row
 * has at least cell, metric, old_median, new_median, change_pct (null when undefined), p_value,
 * significant and verdict ("regression", "improvement" or "~").
 */
public final class ComparisonJson {
    private ComparisonJson() {
    }

    /**
     * @param c the comparison.
     * @return the JSON tree.
     */
    public static ObjectNode toTree(final Comparison c) {
        final ObjectNode root = RunCodec.MAPPER.createObjectNode();
        final ArrayNode rows = root.putArray("rows");
        for (final CompareRow r : c.rows()) {
            final ObjectNode row = rows.addObject();
            row.put("cell", r.cell());
            row.put("metric", r.metric());
            row.put("unit", r.unit());
            row.put("better", r.better().json());
            row.put("old_median", r.oldMedian().median());
            row.put("new_median", r.newMedian().median());
            putInterval(row, "old_ci", r.oldMedian());
            putInterval(row, "new_ci", r.newMedian());
            putFinite(row, "change_pct", r.changePct());
            row.put("p_value", r.pValue());
            row.put("n_old", r.nOld());
            row.put("n_new", r.nNew());
            row.put("significant", r.isSignificant());
            row.put("verdict", r.verdict().label());
        }
        final ArrayNode geomeans = root.putArray("geomean");
        for (final GeomeanRow g : c.geomeans()) {
            final ObjectNode row = geomeans.addObject();
            row.put("metric", g.metric());
            row.put("unit", g.unit());
            row.put("old", g.oldValue());
            row.put("new", g.newValue());
            row.put("change_pct", g.changePct());
            row.put("cells", g.cells());
        }
        final ArrayNode warnings = root.putArray("warnings");
        c.warnings().forEach(warnings::add);
        return root;
    }

    /** [lo, hi], or null when the interval is unavailable (too few samples). */
    private static void putInterval(final ObjectNode row, final String name, final MedianInterval ci) {
        if (ci.isAvailable()) {
            row.putArray(name).add(ci.lo()).add(ci.hi());
        } else {
            row.putNull(name);
        }
    }

    private static void putFinite(final ObjectNode row, final String name, final double v) {
        if (Double.isFinite(v)) {
            row.put(name, v);
        } else {
            row.putNull(name);
        }
    }
}
