package io.electionbench.results.report;

import io.electionbench.results.Cell;
import io.electionbench.results.HostInfo;
import io.electionbench.results.Numbers;
import io.electionbench.results.RunResult;
import io.electionbench.results.StoredRun;
import io.electionbench.results.compare.CompareRow;
import io.electionbench.results.compare.Drift;
import io.electionbench.results.compare.GeomeanRow;
import io.electionbench.results.compare.Pool;
import io.electionbench.results.compare.PooledMetric;
import io.electionbench.results.compare.Verdict;
import io.electionbench.results.stats.MedianInterval;
import io.electionbench.results.stats.Samples;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The HTML report over a store: one page, inline CSS and SVG only, so it opens offline and can be
 * attached to a CI run. Sections: distributions (CDF per cell) and metric-against-size plots for
 * one commit (the latest by default), then the history of every cell and metric across commits,
 * with points that are a significant regression against the previous commit marked in red by the
 * same rule as {@code compare}.
 */
public final class HtmlReport {
    /** A CDF draws at most this many steps; larger samples are drawn at evenly spaced quantiles. */
    static final int MAX_CDF_POINTS = 1000;
    private static final int MAX_SERIES_PER_PLOT = Plot.PALETTE.length;
    private static final int SHORT_SHA = 7;

    private final List<StoredRun> runs;
    private final List<String> commitOrder;
    private final String focusCommit;
    private final double thresholdPct;
    private final double alpha;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private int plotCount;

    /**
     * @param runs         every run to show, at least one.
     * @param commitOrder  commits oldest first (see {@code RunStore.commitOrder}).
     * @param focusCommit  commit for the distribution and size plots, null for the last in order.
     * @param thresholdPct smallest change marked as a regression, percent.
     * @param alpha        significance level.
     */
    public HtmlReport(
        final List<StoredRun> runs,
        final List<String> commitOrder,
        final String focusCommit,
        final double thresholdPct,
        final double alpha) {
        this.runs = List.copyOf(runs);
        this.commitOrder = List.copyOf(commitOrder);
        this.focusCommit = focusCommit != null ? focusCommit : commitOrder.get(commitOrder.size() - 1);
        this.thresholdPct = thresholdPct;
        this.alpha = alpha;
        for (final String commit : commitOrder) {
            pools.put(commit, Pool.of(runs.stream().map(StoredRun::run).filter(r -> r.commit().equals(commit))
                .collect(Collectors.toList())));
        }
    }

    /** @return the page. */
    public String render() {
        final StringBuilder body = new StringBuilder(64 * 1024);
        header(body);
        final Pool focus = pools.getOrDefault(focusCommit, Pool.of(List.of()));
        section(body, "Distributions at " + shortSha(focusCommit), "Empirical CDF of every sample of each cell.");
        distributions(body, focus);
        section(body, "Metrics against ensemble size at " + shortSha(focusCommit),
            "Median with its " + confidencePct() + " confidence interval, per crash pattern (load-generator runs).");
        bySize(body, focus);
        section(body, "History across commits", "Median and " + confidencePct() + " interval per commit, oldest left;"
            + " red: significant regression (p < " + alpha + ", change \u2265 " + thresholdPct + "%)"
            + " against the previous commit."
            + " ZooKeeper cells are controls: their shift is the machine drift, and a regression of ours no larger than"
            + " it is listed as not distinguishable from drift, not marked.");
        history(body);
        return page(body);
    }

    /** @return how many plots the last {@link #render()} drew. */
    public int plotCount() {
        return plotCount;
    }

    private void header(final StringBuilder body) {
        body.append("<h1>electionbench results</h1>\n<p>").append(runs.size()).append(" runs, ")
            .append(commitOrder.size()).append(" commits; generated ").append(Html.escape(Instant.now().toString()))
            .append("</p>\n<ul class=\"hosts\">\n");
        distinctHosts(runs.stream().map(r -> r.run().host()).collect(Collectors.toList()))
            .forEach(h -> body.append("<li>").append(Html.escape(h.describe())).append("</li>\n"));
        body.append("</ul>\n");
    }

