package io.electionbench.results.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Fixtures;
import io.electionbench.results.GitInfo;
import io.electionbench.results.HostInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.Metric;
import io.electionbench.results.RunCodec;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;
import io.electionbench.results.cli.ResultsMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {
    private static final Pattern DATA = Pattern.compile(
        "<script type=\"application/json\" id=\"plot-data\">(.*?)</script>", Pattern.DOTALL);

    @TempDir
    Path root;

    private static int count(final String haystack, final String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private String render() throws IOException {
        final RunStore store = new RunStore(root);
        return new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05).render();
    }

    /** The plots as the page embeds them: what its script draws. */
    private static List<JsonNode> plots(final String html) throws IOException {
        final Matcher m = DATA.matcher(html);
        assertTrue(m.find(), "no plot data in the page");
        final List<JsonNode> out = new ArrayList<>();
        RunCodec.MAPPER.readTree(m.group(1)).get("plots").forEach(out::add);
        return out;
    }

    private static JsonNode plot(final List<JsonNode> plots, final String kind, final String title) {
        return plots.stream().filter(p -> p.get("kind").asText().equals(kind) && p.get("title").asText().equals(title))
            .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " plot titled " + title));
    }

    private static String section(final String html, final String id) {
        final int from = html.indexOf("<section id=\"" + id + "\">");
        assertTrue(from >= 0, "no section " + id);
        return html.substring(from, html.indexOf("</section>", from));
    }

    @Test
    void pageIsSelfContainedAndEmbedsOneChartPerPlot() throws IOException {
        Fixtures.writeReportStore(root);
        final RunStore store = new RunStore(root);
        final HtmlReport report = new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05);
        final String html = report.render();

        final Matcher refs = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)").matcher(html);
        assertFalse(refs.find(), "external reference");
        assertFalse(html.toLowerCase().contains("<link"));
        assertFalse(Pattern.compile("(?i)<script[^>]*\\ssrc=").matcher(html).find(), "every script is inline");
        assertTrue(html.contains("var uPlot="), "uPlot's own build is inlined");
        assertTrue(html.contains("Copyright (c) 2022 Leon Sorokin"), "with its licence");
        assertTrue(html.contains(".uplot"), "and its stylesheet");

        final List<JsonNode> plots = plots(html);
        assertEquals(report.plotCount(), plots.size());
        assertEquals(plots.size(), count(html, "<div class=\"chart\" id=\"plot-"));
        assertTrue(html.contains("<body data-plots=\"" + plots.size() + "\">"), "check-report.sh counts against it");
        for (final JsonNode p : plots) {
            final String id = p.get("id").asText();
            assertTrue(html.contains("<div class=\"chart\" id=\"" + id + "\">"), id);
        }
        // At the last commit: 2 metrics of the loadgen pattern and 3 JMH metrics, a CDF and a spectrum each;
        // 2 size plots; history: 6 cells x 2 metrics and 3 JMH metrics.
        assertEquals(2 * (2 + 3) + 2 + (12 + 3), plots.size());
    }

    @Test
    void contentsListEverySectionByAnchorWithTheSummaryFirst() throws IOException {
        Fixtures.writeReportStore(root);
        final String html = render();
        final String nav = html.substring(html.indexOf("<nav id=\"contents\">"), html.indexOf("</nav>"));
        final Matcher anchors = Pattern.compile("href=\"#([^\"]+)\"").matcher(nav);
        final List<String> ids = new ArrayList<>();
        while (anchors.find()) {
            ids.add(anchors.group(1));
        }
        assertEquals(List.of("summary", "controls", "machines", "distributions", "by-size", "history"), ids);
        for (final String id : ids) {
            assertEquals(1, count(html, " id=\"" + id + "\""), id);
        }
        final Matcher sections = Pattern.compile("<section id=\"([^\"]+)\">").matcher(html);
        final List<String> inPage = new ArrayList<>();
        while (sections.find()) {
            inPage.add(sections.group(1));
        }
        assertEquals(ids, inPage, "every section is in the contents, in page order");
        assertTrue(html.indexOf("<nav id=\"contents\">") < html.indexOf("<section id=\"summary\">"));
    }

    @Test
    void summaryListsPrimaryRegressionsBeyondTheDriftOnly() throws IOException {
        final List<String> shas = Fixtures.writeReportStore(root);
        final String summary = section(render(), "summary");
        final String pair = shas.get(3).substring(0, 7) + " \u2192 " + shas.get(4).substring(0, 7);
        assertTrue(summary.contains("<h2>Summary: " + pair + "</h2>"), summary);
        assertTrue(Pattern.compile("<p class=\"drift\">machine drift between the two runs: \\+1\\d\\.\\d\\d% in"
            + " time_to_leader_ms \\(2 ZooKeeper cells\\)</p>").matcher(summary).find(), summary);

        final String regressions = summary.substring(summary.indexOf("<h3>Regressions beyond the drift"),
            summary.indexOf("<h3>Improvements"));
        assertEquals(2, count(regressions, "<li class=\"regressed\">"), regressions);
        assertEquals(2, count(regressions, "target=process/size=5/pattern=leader-crash/policy=fast time_to_"));
        assertFalse(regressions.contains("target=zookeeper"), "controls are the drift line, not regressions");
        assertFalse(regressions.contains("gc.alloc.rate.norm"), "a JMH secondary metric is not in the summary");
        assertFalse(summary.contains("ringFull"), "nor a metric whose direction is not declared");
        assertTrue(summary.contains("9 of 11 rows"), summary);

        final String withinDrift = summary.substring(summary.indexOf("<h3>Not distinguishable from drift"),
            summary.indexOf("<details>"));
        assertEquals(2, count(withinDrift, "target=process/size=3/pattern=leader-crash/policy=fast"), withinDrift);
    }

    @Test
    void controlsSectionShowsTheZookeeperCellsAndEveryDriftLine() throws IOException {
        Fixtures.writeReportStore(root);
        final String controls = section(render(), "controls");
        assertEquals(4, count(controls, "<tr class=\"control\"><td>target=zookeeper/"), controls);
        assertFalse(controls.contains("target=process"), controls);
        assertFalse(controls.contains(">regression<"), "a control's shift is the machine's, not a regression");
        assertEquals(4, count(controls, "shifted (control)"), controls);
        // Four consecutive pairs, two metrics each, all with the same ZooKeeper cells.
        assertEquals(8, count(controls, "<li class=\"drift\">"), controls);
    }

    @Test
    void noVerdictsInTheSummaryWhenTheLastTwoCommitsRanOnDifferentMachines() throws IOException {
        writeRun("a1".repeat(20), 0, Fixtures.HOST, 100, 400);
        writeRun("b2".repeat(20), 1, Fixtures.OTHER_HOST, 160, 400);
        final String summary = section(render(), "summary");
        assertTrue(summary.contains("<p class=\"refused\">No verdicts: the two runs measured different machines"),
            summary);
        assertTrue(summary.contains("Regressions beyond the drift (0)"), summary);
    }

    private void writeRun(final String sha, final int hour, final HostInfo host, final double ours, final double zk)
        throws IOException {
        RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(new GitInfo(sha, false, "main")).host(host)
            .started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * hour))
            .cell(Cell.loadgen("process", 3, "leader-crash", "fast").metric("time_to_leader_ms",
                Metric.of("ms", Better.LOWER, Fixtures.samples(hour * 10 + 1, 20, ours))).build())
            .cell(Cell.loadgen("zookeeper", 3, "leader-crash", "zk-3.9.5").metric("time_to_leader_ms",
                Metric.of("ms", Better.LOWER, Fixtures.samples(hour * 10 + 2, 20, zk))).build())
            .build());
    }

    /**
     * Cells that preloaded data get a plot of each metric against the data: one series per target and policy,
     * a point per preload, the cell without one at 0; in the size plots they are series of their own.
     */
    @Test
    void timeToReadyIsPlottedAgainstTheDataPreloaded() throws IOException {
        final RunResult.Builder run = RunResult.builder(Kind.LOADGEN).git(new GitInfo("c3".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-01-01T00:00:00Z"));
        final long[] preloads = {0, 10_000, 100_000};
        for (int i = 0; i < preloads.length; i++) {
            final Map<String, String> params = preloads[i] == 0 ? Map.of()
                : new java.util.TreeMap<>(Map.of("preload", Long.toString(preloads[i]), "value_bytes", "128"));
            run.cell(Cell.loadgen("zookeeper", 3, "follower-crash", "zk-3.9.5", params).metric("time_to_ready_ms",
                Metric.of("ms", Better.LOWER, Fixtures.samples(i + 1, 10, 300 + 200 * i))).build());
            run.cell(Cell.loadgen("process", 3, "follower-crash", "fast", params).metric("time_to_ready_ms",
                Metric.of("ms", Better.LOWER, Fixtures.samples(i + 7, 10, 20 + 10 * i))).build());
        }
        RunWriter.create(root, run.build());
        final String html = render();
        assertTrue(section(html, "by-data").contains("against the values preloaded"), section(html, "by-data"));
        final JsonNode data = plot(plots(html), "data", "time_to_ready_ms \u2014 follower-crash, size 3");
        assertEquals("values preloaded", data.get("x").get("label").asText());
        assertEquals(2, data.get("series").size(), data.toString());
        for (final JsonNode series : data.get("series")) {
            assertEquals("[0.0,10000.0,100000.0]", series.get("x").toString(), series.toString());
        }
        final JsonNode zk = data.get("series").get(0).get("target").asText().equals("zookeeper")
            ? data.get("series").get(0) : data.get("series").get(1);
        assertTrue(zk.get("y").get(2).asDouble() > zk.get("y").get(0).asDouble(), "grows with the data: " + zk);
        final long sizeSeries = plots(html).stream().filter(p -> p.get("kind").asText().equals("size"))
            .mapToLong(p -> p.get("series").size()).sum();
        assertEquals(6, sizeSeries, "each preload its own series in the size plot");
    }

    @Test
    void aStoreWithoutPreloadsHasNoDataSection() throws IOException {
        Fixtures.writeReportStore(root);
        assertFalse(render().contains("<section id=\"by-data\">"));
    }

    @Test
    void everyTargetHasOneColourAcrossEveryPlot() throws IOException {
        Fixtures.writeReportStore(root);
        final Map<String, Set<String>> colours = new HashMap<>();
        for (final JsonNode p : plots(render())) {
            for (final JsonNode s : p.get("series")) {
                if (!s.get("style").asText().equals("marks")) {
                    colours.computeIfAbsent(s.get("target").asText(), k -> new LinkedHashSet<>())
                        .add(s.get("colour").asText());
                }
            }
        }
        assertEquals(Set.of("process", "zookeeper", "sim", Palette.JMH), colours.keySet());
        colours.forEach((target, set) -> assertEquals(Set.of(Palette.colour(target)), set, target));
        assertEquals(4, colours.values().stream().distinct().count(), "no two targets share a colour: " + colours);
    }

    @Test
    void cdfAndSpectrumHoldASeriesPerCellOnALogAxisWhenTheyHoldZookeeperAndUs() throws IOException {
        Fixtures.writeReportStore(root);
        final List<JsonNode> plots = plots(render());
        final JsonNode cdf = plot(plots, "cdf", "time_to_leader_ms \u2014 pattern leader-crash: CDF");
        assertEquals(6, cdf.get("series").size());
        final List<String> targets = new ArrayList<>();
        cdf.get("series").forEach(s -> targets.add(s.get("target").asText()));
        assertEquals(List.of("process", "process", "zookeeper", "zookeeper", "sim", "sim"), targets);
        assertEquals(0, cdf.get("series").get(0).get("dash").size(), "the first of a target is solid");
        assertNotEquals(0, cdf.get("series").get(1).get("dash").size(), "the second is dashed");
        assertTrue(cdf.get("x").get("log").asBoolean(), "21 ms and 400 ms on one axis: log");
        assertFalse(cdf.get("y").get("log").asBoolean());
        final JsonNode first = cdf.get("series").get(0);
        assertEquals(20, first.get("x").size());
        assertEquals(1.0, first.get("y").get(19).asDouble(), 0.0);

        final int at = plots.indexOf(cdf);
        final JsonNode spectrum = plots.get(at + 1);
        assertEquals("spectrum", spectrum.get("kind").asText(), "the spectrum stands beside its CDF");
        assertEquals("time_to_leader_ms \u2014 pattern leader-crash: percentile spectrum",
            spectrum.get("title").asText());
        assertTrue(spectrum.get("x").get("log").asBoolean());
        assertTrue(spectrum.get("y").get("log").asBoolean());
        assertEquals(1.0 / (1.0 - 0.5 / 20), spectrum.get("series").get(0).get("x").get(0).asDouble(), 1e-12);
        assertEquals(40.0, spectrum.get("series").get(0).get("x").get(19).asDouble(), 1e-9);

        final JsonNode jmh = plot(plots, "cdf",
            "avgt \u2014 io.electionbench.benchmarks.VoteOrderBenchmark.compare: CDF");
        assertFalse(jmh.get("x").get("log").asBoolean(), "12.5 ns give or take a little: linear");
        assertEquals(Palette.JMH, jmh.get("series").get(0).get("target").asText());
    }

    @Test
    void historyHasASeriesPerMachineThatBreaksWhereTheMachineChanges() throws IOException {
        Fixtures.writeReportStore(root);
        final String html = render();
        final JsonNode history = plot(plots(html), "history",
            "time_to_leader_ms \u2014 target=process/size=5/pattern=leader-crash/policy=fast");
        assertEquals(Fixtures.REPORT_COMMITS, history.get("categories").size());
        final JsonNode m1 = history.get("series").get(0);
        final JsonNode m2 = history.get("series").get(1);
        assertEquals("M1", m1.get("machine").asText());
        assertEquals("M2", m2.get("machine").asText());
        for (int i = 0; i < Fixtures.REPORT_COMMITS; i++) {
            final boolean isOther = i == Fixtures.OTHER_HOST_COMMIT;
            assertEquals(isOther, m1.get("y").get(i).isNull(), "M1 has a gap at the other machine's commit " + i);
            assertEquals(!isOther, m2.get("y").get(i).isNull(), "M2 has only its own commit " + i);
        }
        assertTrue(m2.get("notes").get(Fixtures.OTHER_HOST_COMMIT).asText().contains(" on M2: median "));
        assertTrue(m2.get("notes").get(Fixtures.OTHER_HOST_COMMIT).asText().contains(", ?"),
            "no verdict across machines");

        final JsonNode marks = history.get("series").get(2);
        assertEquals("marks", marks.get("style").asText());
        assertEquals(Palette.MARK, marks.get("colour").asText());
        for (int i = 0; i < Fixtures.REPORT_COMMITS; i++) {
            assertEquals(i != Fixtures.REPORT_COMMITS - 1, marks.get("y").get(i).isNull(), "marked: the last only");
        }
        final String machines = section(html, "machines");
        assertTrue(machines.contains("<li>M1: Test CPU @ 3.0GHz"), machines);
        assertTrue(machines.contains("<li>M2: Other CPU @ 2.0GHz"), machines);
    }

    @Test
    void historyMarksNoControlAndNoSecondaryMetric() throws IOException {
        Fixtures.writeReportStore(root);
        final String html = render();
        final String history = section(html, "history");
        final String list = history.substring(0, history.indexOf("<div class=\"grid\">"));
        assertEquals(2, count(list, "<li class=\"regressed\">"), list);
        assertFalse(list.contains("target=zookeeper"), list);
        assertFalse(list.contains("gc.alloc.rate.norm"), list);
        int marked = 0;
        for (final JsonNode p : plots(html)) {
            for (final JsonNode s : p.get("series")) {
                if (s.get("style").asText().equals("marks")) {
                    marked++;
                    assertFalse(p.get("title").asText().contains("target=zookeeper"), p.get("title").asText());
                    assertFalse(p.get("title").asText().startsWith("gc."), p.get("title").asText());
                }
            }
        }
        assertEquals(2, marked, "the two regressions of process size 5 are marked");
    }

    @Test
    void cellNamesAreEscapedInTheHtmlAndInTheData() throws IOException {
        RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(new GitInfo("ff".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-01-01T00:00:00Z"))
            .cell(Cell.loadgen("<script>alert(1)</script>", 3, "a&b", "\"q\"")
                .metric("t<ms>", Metric.of("ms", Better.LOWER, 1, 2, 3, 4, 5, 6)).build())
            .cell(Cell.jmh("x.Y.z", Map.of("p", "</script><img src=x>"))
                .metric("avgt", Metric.of("ns/op", Better.LOWER, 1, 2, 3)).build())
            .build());
        final String html = render();
        assertFalse(html.contains("<script>alert"));
        assertFalse(html.contains("<img"));
        assertFalse(html.contains("t<ms>"));
        assertTrue(html.contains("target=&lt;script&gt;alert(1)&lt;/<wbr>script&gt;"), "in a history caption");
        assertTrue(html.contains("a&amp;b"));
        assertTrue(html.contains("&quot;q&quot;"));
        assertTrue(html.contains("t&lt;ms&gt;"));
        final Set<String> labels = new LinkedHashSet<>();
        plots(html).forEach(p -> p.get("series").forEach(s -> labels.add(s.get("label").asText())));
        assertTrue(labels.contains("<script>alert(1)</script> size=3 \"q\""), "the data keeps the name: " + labels);
        assertTrue(labels.contains("p=</script><img src=x>"), labels.toString());
    }

    @Test
    void reportCommandWritesTheFileAndFailsCleanlyOnAnEmptyStore() throws IOException {
        Fixtures.writeStore(root, 2);
        final Path out = root.resolve("out/report.html");
        assertEquals(0, ResultsMain.commandLine().execute("report", "--root", root.toString(), "--out",
            out.toString()));
        assertTrue(Files.readString(out).startsWith("<!DOCTYPE html>"));
        assertEquals(0, ResultsMain.commandLine().execute("report", "--root", root.toString()));
        assertTrue(Files.isRegularFile(root.resolve("results/report.html")));
        final Path empty = Files.createDirectories(root.resolve("empty"));
        assertEquals(2, ResultsMain.commandLine().execute("report", "--root", empty.toString()));
    }

    @Test
    void oneCommitHasNothingToSummarise() throws IOException {
        writeRun("c3".repeat(20), 0, Fixtures.HOST, 100, 400);
        final String summary = section(render(), "summary");
        assertTrue(summary.contains("One commit in the store: nothing to compare yet."), summary);
    }

    @Test
    void oneVmRecordedThreeWaysIsOneHost() throws IOException {
        // The variants the store holds for one VM: a load test (vendor, no VM name: older files), a JMH
        // import from before jvmName existed (VM name only), a newer JMH import (both), plus a respelled vendor.
        final List<HostInfo> variants = List.of(
            new HostInfo("AMD EPYC", 2, 25276502016L, "Linux", "6.18.44", "6.18.44", "Debian", null, "17.0.15",
                List.of()),
            new HostInfo("AMD EPYC", 2, 25276502016L, "Linux", "6.18.44", "6.18.44", null, "OpenJDK 64-Bit Server VM",
                "17.0.15", List.of("-Xms1g")),
            new HostInfo("AMD EPYC", 2, 25276502016L, "Linux", "6.18.44", "6.18.44", "Debian",
                "OpenJDK 64-Bit Server VM", "17.0.15", List.of("-Xms1g")),
            new HostInfo("AMD EPYC", 2, 25276502016L, "Linux", "6.18.44", "6.18.44", "debian.", null, "17.0.15",
                List.of()));
        for (int i = 0; i < variants.size(); i++) {
            RunWriter.create(root, RunResult.builder(Kind.LOADGEN)
                .git(new GitInfo("c" + i + "c".repeat(38), false, "main"))
                .host(variants.get(i)).started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(i))
                .cell(Cell.loadgen("sim", 3, "leader-crash", "fast").metric("t", Metric.of("ms", Better.LOWER, 1, 2,
                    3)).build())
                .build());
        }
        final String html = render();
        final String hosts = html.substring(html.indexOf("<ul class=\"hosts\">"), html.indexOf("</ul>",
            html.indexOf("<ul class=\"hosts\">")));
        assertEquals(1, count(hosts, "<li>"), hosts);
        assertTrue(hosts.contains("M1: AMD EPYC"), hosts);
        assertTrue(hosts.contains("Debian 17.0.15 (OpenJDK 64-Bit Server VM)"), hosts);
    }
}
