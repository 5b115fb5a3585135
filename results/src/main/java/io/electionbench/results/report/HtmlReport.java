package io.electionbench.results.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.electionbench.results.Cell;
import io.electionbench.results.HostInfo;
import io.electionbench.results.Numbers;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunCodec;
import io.electionbench.results.RunResult;
import io.electionbench.results.StoredRun;
import io.electionbench.results.compare.CompareRow;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.compare.Pool;
import io.electionbench.results.compare.PooledMetric;
import io.electionbench.results.stats.MedianInterval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The HTML report over a store: one page that opens offline, with uPlot and the plot data inlined.
 * A table of contents, then the summary (the last two commits judged as {@code compare} judges
 * them, primary metrics only, regressions only beyond the ZooKeeper controls' drift), the
 * controls and machines, then the detail: CDF and percentile spectrum per cell, metrics against
 * ensemble size, and every cell's history across commits. See docs/results.md, "report".
 */
public final class HtmlReport {
    /** A plot draws at most this many series; more cells are split over several plots. */
    private static final int MAX_SERIES_PER_PLOT = 10;
    private static final int SHORT_SHA = 7;

    private final List<StoredRun> runs;
    private final List<String> commitOrder;
    private final String focusCommit;
    private final Comparison.Options options;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final Map<String, List<RunResult>> runsByCommit = new LinkedHashMap<>();
    private final Machines machines;
    private final History history;
    private final List<PlotSpec> plots = new ArrayList<>();

    /**
     * @param runs         every run to show, at least one.
     * @param commitOrder  commits oldest first (see {@code RunStore.commitOrder}).
     * @param focusCommit  commit for the distribution and size plots, null for the last in order.
     * @param thresholdPct smallest change that counts, percent.
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
        this.options = Comparison.Options.defaults(thresholdPct, alpha);
        for (final String commit : commitOrder) {
            final List<RunResult> of = runs.stream().map(StoredRun::run).filter(r -> r.commit().equals(commit))
                .collect(Collectors.toList());
            runsByCommit.put(commit, of);
            pools.put(commit, Pool.of(of));
        }
        this.machines = new Machines(runs.stream().map(r -> r.run().host()).toList());
        this.history = new History(this.commitOrder, runsByCommit, options);
    }

    /**
     * @return the page.
     * @throws ResultsException when uPlot's WebJar is not on the classpath.
     */
    public String render() {
        final Assets assets = Assets.load();
        plots.clear();
        final StringBuilder body = new StringBuilder(256 * 1024);
        final Pool focus = pools.getOrDefault(focusCommit, Pool.of(List.of()));
        body.append("<h1>electionbench results</h1>\n<p class=\"note\">").append(runs.size()).append(" runs, ")
            .append(commitOrder.size()).append(" commits; generated ").append(Html.escape(Instant.now().toString()))
            .append(". Plots: drag to zoom, double-click to reset, click a legend entry to hide its series.</p>\n");
        final Sections sections = new Sections();
        sections.add("summary", summaryTitle(), Summary.summary(history.last(), pools));
        sections.add("controls", "ZooKeeper controls and machine drift", Summary.controls(history));
        sections.add("machines", "Machines", machinesHtml());
        sections.add("distributions", "Distributions at " + shortSha(focusCommit), distributions(focus));
        sections.add("by-size", "Metrics against ensemble size at " + shortSha(focusCommit), bySize(focus));
        if (hasPreload(focus)) {
            sections.add("by-data", "Metrics against data size at " + shortSha(focusCommit), byData(focus));
        }
        sections.add("history", "History across commits", historyHtml());
        sections.appendTo(body);
        return page(body, assets);
    }

    /** @return how many plots the last {@link #render()} embedded. */
    public int plotCount() {
        return plots.size();
    }

    private String summaryTitle() {
        final History.Step last = history.last();
        return last == null ? "Summary" : "Summary: " + shortSha(last.from()) + " \u2192 " + shortSha(last.to());
    }

    /** Sections in page order, each listed in the table of contents by its anchor. */
    private static final class Sections {
        private final List<String[]> list = new ArrayList<>();

        void add(final String id, final String title, final String html) {
            list.add(new String[]{id, title, html});
        }

        void appendTo(final StringBuilder body) {
            body.append("<nav id=\"contents\">\n<h2>Contents</h2>\n<ol class=\"toc\">\n");
            list.forEach(s -> body.append("<li><a href=\"#").append(s[0]).append("\">").append(Html.escape(s[1]))
                .append("</a></li>\n"));
            body.append("</ol>\n</nav>\n");
            list.forEach(s -> body.append("<section id=\"").append(s[0]).append("\">\n<h2>").append(Html.escape(s[1]))
                .append("</h2>\n").append(s[2]).append("</section>\n"));
        }
    }

    private String machinesHtml() {
        final StringBuilder out = new StringBuilder();
        out.append("<p class=\"note\">Machines are told apart by CPU model, cores and memory, as compare does;"
            + " no verdict is given across machines. History points carry their machine's label.</p>\n");
        out.append("<ul class=\"hosts\">\n");
        distinctHosts(runs.stream().map(r -> r.run().host()).collect(Collectors.toList())).forEach(h ->
            out.append("<li>").append(Html.escape(machines.label(h) + ": " + h.describe())).append("</li>\n"));
        return out.append("</ul>\n").toString();
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

    private String distributions(final Pool pool) {
        final Map<String, List<String>> groups = new LinkedHashMap<>();
        for (final String id : pool.cellIds()) {
            for (final String metric : pool.metrics(id).keySet()) {
                if (pool.metrics(id).get(metric).samples().length > 0) {
                    groups.computeIfAbsent(metric + "\u0000" + group(pool.cell(id)), k -> new ArrayList<>()).add(id);
                }
            }
        }
        final StringBuilder out = new StringBuilder("<p class=\"note\">Every sample of each cell: the empirical CDF"
            + " and, beside it, the percentile spectrum (HdrHistogram's plot: percentile on a log 1/(1-p) axis, so the"
            + " tail is spread out). A value axis is logarithmic when its data spans more than "
            + Numbers.format(Charts.LOG_SPAN) + "x. Colours are per target, the same in every plot.</p>\n");
        groups.forEach((key, ids) -> {
            final String metric = key.substring(0, key.indexOf('\u0000'));
            final String group = key.substring(key.indexOf('\u0000') + 1);
            for (int from = 0; from < ids.size(); from += MAX_SERIES_PER_PLOT) {
                final List<Charts.Curve> curves = ids.subList(from, Math.min(ids.size(), from + MAX_SERIES_PER_PLOT))
                    .stream().map(id -> new Charts.Curve(label(pool.cell(id)), target(pool.cell(id)),
                        pool.metrics(id).get(metric).samples())).toList();
                final String unit = pool.metrics(ids.get(from)).get(metric).unit();
                final String title = metric + " \u2014 " + group;
                out.append("<div class=\"pair\">\n");
                figure(out, Charts.cdf(nextId(), title + ": CDF", metric + " (" + unit + ")", curves));
                figure(out, Charts.spectrum(nextId(), title + ": percentile spectrum", metric + " (" + unit + ")",
                    curves));
                out.append("</div>\n");
            }
        });
        return out.toString();
    }

    private String bySize(final Pool pool) {
        final StringBuilder out = new StringBuilder("<p class=\"note\">Median with its "
            + confidencePct() + " confidence interval, per crash pattern (load-generator runs).</p>\n"
            + "<div class=\"grid\">\n");
        if (pool.cellIds().stream().allMatch(id -> pool.cell(id).isJmh())) {
            out.append("<p class=\"note\">No load-generator cells at this commit.</p>\n");
        }
        plotAgainst(out, pool, Cell::pattern, c -> c.target() + " / " + c.policy() + dataLabel(c), Cell::size,
            c -> "size " + c.size(), false);
        return out.append("</div>\n").toString();
    }

    /**
     * One plot per metric and group of load-generator cells ({@code group}), one series per {@code series}
     * name, a point per cell at {@code x}: the median with its interval. With {@code isDataAxis} the x axis is
     * the data preloaded and a group where no series has two points is left out.
     */
    private void plotAgainst(final StringBuilder out, final Pool pool, final Function<Cell, String> group,
        final Function<Cell, String> series, final ToLongFunction<Cell> x, final Function<Cell, String> xText,
        final boolean isDataAxis) {
        final Map<String, Map<String, List<Cell>>> groups = new LinkedHashMap<>();
        for (final String id : pool.cellIds()) {
            final Cell cell = pool.cell(id);
            if (cell.isJmh()) {
                continue;
            }
            for (final String metric : pool.metrics(id).keySet()) {
                groups.computeIfAbsent(metric + "\u0000" + group.apply(cell), k -> new LinkedHashMap<>())
                    .computeIfAbsent(series.apply(cell), k -> new ArrayList<>()).add(cell);
            }
        }
        groups.forEach((key, bySeries) -> {
            final String metric = key.substring(0, key.indexOf('\u0000'));
            final String title = metric + " \u2014 " + key.substring(key.indexOf('\u0000') + 1);
            if (isDataAxis && bySeries.values().stream().noneMatch(cells -> cells.size() > 1)) {
                return; // one data size only: nothing to plot against
            }
            final String unit = pool.metrics(bySeries.values().iterator().next().get(0).id()).get(metric).unit();
            final List<Charts.Line> lines = new ArrayList<>();
            bySeries.forEach((name, cells) -> lines.add(new Charts.Line(name, cells.get(0).target(), cells.stream()
                .filter(c -> pool.metrics(c.id()).get(metric).samples().length > 0)
                .sorted(Comparator.comparingLong(x))
                .map(c -> point(x.applyAsLong(c), xText.apply(c), pool.metrics(c.id()).get(metric))).toList())));
            final String label = metric + " (" + unit + ")";
            figure(out, isDataAxis ? Charts.byData(nextId(), title, label, lines)
                : Charts.bySize(nextId(), title, label, lines));
        });
    }

    /** Cells that preloaded data ({@code run --preload}) are series of their own in the size plots. */
    private static String dataLabel(final Cell cell) {
        final String preload = cell.params().get(PRELOAD);
        return preload == null ? "" : " preload=" + preload;
    }

    /** The load-generator param that says how many values a cell preloaded. */
    static final String PRELOAD = "preload";

    private static boolean hasPreload(final Pool pool) {
        return pool.cellIds().stream().map(pool::cell).anyMatch(c -> !c.isJmh() && c.params().containsKey(PRELOAD));
    }

    /**
     * Each metric against the data preloaded, per crash pattern and ensemble size: one series per target and
     * policy, a point per preload (cells without one at 0), so time-to-ready can be seen growing with the data.
     */
    private String byData(final Pool pool) {
        final StringBuilder out = new StringBuilder("<p class=\"note\">Median with its " + confidencePct()
            + " confidence interval against the values preloaded before the trials (run --preload), per crash"
            + " pattern and ensemble size.</p>\n<div class=\"grid\">\n");
        plotAgainst(out, pool, c -> c.pattern() + ", size " + c.size(), c -> c.target() + " / " + c.policy(),
            HtmlReport::preloaded, c -> preloaded(c) + " values", true);
        return out.append("</div>\n").toString();
    }

    private static long preloaded(final Cell cell) {
        final String preload = cell.params().get(PRELOAD);
        return preload == null ? 0 : Long.parseLong(preload);
    }

    private Charts.Point point(final long x, final String xText, final PooledMetric m) {
        final MedianInterval ci = MedianInterval.of(m.samples(), 1.0 - options.alpha());
        return new Charts.Point(x, ci, xText + ": median " + Numbers.format(ci.median()) + " " + m.unit()
            + interval(ci) + ", n=" + m.samples().length, null, false);
    }

    private String historyHtml() {
        final Map<String, Set<String>> cellMetrics = new LinkedHashMap<>();
        final Map<String, Cell> cells = new LinkedHashMap<>();
        pools.values().forEach(p -> p.cellIds().forEach(id -> {
            cellMetrics.computeIfAbsent(id, k -> new LinkedHashSet<>()).addAll(p.metrics(id).keySet());
            cells.putIfAbsent(id, p.cell(id));
        }));
        final StringBuilder out = new StringBuilder(Summary.historyMarks(history, pools));
        out.append("<p class=\"note\">Median and ").append(confidencePct()).append(" interval per commit, oldest"
            + " left, one series per machine: the line breaks where the machine changes. A red mark is a regression"
            + " of a primary metric beyond the drift, by the same rule as compare.</p>\n<div class=\"grid\">\n");
        final List<String> labels = commitOrder.stream().map(HtmlReport::shortSha).collect(Collectors.toList());
        cellMetrics.forEach((id, metrics) -> metrics.forEach(metric -> {
            final List<Charts.Point> points = historyPoints(id, cells.get(id), metric);
            if (!points.isEmpty()) {
                figure(out, Charts.history(nextId(), metric + " \u2014 " + id, metric + " (" + unitOf(id, metric) + ")",
                    target(cells.get(id)), labels, points));
            }
        }));
        return out.append("</div>\n").toString();
    }

    private List<Charts.Point> historyPoints(final String id, final Cell cell, final String metric) {
        final List<Charts.Point> points = new ArrayList<>();
        for (int i = 0; i < commitOrder.size(); i++) {
            final String commit = commitOrder.get(i);
            final PooledMetric m = pools.get(commit).metrics(id).get(metric);
            if (m == null || m.samples().length == 0) {
                continue;
            }
            final MedianInterval ci = MedianInterval.of(m.samples(), 1.0 - options.alpha());
            final String machine = machineOf(commit, id);
            String note = shortSha(commit) + " on " + machine + ": median " + Numbers.format(ci.median()) + " "
                + m.unit() + interval(ci) + ", n=" + m.samples().length;
            final History.Step step = history.into(commit);
            final CompareRow row = step == null ? null : step.row(id, metric);
            boolean isMarked = false;
            if (row != null) {
                note += "; vs " + shortSha(step.from()) + ": " + Numbers.percent(row.changePct()) + ", p.adj="
                    + Summary.p(row.pAdjusted()) + ", " + row.verdict().label() + (row.isControl() ? " (control)" : "");
                isMarked = Summary.isRegressionBeyondDrift(row, cell);
            }
            points.add(new Charts.Point(i, ci, note, machine, isMarked));
        }
        return points;
    }

    /** The machine of the first run of that commit that measured the cell. */
    private String machineOf(final String commit, final String cellId) {
        for (final RunResult r : runsByCommit.get(commit)) {
            if (r.cells().stream().anyMatch(c -> c.id().equals(cellId))) {
                return machines.label(r.host());
            }
        }
        return machines.label(runsByCommit.get(commit).get(0).host());
    }

    /** The unit a cell's metric is stored with, from the newest commit that has it. */
    private String unitOf(final String id, final String metric) {
        for (int i = commitOrder.size() - 1; i >= 0; i--) {
            final Pool pool = pools.get(commitOrder.get(i));
            if (pool.cellIds().contains(id) && pool.metrics(id).containsKey(metric)) {
                return pool.metrics(id).get(metric).unit();
            }
        }
        return "?";
    }

    private String nextId() {
        return "plot-" + (plots.size() + 1);
    }

    /** The title goes in a caption, where a long cell id or benchmark name wraps instead of being cut off. */
    private void figure(final StringBuilder out, final PlotSpec plot) {
        plots.add(plot);
        out.append("<figure>\n<figcaption>").append(breakable(plot.title())).append("</figcaption>\n")
            .append("<div class=\"chart\" id=\"").append(plot.id()).append("\"></div>\n</figure>\n");
    }

    /** Escaped text with a line-break opportunity after each '/' and '.', the separators of cell ids and names. */
    static String breakable(final String text) {
        return Html.escape(text).replace("/", "/<wbr>").replace(".", ".<wbr>");
    }

    private String confidencePct() {
        return Numbers.format((1.0 - options.alpha()) * 100.0) + "%";
    }

    private static String interval(final MedianInterval ci) {
        return ci.isAvailable() ? " [" + Numbers.format(ci.lo()) + ", " + Numbers.format(ci.hi()) + "]" : "";
    }

    /** Cells sharing a CDF plot: same crash pattern (loadgen) or same benchmark (JMH). */
    private static String group(final Cell cell) {
        return cell.isJmh() ? cell.benchmark() : "pattern " + cell.pattern();
    }

    /** The key of a cell's colour: its target, or {@link Palette#JMH}. */
    static String target(final Cell cell) {
        return cell.isJmh() ? Palette.JMH : cell.target();
    }

    private static String label(final Cell cell) {
        if (cell.isJmh()) {
            final String params = cell.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
            return params.isEmpty() ? cell.benchmark() : params;
        }
        final String params = cell.params().entrySet().stream().map(e -> " " + e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining());
        return cell.target() + " size=" + cell.size() + " " + cell.policy() + params;
    }

    /** Git's default abbreviation: 7 hex digits. */
    static String shortSha(final String commit) {
        return commit.length() > SHORT_SHA ? commit.substring(0, SHORT_SHA) : commit;
    }

    /**
     * The plot data as JSON safe inside a script element: '<', '>' and '&' only occur in strings,
     * where their \\u escapes mean the same, so no text from a run file can end the element.
     */
    String plotDataJson() {
        final ObjectNode root = JsonNodeFactory.instance.objectNode();
        final ArrayNode list = root.putArray("plots");
        plots.forEach(p -> list.add(p.toJson()));
        try {
            return RunCodec.MAPPER.writeValueAsString(root).replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("&", "\\u0026");
        } catch (final JsonProcessingException ex) {
            throw new ResultsException("cannot write the plot data: " + ex.getMessage(), ex);
        }
    }

    private String page(final StringBuilder body, final Assets assets) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<title>electionbench results</title>\n<style>\n" + assets.uplotCss() + "\n</style>\n<style>\n"
            + assets.reportCss() + "</style>\n</head>\n<body data-plots=\"" + plots.size() + "\">\n" + body
            + "<script type=\"application/json\" id=\"plot-data\">" + plotDataJson() + "</script>\n"
            + "<!-- uPlot " + assets.uplotVersion() + " (org.webjars.npm:uplot), inlined; its licence:\n"
            + assets.uplotLicense().replace("--", "- -") + "\n-->\n"
            + "<script>\n" + assets.uplotJs() + "\n</script>\n<script>\n" + assets.reportJs() + "</script>\n"
            + "</body>\n</html>\n";
    }
}