    /**
     * One entry per machine and JVM: hosts that {@link HostInfo#isSameHost} are one, described with
     * whatever any of their runs knew (a JMH run does not record the vendor, an old file the VM name).
     */
    static List<HostInfo> distinctHosts(final List<HostInfo> hosts) {
        final List<HostInfo> distinct = new ArrayList<>();
        for (final HostInfo h : hosts) {
            boolean isKnown = false;
            for (int i = 0; i < distinct.size() && !isKnown; i++) {
                if (distinct.get(i).isSameHost(h)) {
                    distinct.set(i, distinct.get(i).filledFrom(h));
                    isKnown = true;
                }
            }
            if (!isKnown) {
                distinct.add(h);
            }
        }
        return distinct;
    }

    private static void section(final StringBuilder body, final String title, final String note) {
        body.append("<h2>").append(Html.escape(title)).append("</h2>\n<p class=\"note\">").append(Html.escape(note))
            .append("</p>\n");
    }

    private void distributions(final StringBuilder body, final Pool pool) {
        final Map<String, List<String>> groups = new LinkedHashMap<>();
        for (final String id : pool.cellIds()) {
            for (final String metric : pool.metrics(id).keySet()) {
                groups.computeIfAbsent(metric + "\u0000" + group(pool.cell(id)), k -> new ArrayList<>()).add(id);
            }
        }
        body.append("<div class=\"grid\">\n");
        groups.forEach((key, ids) -> {
            final String metric = key.substring(0, key.indexOf('\u0000'));
            final String group = key.substring(key.indexOf('\u0000') + 1);
            for (int from = 0; from < ids.size(); from += MAX_SERIES_PER_PLOT) {
                final List<String> chunk = ids.subList(from, Math.min(ids.size(), from + MAX_SERIES_PER_PLOT));
                final String unit = pool.metrics(chunk.get(0)).get(metric).unit();
                final Plot plot = new Plot(metric + " \u2014 " + group, metric + " (" + unit + ")", "fraction \u2264 x", null);
                chunk.forEach(id -> cdf(plot.series(label(pool.cell(id)), Plot.Style.STEP, pool.cellIds().indexOf(id)),
                    pool.metrics(id).get(metric)));
                figure(body, plot);
            }
        });
        body.append("</div>\n");
    }

    private static void cdf(final Plot.Series series, final PooledMetric metric) {
        final double[] sorted = Samples.sorted(metric.samples());
        final int n = sorted.length;
        if (n <= MAX_CDF_POINTS) {
            for (int i = 0; i < n; i++) {
                series.add(new Plot.Point(sorted[i], (i + 1.0) / n, Double.NaN, Double.NaN, "", false));
            }
            return;
        }
        for (int i = 1; i <= MAX_CDF_POINTS; i++) {
            final double q = (double)i / MAX_CDF_POINTS;
            series.add(new Plot.Point(Samples.quantileOfSorted(sorted, q), q, Double.NaN, Double.NaN, "", false));
        }
    }

