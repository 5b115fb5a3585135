package io.electionbench.results.report;

import io.electionbench.results.Cell;
import io.electionbench.results.Numbers;
import io.electionbench.results.compare.CompareRow;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.compare.GeomeanRow;
import io.electionbench.results.compare.Pool;
import io.electionbench.results.compare.Verdict;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's judgements as HTML: the summary of the last two commits, the ZooKeeper controls
 * with the machine drift, and the regression list over the history. Every verdict is
 * {@code compare}'s ({@link Comparison}); these only choose what a reader sees first: primary
 * metrics with a declared direction ({@link History#isPrimary}), regressions beyond the drift.
 */
final class Summary {
    private Summary() {
    }

    /**
     * @param row  a judged row.
     * @param cell its cell, or null.
     * @return true for a regression of a primary metric, larger than the controls' drift (the
     *         verdict is then REGRESSION; a smaller one is WITHIN_DRIFT).
     */
    static boolean isRegressionBeyondDrift(final CompareRow row, final Cell cell) {
        return !row.isControl() && row.verdict() == Verdict.REGRESSION
            && History.isPrimary(cell, row.metric(), row.better());
    }

    /** The summary section's content for the last step (null with one commit). */
    static String summary(final History.Step last, final Map<String, Pool> pools) {
        final StringBuilder out = new StringBuilder();
        if (last == null) {
            return out.append("<p class=\"note\">One commit in the store: nothing to compare yet.</p>\n").toString();
        }
        final String pair = sha(last.from()) + " \u2192 " + sha(last.to());
        if (last.comparison() == null) {
            return out.append("<p class=\"note\">").append(Html.escape(pair + ": " + last.problem())).append("</p>\n")
                .toString();
        }
        final Comparison c = last.comparison();
        final Pool pool = pools.get(last.from());
        final List<CompareRow> primary = History.primaryRows(c, pool);
        out.append("<p class=\"note\">The last two commits, ").append(Html.escape(pair)).append(", judged as <code>"
            + "compare</code> judges them: ").append(Html.escape(family(c))).append(". Listed: primary metrics only ("
            + primary.size() + " of " + c.rows().size() + " rows; JMH secondary metrics and metrics without a declared"
            + " direction are left out), and a regression only when it is larger than the machine drift.</p>\n");
        driftLines(out, c);
        if (c.isRefused()) {
            out.append("<p class=\"refused\">No verdicts: the two runs measured different machines (")
                .append(Html.escape(c.hostMismatch())).append(").</p>\n");
        }
        out.append("<p class=\"verdicts\">").append(Html.escape(counts(primary))).append("</p>\n");
        list(out, "Regressions beyond the drift", "regressed", primary.stream()
            .filter(r -> isRegressionBeyondDrift(r, pool.cell(r.cell()))).toList());
        list(out, "Improvements", "improved", primary.stream().filter(r -> r.verdict() == Verdict.IMPROVEMENT)
            .toList());
        list(out, "Not distinguishable from drift", "within-drift", primary.stream()
            .filter(r -> r.verdict() == Verdict.WITHIN_DRIFT).toList());
        out.append("<details>\n<summary>All ").append(primary.size()).append(" primary rows</summary>\n");
        table(out, primary);
        return out.append("</details>\n").toString();
    }

    /** The controls section: the last step's control rows and every step's drift line. */
    static String controls(final History history) {
        final StringBuilder out = new StringBuilder("<p class=\"note\">ZooKeeper cells run a released ZooKeeper"
            + " that no commit here changes: they are controls, not part of our change. When both commits have the"
            + " same ZooKeeper cells, their shift (geometric mean of the median ratios, per metric) is the machine"
            + " drift between the two runs, and a change of ours no larger than it is not distinguishable from"
            + " drift.</p>\n");
        final History.Step last = history.last();
        if (last == null || last.comparison() == null || last.comparison().controls().isEmpty()) {
            out.append("<p class=\"note\">No ZooKeeper cells on both of the last two commits.</p>\n");
        } else {
            out.append("<h3>").append(Html.escape(sha(last.from()) + " \u2192 " + sha(last.to()))).append("</h3>\n");
            driftLines(out, last.comparison());
            table(out, last.comparison().controls());
        }
        out.append("<h3>Drift between consecutive commits</h3>\n<ul class=\"drift-history\">\n");
        boolean isAny = false;
        for (final History.Step s : history.steps()) {
            if (s.comparison() != null && !s.comparison().drift().isEmpty()) {
                driftItems(out, s.comparison().drift(), sha(s.from()) + " \u2192 " + sha(s.to()));
                isAny = true;
            }
        }
        if (!isAny) {
            out.append("<li>none estimated: no two consecutive commits share their ZooKeeper cells</li>\n");
        }
        return out.append("</ul>\n").toString();
    }

    /** The regression list over every step, for the history section. */
    static String historyMarks(final History history, final Map<String, Pool> pools) {
        final StringBuilder out = new StringBuilder("<h3>Regressions between consecutive commits</h3>\n");
        final StringBuilder items = new StringBuilder();
        for (final History.Step s : history.steps()) {
            if (s.comparison() == null) {
                continue;
            }
            final Pool pool = pools.get(s.from());
            final String pair = " " + sha(s.from()) + " \u2192 " + sha(s.to());
            for (final CompareRow r : History.primaryRows(s.comparison(), pool)) {
                if (isRegressionBeyondDrift(r, pool.cell(r.cell()))) {
                    item(items, "regressed", r.cell() + " " + r.metric() + ":" + pair + " " + change(r));
                } else if (r.verdict() == Verdict.WITHIN_DRIFT) {
                    item(items, "within-drift", r.cell() + " " + r.metric() + ":" + pair + " " + change(r)
                        + ", not distinguishable from drift (" + Numbers.percent(r.driftPct()) + ")");
                }
            }
        }
        if (items.length() == 0) {
            return out.append("<p class=\"note\">None between consecutive commits.</p>\n").toString();
        }
        return out.append("<ul class=\"regressions\">\n").append(items).append("</ul>\n").toString();
    }

    private static void driftLines(final StringBuilder out, final Comparison c) {
        if (c.drift().isEmpty()) {
            out.append("<p class=\"drift\">machine drift between the two runs: not estimated (the two runs do not"
                + " have the same ZooKeeper cells)</p>\n");
            return;
        }
        for (final GeomeanRow d : c.drift()) {
            out.append("<p class=\"drift\">").append(Html.escape(driftText(d))).append("</p>\n");
        }
    }

    private static void driftItems(final StringBuilder out, final List<GeomeanRow> drift, final String pair) {
        drift.forEach(d -> item(out, "drift", pair + ": " + driftText(d)));
    }

    /** "machine drift between the two runs: +8.00% in time_to_leader_ms (4 ZooKeeper cells)". */
    static String driftText(final GeomeanRow d) {
        return "machine drift between the two runs: " + Numbers.percent(d.changePct()) + " in " + d.metric() + " ("
            + d.cells() + " ZooKeeper cell" + (d.cells() == 1 ? "" : "s") + ")";
    }

    private static String family(final Comparison c) {
        final Comparison.Options o = c.options();
        return c.rows().size() + " rows tested, p-values " + (o.correction().json().equals("none") ? "uncorrected"
            : "Holm-Bonferroni adjusted") + ", alpha " + plain(o.alpha()) + ", threshold "
            + plain(o.thresholdPct()) + "%";
    }

    private static String plain(final double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String counts(final List<CompareRow> primary) {
        final long[] n = new long[Verdict.values().length];
        primary.forEach(r -> n[r.verdict().ordinal()]++);
        return n[Verdict.REGRESSION.ordinal()] + " regression(s) beyond the drift, "
            + n[Verdict.IMPROVEMENT.ordinal()] + " improvement(s), " + n[Verdict.WITHIN_DRIFT.ordinal()]
            + " within drift, " + n[Verdict.SAME.ordinal()] + " unchanged"
            + (n[Verdict.UNKNOWN.ordinal()] > 0 ? ", " + n[Verdict.UNKNOWN.ordinal()] + " without verdict" : "")
            + " (" + primary.size() + " primary rows)";
    }

    private static void list(final StringBuilder out, final String title, final String cssClass,
        final List<CompareRow> rows) {
        out.append("<h3>").append(Html.escape(title)).append(" (").append(rows.size()).append(")</h3>\n");
        if (rows.isEmpty()) {
            out.append("<p class=\"note\">None.</p>\n");
            return;
        }
        out.append("<ul class=\"regressions\">\n");
        rows.forEach(r -> item(out, cssClass, r.cell() + " " + r.metric() + ": " + change(r)
            + (r.verdict() == Verdict.WITHIN_DRIFT ? ", drift " + Numbers.percent(r.driftPct()) : "")));
        out.append("</ul>\n");
    }

    private static String change(final CompareRow r) {
        return Numbers.format(r.oldMedian().median()) + " \u2192 " + Numbers.format(r.newMedian().median()) + " "
            + r.unit() + " (" + Numbers.percent(r.changePct()) + ", p.adj=" + p(r.pAdjusted()) + ")";
    }

    private static void table(final StringBuilder out, final List<CompareRow> rows) {
        out.append("<table class=\"rows\">\n<tr><th>cell</th><th>metric</th><th>old median</th><th>new median</th>"
            + "<th>change</th><th>p</th><th>p.adj</th><th>n</th><th>verdict</th></tr>\n");
        for (final CompareRow r : rows) {
            out.append("<tr class=\"").append(r.isControl() ? "control" : r.verdict().name().toLowerCase(Locale.ROOT)
                .replace('_', '-')).append("\">");
            for (final String cell : new String[]{r.cell(), r.metric(), Numbers.format(r.oldMedian().median()),
                Numbers.format(r.newMedian().median()), Numbers.percent(r.changePct()), p(r.pValue()),
                p(r.pAdjusted()), r.nOld() + "+" + r.nNew(), verdictText(r)}) {
                out.append("<td>").append(Html.escape(cell)).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    /** A control's significant change is the machine's, not a regression or an improvement. */
    private static String verdictText(final CompareRow r) {
        final boolean isChange = r.verdict() == Verdict.REGRESSION || r.verdict() == Verdict.IMPROVEMENT;
        return r.isControl() && isChange ? "shifted (control)" : r.verdict().label();
    }

    private static void item(final StringBuilder out, final String cssClass, final String text) {
        out.append("<li class=\"").append(cssClass).append("\">").append(Html.escape(text)).append("</li>\n");
    }

    static String p(final double p) {
        return String.format(Locale.ROOT, "%.3f", p);
    }

    private static String sha(final String commit) {
        return HtmlReport.shortSha(commit);
    }
}
