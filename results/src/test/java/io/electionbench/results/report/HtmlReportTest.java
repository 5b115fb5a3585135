package io.electionbench.results.report;

import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Fixtures;
import io.electionbench.results.GitInfo;
import io.electionbench.results.HostInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.Metric;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;
import io.electionbench.results.StoredRun;
import io.electionbench.results.cli.ResultsMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {
    @TempDir
    Path root;

    private static int count(final String haystack, final String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void reportIsSelfContainedWithOneSvgPerPlotAndMarksTheRegression() throws IOException {
        final List<String> shas = Fixtures.writeStore(root, 4);
        final RunStore store = new RunStore(root);
        final List<StoredRun> runs = store.all();
        final HtmlReport report = new HtmlReport(runs, store.commitOrder(runs), null, 5.0, 0.05);
        final String html = report.render();

        final Matcher refs = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)").matcher(html);
        assertFalse(refs.find(), "external reference");
        assertFalse(html.contains("http://") || html.contains("https://"));
        assertFalse(html.toLowerCase().contains("<script"));
        assertFalse(html.toLowerCase().contains("<link"));

        // Latest commit: 2 metrics x 2 patterns CDFs + 1 JMH CDF; size plots: 2 metrics x 2 patterns;
        // history: 12 loadgen cell metrics + 1 JMH.
        assertEquals(5 + 4 + 13, report.plotCount());
        assertEquals(report.plotCount(), count(html, "<svg "));
        assertEquals(count(html, "<svg "), count(html, "</svg>"));

        // The last commit is 20% slower in time_to_leader_ms for every cell: 6 marked points, listed.
        assertEquals(6, count(html, "class=\"regression\""));
        assertTrue(html.contains(shas.get(2).substring(0, 7) + " \u2192 " + shas.get(3).substring(0, 7)));
        assertTrue(html.contains("History across commits"));
    }

    @Test
    void titlesAreWrappableCaptionsAndCommitsAreShortShas() throws IOException {
        final List<String> shas = Fixtures.writeStore(root, 3);
        final RunStore store = new RunStore(root);
        final HtmlReport report = new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05);
        final String html = report.render();
        assertEquals(report.plotCount(), count(html, "<figcaption>"));
        assertFalse(html.contains("class=\"t\""), "no title drawn inside a chart, where it would be cut off");
        assertTrue(html.contains("<figcaption>time_to_leader_ms \u2014 target=sim/<wbr>size=3/<wbr>pattern=leader-crash/<wbr>"
            + "policy=zookeeper</figcaption>"), html);
        assertTrue(html.contains("io.<wbr>electionbench.<wbr>benchmarks.<wbr>VoteOrderBenchmark.<wbr>compare"));
        assertTrue(html.contains("class=\"xl\">" + shas.get(2).substring(0, 7) + "</text>"));
        assertFalse(html.contains(shas.get(2).substring(0, 8)), "only 7-digit shas");
        assertFalse(html.contains("class=\"al\">time_to_leader_ms</text>"), "every value axis names its unit, history included");
        assertTrue(html.contains("class=\"al\">time_to_leader_ms (ms)</text>"));
    }

    @Test
    void cellNamesAreEscaped() throws IOException {
        RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(new GitInfo("ff".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-01-01T00:00:00Z"))
            .cell(Cell.loadgen("<script>alert(1)</script>", 3, "a&b", "\"q\"")
                .metric("t<ms>", Metric.of("ms", Better.LOWER, 1, 2, 3, 4, 5, 6)).build())
            .cell(Cell.jmh("x.Y.z", Map.of("p", "<img src=x>"))
                .metric("avgt", Metric.of("ns/op", Better.LOWER, 1, 2, 3)).build())
            .build());
        final RunStore store = new RunStore(root);
        final String html = new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05).render();
        assertFalse(html.contains("<script>"));
        assertFalse(html.contains("<img"));
        assertFalse(html.contains("t<ms>"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("a&amp;b"));
        assertTrue(html.contains("&quot;q&quot;"));
        assertTrue(html.contains("t&lt;ms&gt;"));
    }

    @Test
    void reportCommandWritesTheFileAndFailsCleanlyOnAnEmptyStore() throws IOException {
        Fixtures.writeStore(root, 2);
        final Path out = root.resolve("out/report.html");
        assertEquals(0, ResultsMain.commandLine().execute("report", "--root", root.toString(), "--out", out.toString()));
        assertTrue(Files.readString(out).startsWith("<!DOCTYPE html>"));
        assertEquals(0, ResultsMain.commandLine().execute("report", "--root", root.toString()));
        assertTrue(Files.isRegularFile(root.resolve("results/report.html")));
        final Path empty = Files.createDirectories(root.resolve("empty"));
        assertEquals(2, ResultsMain.commandLine().execute("report", "--root", empty.toString()));
    }

    private void writeControlledRun(final String sha, final int hour, final double ours, final double oursToo,
        final double zk)
        throws IOException {
        final RunResult.Builder b = RunResult.builder(Kind.LOADGEN).git(new GitInfo(sha, false,
            "main")).host(Fixtures.HOST)
            .started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * hour));
        b.cell(Cell.loadgen("process", 3, "leader-crash", "fast")
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(hour * 10 + 1, 20,
                ours))).build());
        b.cell(Cell.loadgen("process", 5, "leader-crash", "fast")
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(hour * 10 + 2, 20,
                oursToo))).build());
        for (final int size : new int[]{3, 5}) {
            b.cell(Cell.loadgen("zookeeper", size, "leader-crash", "zk-3.9.5")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(hour * 10 + size, 20,
                    zk))).build());
        }
        RunWriter.create(root, b.build());
    }

    @Test
    void zookeeperShiftsAreTheDriftLineAndOurChangesWithinItAreNotRegressions() throws IOException {
        final String a = "a1".repeat(20);
        final String b = "b2".repeat(20);
        writeControlledRun(a, 0, 100, 100, 400);
        // ZooKeeper 3.9.5 20% slower: the machine. Ours 12% slower (within that drift) and 60% slower (beyond it).
        writeControlledRun(b, 1, 112, 160, 480);
        final RunStore store = new RunStore(root);
        final String html = new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05).render();
        final String regressions = html.substring(html.indexOf("<h3>Regressions</h3>"),
            html.indexOf("<div class=\"grid\">",
            html.indexOf("<h3>Regressions</h3>")));
        assertFalse(regressions.contains("target=zookeeper"), "controls are the drift line, not regressions: "
            + regressions);
        assertEquals(1, count(regressions, "<li class=\"regressed\">"), regressions);
        assertTrue(regressions.contains("target=process/size=5/pattern=leader-crash/policy=fast time_to_leader_ms"),
            regressions);
        assertTrue(regressions.contains("machine drift a1a1a1a \u2192 b2b2b2b (ZooKeeper controls):"
            + " time_to_leader_ms +"), regressions);
        assertTrue(regressions.contains("target=process/size=3/pattern=leader-crash/policy=fast time_to_leader_ms"),
            regressions);
        assertTrue(regressions.contains("not distinguishable from drift"), regressions);
        assertEquals(1, count(html, "class=\"regression\""), "one red mark: the regression beyond drift");
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
                "OpenJDK 64-Bit Server VM",
                "17.0.15", List.of("-Xms1g")),
            new HostInfo("AMD EPYC", 2, 25276502016L, "Linux", "6.18.44", "6.18.44", "debian.", null, "17.0.15",
                List.of()));
        for (int i = 0; i < variants.size(); i++) {
            RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(new GitInfo("c" + i + "c".repeat(38), false,
                "main"))
                .host(variants.get(i)).started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(i))
                .cell(Cell.loadgen("sim", 3, "leader-crash", "fast").metric("t", Metric.of("ms", Better.LOWER, 1, 2,
                    3)).build())
                .build());
        }
        final RunStore store = new RunStore(root);
        final String html = new HtmlReport(store.all(), store.commitOrder(store.all()), null, 5.0, 0.05).render();
        final String hosts = html.substring(html.indexOf("<ul class=\"hosts\">"), html.indexOf("</ul>",
            html.indexOf("<ul class=\"hosts\">")));
        assertEquals(1, count(hosts, "<li>"), hosts);
        assertTrue(hosts.contains("Debian 17.0.15 (OpenJDK 64-Bit Server VM)"), hosts);
    }
}
