package io.electionbench.results.compare;

import io.electionbench.results.Numbers;
import io.electionbench.results.stats.MedianInterval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a comparison as benchstat-style text: one table per metric with a row per cell
 * ({@code old median ± CI, new median ± CI, change, p-value, n, verdict}) and a geomean row,
 * followed by the warnings.
 */
public final class ComparisonText {
    private ComparisonText() {
    }

    /**
     * @param c the comparison.
     * @return the text, ending in a newline.
     */
    public static String render(final Comparison c) {
        final Map<String, List<CompareRow>> byMetric = new LinkedHashMap<>();
        c.rows().forEach(r -> byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r));
        final StringBuilder out = new StringBuilder();
        byMetric.forEach((metric, rows) -> {
            final CompareRow first = rows.get(0);
            final List<String[]> table = new ArrayList<>();
            table.add(new String[]{metric + " (" + first.unit() + ", " + first.better().json() + " is better)",
                "old", "new", "change", "p", "n", "verdict"});
            rows.forEach(r -> table.add(row(r)));
            c.geomeans().stream().filter(g -> g.metric().equals(metric)).forEach(g -> table.add(new String[]{
                "geomean", Numbers.format(g.oldValue()), Numbers.format(g.newValue()), Numbers.percent(g.changePct()),
                "", "", ""}));
            appendTable(out, table);
            out.append('\n');
        });
        for (final String w : c.warnings()) {
            out.append("warning: ").append(w).append('\n');
        }
        return out.toString();
    }

    private static String[] row(final CompareRow r) {
        return new String[]{
            r.cell(),
            withInterval(r.oldMedian()),
            withInterval(r.newMedian()),
            r.verdict() == Verdict.SAME ? "~" : Numbers.percent(r.changePct()),
            String.format(Locale.ROOT, "p=%.3f", r.pValue()),
            "n=" + r.nOld() + "+" + r.nNew(),
            r.verdict() == Verdict.SAME ? "(" + Numbers.percent(r.changePct()) + ")" : r.verdict().label()};
    }

    /** "212.4 ± 3%" with the interval's larger half-width relative to the median; "± ∞" when unavailable. */
    static String withInterval(final MedianInterval ci) {
        final double half = ci.relativeHalfWidthPct();
        final String pct = Double.isInfinite(half) ? "\u221e" : String.format(Locale.ROOT, "%.0f%%", half);
        return Numbers.format(ci.median()) + " \u00b1 " + pct;
    }

    private static void appendTable(final StringBuilder out, final List<String[]> table) {
        final int[] widths = new int[table.get(0).length];
        for (final String[] row : table) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (final String[] row : table) {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? "" : "  ").append(pad(row[i], widths[i], i == 0));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String pad(final String s, final int width, final boolean isLeft) {
        final String fill = " ".repeat(width - s.length());
        return isLeft ? s + fill : fill + s;
    }
}
