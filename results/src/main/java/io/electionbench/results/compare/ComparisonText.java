package io.electionbench.results.compare;

import io.electionbench.results.Better;
import io.electionbench.results.Numbers;
import io.electionbench.results.stats.MedianInterval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a comparison as benchstat-style text: one table per metric with a row per cell
 * ({@code old median ± CI, new median ± CI, change, p, adjusted p, n, verdict}) and a geomean row,
 * then the ZooKeeper controls in their own tables closed by the drift line, then how many rows
 * were tested and how, and the warnings.
 */
public final class ComparisonText {
    private ComparisonText() {
    }

    /**
     * @param c the comparison.
     * @return the text, ending in a newline.
     */
    public static String render(final Comparison c) {
        final StringBuilder out = new StringBuilder();
        tables(out, c.rows(), c.geomeans(), "geomean");
        if (!c.controls().isEmpty()) {
            out.append("ZooKeeper controls (a released ZooKeeper no commit changes: its shift is the machine drift;"
                + " not in the geomean or the gate)\n");
            tables(out, c.controls(), c.drift(), null);
        }
        out.append(family(c)).append('\n');
        if (c.rows().stream().anyMatch(r -> r.verdict() == Verdict.WITHIN_DRIFT)) {
            out.append("within drift: significant, but no larger than the controls' drift in the same metric ("
                + c.drift().stream().map(d -> d.metric() + " " + Numbers.percent(d.changePct()))
                    .collect(Collectors.joining(", "))
                + "), so not distinguishable from the machine drifting\n");
        }
        if (c.isRefused()) {
            out.append("no verdicts (?): the sides ran on different machines (").append(c.hostMismatch())
                .append("); --allow-host-mismatch to judge anyway\n");
        }
        for (final String w : c.warnings()) {
            out.append("warning: ").append(w).append('\n');
        }
        return out.toString();
    }

    /** "12 rows tested at alpha 0.05, Holm-Bonferroni adjusted (...)": what the verdicts' p-values mean. */
    static String family(final Comparison c) {
        final Comparison.Options o = c.options();
        final String how = o.correction() == Correction.HOLM
            ? "Holm-Bonferroni adjusted (p.adj; --correction none for raw p)"
            : "no family-wise correction (p.adj = p; about alpha x rows false verdicts expected)";
        final String controls = c.controls().isEmpty() ? ""
            : "; " + c.controls().size() + " control row(s) adjusted as a family of their own";
        return c.rows().size() + " rows tested at alpha "
            + java.math.BigDecimal.valueOf(o.alpha()).stripTrailingZeros().toPlainString()
            + ", " + how + controls;
    }

    private static void tables(final StringBuilder out, final List<CompareRow> rows, final List<GeomeanRow> summaries,
        final String summaryLabel) {
        final Map<String, List<CompareRow>> byMetric = new LinkedHashMap<>();
        rows.forEach(r -> byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r));
        byMetric.forEach((metric, list) -> {
            final CompareRow first = list.get(0);
            final List<String[]> table = new ArrayList<>();
            final String direction = first.better() == Better.UNKNOWN ? "direction not declared"
                : first.better().json() + " is better";
            table.add(new String[]{metric + " (" + first.unit() + ", " + direction + ")",
                "old", "new", "change", "p", "p.adj", "n", "verdict"});
            list.forEach(r -> table.add(row(r)));
            summaries.stream().filter(g -> g.metric().equals(metric)).forEach(g -> table.add(new String[]{
                summaryLabel != null ? summaryLabel : "drift (geomean of " + g.cells() + " control cells)",
                Numbers.format(g.oldValue()), Numbers.format(g.newValue()), Numbers.percent(g.changePct()),
                "", "", "", ""}));
            appendTable(out, table);
            out.append('\n');
        });
    }

    private static String[] row(final CompareRow r) {
        return new String[]{
            r.cell(),
            withInterval(r.oldMedian()),
            withInterval(r.newMedian()),
            r.verdict() == Verdict.SAME ? "~" : Numbers.percent(r.changePct()),
            String.format(Locale.ROOT, "p=%.3f", r.pValue()),
            String.format(Locale.ROOT, "p.adj=%.3f", r.pAdjusted()),
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
