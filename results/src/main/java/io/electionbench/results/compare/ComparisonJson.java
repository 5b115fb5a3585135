package io.electionbench.results.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.electionbench.results.RunCodec;
import io.electionbench.results.stats.MedianInterval;

import java.util.List;

/**
 * Renders a comparison as {@code {"rows": [...], "geomean": [...], "controls": [...], "drift": [...],
 * "family": {...}, "host_mismatch": ..., "warnings": [...]}}; each row has at least cell, metric,
 * old_median, new_median, change_pct (null when undefined), p_value, p_adjusted, significant,
 * within_drift and verdict ("regression", "improvement", "~", "within drift" or "?").
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
        putRows(root.putArray("rows"), c.rows());
        putSummaries(root.putArray("geomean"), c.geomeans());
        putRows(root.putArray("controls"), c.controls());
        putSummaries(root.putArray("drift"), c.drift());
        final ObjectNode family = root.putObject("family");
        family.put("correction", c.options().correction().json());
        family.put("alpha", c.options().alpha());
        family.put("rows", c.rows().size());
        family.put("control_rows", c.controls().size());
        if (c.hostMismatch() == null) {
            root.putNull("host_mismatch");
        } else {
            root.put("host_mismatch", c.hostMismatch());
        }
        root.put("verdicts_refused", c.isRefused());
        final ArrayNode warnings = root.putArray("warnings");
        c.warnings().forEach(warnings::add);
        return root;
    }

    private static void putRows(final ArrayNode rows, final List<CompareRow> list) {
        for (final CompareRow r : list) {
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
            row.put("p_adjusted", r.pAdjusted());
            row.put("n_old", r.nOld());
            row.put("n_new", r.nNew());
            row.put("significant", r.isSignificant());
            row.put("control", r.isControl());
            if (Double.isFinite(r.driftPct())) {
                row.put("within_drift", r.isWithinDrift());
            } else {
                row.putNull("within_drift");
            }
            row.put("verdict", r.verdict().label());
        }
    }

    private static void putSummaries(final ArrayNode out, final List<GeomeanRow> list) {
        for (final GeomeanRow g : list) {
            final ObjectNode row = out.addObject();
            row.put("metric", g.metric());
            row.put("unit", g.unit());
            row.put("old", g.oldValue());
            row.put("new", g.newValue());
            row.put("change_pct", g.changePct());
            row.put("cells", g.cells());
        }
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