    private void bySize(final StringBuilder body, final Pool pool) {
        final Map<String, Map<String, List<Cell>>> plots = new LinkedHashMap<>();
        for (final String id : pool.cellIds()) {
            final Cell cell = pool.cell(id);
            if (cell.isJmh()) {
                continue;
            }
            for (final String metric : pool.metrics(id).keySet()) {
                plots.computeIfAbsent(metric + "\u0000" + cell.pattern(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(cell.target() + " / " + cell.policy(), k -> new ArrayList<>()).add(cell);
            }
        }
        body.append("<div class=\"grid\">\n");
        if (plots.isEmpty()) {
            body.append("<p class=\"note\">No load-generator cells at this commit.</p>\n");
        }
        plots.forEach((key, bySeries) -> {
            final String metric = key.substring(0, key.indexOf('\u0000'));
            final String pattern = key.substring(key.indexOf('\u0000') + 1);
            final String unit = pool.metrics(bySeries.values().iterator().next().get(0).id()).get(metric).unit();
            final Plot plot = new Plot(metric + " \u2014 " + pattern, "ensemble size", metric + " (" + unit + ")", null)
                .withIntegerX();
            bySeries.forEach((name, cells) -> {
                final Plot.Series s = plot.series(name, Plot.Style.POINTS);
                cells.stream().sorted((a, b) -> Integer.compare(a.size(), b.size()))
                    .forEach(c -> s.add(medianPoint(c.size(), pool.metrics(c.id()).get(metric), "size " + c.size())));
            });
            figure(body, plot);
        });
        body.append("</div>\n");
    }

    private void history(final StringBuilder body) {
        final Map<String, Set<String>> cellMetrics = new LinkedHashMap<>();
        pools.values().forEach(p -> p.cellIds().forEach(id ->
            cellMetrics.computeIfAbsent(id, k -> new LinkedHashSet<>()).addAll(p.metrics(id).keySet())));
        final List<String> labels = commitOrder.stream().map(HtmlReport::shortSha).collect(Collectors.toList());
        final HistoryMarks marks = new HistoryMarks();
        final StringBuilder grid = new StringBuilder("<div class=\"grid\">\n");
        cellMetrics.forEach((id, metrics) -> metrics.forEach(metric -> {
            final Plot plot = new Plot(metric + " \u2014 " + id, "commit", metric + " (" + unitOf(id, metric) + ")", labels);
            historySeries(plot.series(metric, Plot.Style.POINTS), id, metric, marks);
            figure(grid, plot);
        }));
        grid.append("</div>\n");
        body.append("<h3>Regressions</h3>\n");
        if (marks.regressions.isEmpty() && marks.drift.isEmpty() && marks.withinDrift.isEmpty()) {
            body.append("<p class=\"note\">None between consecutive commits.</p>\n");
        } else {
            body.append("<ul class=\"regressions\">\n");
            marks.regressions.forEach(r -> item(body, "regressed", r));
            marks.drift.values().forEach(r -> item(body, "drift", r));
            marks.withinDrift.forEach(r -> item(body, "within-drift", r));
            body.append("</ul>\n");
        }
        body.append(grid);
    }

    private static void item(final StringBuilder body, final String cssClass, final String text) {
        body.append("<li class=\"").append(cssClass).append("\">").append(Html.escape(text)).append("</li>\n");
    }

    /**
     * What the history found between consecutive commits: our regressions beyond the drift, one
     * drift line per pair of commits whose ZooKeeper controls both sides share, and our
     * regressions no larger than that drift.
     */
    private static final class HistoryMarks {
        final List<String> regressions = new ArrayList<>();
        final Map<String, String> drift = new LinkedHashMap<>();
        final List<String> withinDrift = new ArrayList<>();
        final Map<String, Map<String, Double>> driftByPair = new LinkedHashMap<>();
    }

    /** Per metric, the controls' drift from one commit to another (empty without shared controls), noted once. */
    private Map<String, Double> drift(final String from, final String to, final HistoryMarks marks) {
        return marks.driftByPair.computeIfAbsent(from + ".." + to, k -> {
            final List<GeomeanRow> rows = Drift.between(pools.get(from), pools.get(to), new ArrayList<>());
            if (!rows.isEmpty()) {
                marks.drift.put(k, "machine drift " + shortSha(from) + " \u2192 " + shortSha(to)
                    + " (ZooKeeper controls): "
                    + rows.stream()
                        .map(d -> d.metric() + " " + Numbers.percent(d.changePct()) + " (" + d.cells() + " cells)")
                        .collect(Collectors.joining(", ")));
            }
            return Drift.byMetric(rows);
        });
    }
    /** The unit a cell's metric is stored with, from the newest commit that has it. */
    private String unitOf(final String id, final String metric) {
        for (int i = commitOrder.size() - 1; i >= 0; i--) {
            final Pool pool = pools.get(commitOrder.get(i));
            if (pool != null && pool.cellIds().contains(id) && pool.metrics(id).containsKey(metric)) {
                return pool.metrics(id).get(metric).unit();
            }
        }
        return "?";
    }

    private void historySeries(final Plot.Series series, final String id, final String metric,
        final HistoryMarks marks) {
        PooledMetric previous = null;
        String previousCommit = null;
        for (int i = 0; i < commitOrder.size(); i++) {
            final String commit = commitOrder.get(i);
            final Pool pool = pools.get(commit);
            final PooledMetric m = pool.metrics(id).get(metric);
            if (m == null || m.samples().length == 0) {
                continue;
            }
            String note = shortSha(commit) + ": median " + Numbers.format(Samples.median(m.samples())) + " " + m.unit()
                + ", n=" + m.samples().length;
            boolean isRegression = false;
            if (previous != null && previous.unit().equals(m.unit())) {
                final CompareRow row = CompareRow.of(id, metric, m.unit(), m.better(), previous.samples(), m.samples(),
                    thresholdPct, alpha);
                final boolean isControl = pool.cell(id).isControl();
                final double driftPct = drift(previousCommit, commit, marks).getOrDefault(metric, Double.NaN);
                note += "; vs " + shortSha(previousCommit) + ": " + Numbers.percent(row.changePct())
                    + ", p=" + String.format(Locale.ROOT, "%.3f", row.pValue()) + ", " + row.verdict().label()
                    + (isControl ? " (control)" : "");
                if (row.verdict() == Verdict.REGRESSION && !isControl) {
                    final String line = id + " " + metric + ": " + shortSha(previousCommit) + " \u2192 "
                        + shortSha(commit) + " " + Numbers.percent(row.changePct())
                        + " (p=" + String.format(Locale.ROOT, "%.3f", row.pValue()) + ")";
                    final boolean isWithinDrift = Double.isFinite(driftPct)
                        && Math.abs(row.changePct()) <= Math.abs(driftPct);
                    if (isWithinDrift) {
                        marks.withinDrift.add(line + ", not distinguishable from drift (" + Numbers.percent(driftPct)
                            + ")");
                        note += ", within drift";
                    } else {
                        marks.regressions.add(line);
                        isRegression = true;
                    }
                }
            }
            final Plot.Point p = medianPoint(i, m, note);
            series.add(new Plot.Point(p.x(), p.y(), p.lo(), p.hi(), note, isRegression));
            previous = m;
            previousCommit = commit;
        }
    }

    private Plot.Point medianPoint(final double x, final PooledMetric m, final String note) {
        final MedianInterval ci = MedianInterval.of(m.samples(), 1.0 - alpha);
        return new Plot.Point(x, ci.median(), ci.isAvailable() ? ci.lo() : Double.NaN, ci.isAvailable() ? ci.hi() : Double.NaN,
            note + " (median " + Numbers.format(ci.median()) + ")", false);
    }

    /** The title goes in a caption, where a long cell id or benchmark name wraps instead of being cut off. */
    private void figure(final StringBuilder out, final Plot plot) {
        out.append("<figure>\n<figcaption>").append(breakable(plot.title())).append("</figcaption>\n")
            .append(plot.toSvg()).append("</figure>\n");
        plotCount++;
    }

    /** Escaped text with a line-break opportunity after each '/' and '.', the separators of cell ids and class names. */
    static String breakable(final String text) {
        return Html.escape(text).replace("/", "/<wbr>").replace(".", ".<wbr>");
    }

    private String confidencePct() {
        return Numbers.format((1.0 - alpha) * 100.0) + "%";
    }

    /** Cells sharing a CDF plot: same crash pattern (loadgen) or same benchmark (JMH). */
    private static String group(final Cell cell) {
        return cell.isJmh() ? cell.benchmark() : "pattern " + cell.pattern();
    }

    private static String label(final Cell cell) {
        if (cell.isJmh()) {
            final String params = cell.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
            return params.isEmpty() ? cell.benchmark() : params;
        }
        return cell.target() + " size=" + cell.size() + " " + cell.policy();
    }

    /** Git's default abbreviation: 7 hex digits. */
    private static String shortSha(final String commit) {
        return commit.length() > SHORT_SHA ? commit.substring(0, SHORT_SHA) : commit;
    }

    private static String page(final StringBuilder body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<title>electionbench results</title>\n<style>\n"
            + "body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}\n"
            + "h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}\n"
            + ".note{color:#555;font-size:13px}.hosts,.regressions{font-size:13px}\n"
            + ".regressions li.regressed{color:#b00}\n"
            + ".regressions li.drift{color:#555;font-weight:600}.regressions li.within-drift{color:#777}\n"
            + ".grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd;background:#fafafa;width:640px}\n"
            + "figcaption{font-size:13px;font-weight:600;padding:8px 12px 0 16px;overflow-wrap:anywhere}\n"
            + "svg.plot{display:block}svg.plot text{font-size:11px;fill:#333}\n"
            + "svg.plot .yl{text-anchor:end}svg.plot .xl,svg.plot .al{text-anchor:middle}\n"
            + "svg.plot .g{stroke:#e3e3e3}svg.plot .f{fill:none;stroke:#888}\n"
            + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }
}
