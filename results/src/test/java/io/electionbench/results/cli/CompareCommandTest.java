package io.electionbench.results.cli;

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
import io.electionbench.results.RunWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {
    @TempDir
    Path root;

    private String out;
    private String err;

    private int run(final String... args) {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final CommandLine cl =
            new CommandLine(new CompareCommand()).setOut(new PrintWriter(o)).setErr(new PrintWriter(e));
        final int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private Path write(final String sha, final int hour, final long seed, final int n, final double scale)
        throws IOException {
        final Instant started = Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * hour);
        return RunWriter.create(root, Fixtures.loadgenRun(sha, started, seed, n, scale)).file();
    }

    private JsonNode json() throws IOException {
        return RunCodec.MAPPER.readTree(out);
    }

    @Test
    void sameRunAgainstItselfIsAllTildeAndExitsZero() throws IOException {
        final Path a = write("aa".repeat(20), 0, 1, 20, 1.0);
        assertEquals(0, run(a.toString(), a.toString(), "--json"));
        final JsonNode rows = json().get("rows");
        assertEquals(12, rows.size());
        rows.forEach(r -> {
            assertEquals("~", r.get("verdict").asText());
            assertEquals(1.0, r.get("p_value").asDouble(), 1e-12);
            assertEquals(0.0, r.get("change_pct").asDouble());
            assertEquals(false, r.get("significant").asBoolean());
        });
        assertEquals("", err);
    }

    @Test
    void independentSamplesOfOneDistributionAreTilde() throws IOException {
        write("aa".repeat(20), 0, 1, 30, 1.0);
        write("bb".repeat(20), 1, 1000, 30, 1.0);
        assertEquals(0, run("aaaa", "bbbb", "--root", root.toString(), "--json"));
        json().get("rows").forEach(r -> assertEquals("~", r.get("verdict").asText(), r.toString()));
    }

    @Test
    void slowerNewSideIsARegressionAndExitsOne() throws IOException {
        write("aa".repeat(20), 0, 1, 20, 1.0);
        write("bb".repeat(20), 1, 50, 20, 1.3);
        assertEquals(CompareCommand.EXIT_REGRESSION, run("aaaa", "bbbb", "--root", root.toString(), "--json"));
        final JsonNode rows = json().get("rows");
        JsonNode ttl = null;
        for (final JsonNode r : rows) {
            if (r.get("metric").asText().equals("time_to_leader_ms")) {
                ttl = r;
                assertEquals("regression", r.get("verdict").asText(), r.toString());
                assertTrue(r.get("p_value").asDouble() < 1e-6);
                assertTrue(r.get("change_pct").asDouble() > 20.0);
                assertTrue(r.get("significant").asBoolean());
            } else {
                assertEquals("~", r.get("verdict").asText(), r.toString());
            }
        }
        assertTrue(ttl != null);
        assertEquals("target=sim/size=3/pattern=leader-crash/policy=zookeeper", rows.get(0).get("cell").asText());
        final JsonNode geo = json().get("geomean").get(0);
        assertEquals("time_to_leader_ms", geo.get("metric").asText());
        assertEquals(30.0, geo.get("change_pct").asDouble(), 3.0);
    }

    @Test
    void fasterNewSideIsAnImprovementAndExitsZero() throws IOException {
        final Path a = write("aa".repeat(20), 0, 1, 20, 1.0);
        final Path b = write("bb".repeat(20), 1, 50, 20, 0.7);
        assertEquals(0, run(a.toString(), b.toString()));
        assertTrue(out.contains("improvement"), out);
        assertTrue(out.contains("geomean"), out);
        assertTrue(out.contains("time_to_leader_ms (ms, lower is better)"), out);
        assertTrue(!out.contains("regression"), out);
    }

    @Test
    void higherIsBetterMetricsRegressWhenTheyDrop() throws IOException {
        final Path a = writeThroughput("aa".repeat(20), 1.0);
        final Path b = writeThroughput("bb".repeat(20), 0.8);
        assertEquals(CompareCommand.EXIT_REGRESSION, run(a.toString(), b.toString(), "--json"));
        assertEquals("regression", json().get("rows").get(0).get("verdict").asText());
        assertEquals(0, run(b.toString(), a.toString(), "--json"));
        assertEquals("improvement", json().get("rows").get(0).get("verdict").asText());
    }

    @Test
    void changeBelowThresholdIsTildeEvenWhenSignificant() throws IOException {
        final Path a = writeThroughput("aa".repeat(20), 1.0);
        final Path b = writeThroughput("bb".repeat(20), 0.8);
        assertEquals(0, run(a.toString(), b.toString(), "--json", "--threshold", "25"));
        final JsonNode row = json().get("rows").get(0);
        assertTrue(row.get("significant").asBoolean());
        assertEquals("~", row.get("verdict").asText());
    }

    private Path writeThroughput(final String sha, final double scale) throws IOException {
        return RunWriter.create(root, RunResult.builder(Kind.JMH).git(new GitInfo(sha, false, "main"))
            .host(Fixtures.HOST)
            .started(Instant.parse("2025-01-01T00:00:00Z"))
            .cell(Cell.jmh("b.Bench.run", java.util.Map.of()).metric("thrpt",
                Metric.of("ops/s", Better.HIGHER, Fixtures.samples(sha.hashCode(), 15, 1e6 * scale))).build())
            .build()).file();
    }

    @Test
    void warnsAboutSmallSamplesAndDifferentMachines() throws IOException {
        final Path a = write("aa".repeat(20), 0, 1, 4, 1.0);
        final RunResult other = Fixtures.loadgenRun("bb".repeat(20), Instant.parse("2025-01-02T00:00:00Z"), 9, 4, 1.0);
        final HostInfo otherHost = new HostInfo("Other CPU", 2, 4L << 30, "Linux", "6.1.0", "6.1.0", "Eclipse Adoptium",
            "OpenJDK 64-Bit Server VM", "25", List.of());
        final Path b = RunWriter.create(root, new RunResult(1, other.kind(), other.commit(), true, "main",
            other.started(), otherHost, other.config(), other.cells())).file();
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(a.toString(), b.toString()), "different CPUs: no verdicts");
        assertTrue(out.contains("warning: old side has fewer than 6 samples in every cell and metric (as few as 4):"
            + " confidence intervals are unbounded"), out);
        assertTrue(out.contains("warning: new side has fewer than 6 samples in every cell and metric"), out);
        assertTrue(out.contains("warning: machines differ: cpu: Test CPU @ 3.0GHz vs Other CPU"), out);
        assertTrue(out.contains("warning: new side includes runs of a dirty working tree"), out);
        assertTrue(out.contains("\u00b1 \u221e"), out);
    }

    /**
     * One cell with 20 trials: two per-trial metrics (sync_ms from only 3 of them) and the per-run
     * failed_trials.
     */
    private Path writeCellWithFailedTrials(final String sha, final long seed, final boolean isMarked)
        throws IOException {
        final Metric failed =
            isMarked ? Metric.perRun("trials", Better.LOWER, 0) : Metric.of("trials", Better.LOWER, 0);
        return RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(new GitInfo(sha, false, "main"))
            .host(Fixtures.HOST)
            .started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(seed))
            .cell(Cell.loadgen("inproc", 3, "leader-crash", "zookeeper")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(seed, 20, 200)))
                .metric("sync_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(seed + 1, 3, 40)))
                .metric("failed_trials", failed).build())
            .build()).file();
    }

    @Test
    void smallSampleWarningNamesTheCellAndMetricAndSkipsPerRunTotals() throws IOException {
        final Path a = writeCellWithFailedTrials("aa".repeat(20), 1, true);
        final Path b = writeCellWithFailedTrials("bb".repeat(20), 2, true);
        assertEquals(0, run(a.toString(), b.toString()));
        assertTrue(out.contains("failed_trials"), "failed_trials is still compared: " + out);
        final String cell = "target=inproc/size=3/pattern=leader-crash/policy=zookeeper";
        assertTrue(out.contains("warning: old side has fewer than 6 samples in " + cell + " sync_ms n=3: confidence"),
            out);
        assertTrue(out.contains("warning: new side has fewer than 6 samples in " + cell + " sync_ms n=3: confidence"),
            out);
        assertEquals(2, out.split("fewer than", -1).length - 1, out);
        assertFalse(out.contains("failed_trials n="), out);
    }

    @Test
    void perRunTotalsInFilesWrittenBeforeTheMarkerDoNotWarnEither() throws IOException {
        final Path legacy = writeCellWithFailedTrials("aa".repeat(20), 1, false);
        final Path marked = writeCellWithFailedTrials("bb".repeat(20), 2, true);
        assertTrue(!Files.readString(legacy).contains("per_run"));
        assertEquals(0, run(legacy.toString(), marked.toString()));
        assertFalse(out.contains("failed_trials n=1"), out);
        assertTrue(out.contains("sync_ms n=3"), out);
    }

    @Test
    void badInputIsOneLineOnStderrAndExitsTwo() throws IOException {
        final Path good = write("aa".repeat(20), 0, 1, 10, 1.0);
        final Path malformed = Files.writeString(root.resolve("bad.json"), "{\"schema\": 1, \"kind\": ");
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(good.toString(), malformed.toString()));
        assertTrue(err.startsWith("electionbench compare: " + malformed + ": malformed JSON"), err);
        assertEquals(1, err.lines().count());
        assertEquals("", out);

        final Path wrongSchema = Files.writeString(root.resolve("v2.json"),
            RunCodec.write(Fixtures.loadgenRun("cc".repeat(20), Instant.now(), 1, 6, 1.0))
                .replace("\"schema\" : 1", "\"schema\" : 2"));
        assertEquals(2, run(good.toString(), wrongSchema.toString()));
        assertTrue(err.contains(wrongSchema + ": unsupported schema 2"), err);

        assertEquals(2, run(good.toString(), root.resolve("missing.json").toString()));
        assertTrue(err.contains("missing.json: no such file"), err);

        write("ab" + "1".repeat(38), 1, 1, 6, 1.0);
        write("ab" + "2".repeat(38), 2, 1, 6, 1.0);
        assertEquals(2, run("abab", good.toString(), "--root", root.toString()));
        assertEquals("electionbench compare: 'abab' is not a run file, a directory, a stored commit prefix under "
            + root.resolve("results/runs").toAbsolutePath() + " or a git revision in " + root.toAbsolutePath(),
            err.strip());
        assertEquals(2, run("ab11", "ab", "--root", root.toString()));
        assertEquals(2, run("ab1", good.toString(), "--root", root.toString(), "--alpha", "2"));
        assertTrue(err.contains("--alpha must be in (0, 1)"), err);
    }

    @Test
    void comparingRunsThatShareNothingIsBadInputNotAPass() throws IOException {
        final Path loadgen = write("aa".repeat(20), 0, 1, 10, 1.0);
        final Path jmh = writeThroughput("bb".repeat(20), 1.0);
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(loadgen.toString(), jmh.toString()));
        assertEquals("", out);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("electionbench compare: nothing to compare: no cell and metric with samples is on"
            + " both sides; A " + loadgen + ": 1 loadgen run(s) of aaaaaaaaaaaa, 6 cell(s) such as"
            + " target=sim/size=3/pattern=leader-crash/policy=zookeeper; B " + jmh + ": 1 jmh run(s) of bbbbbbbbbbbb,"
            + " 1 cell(s) such as b.Bench.run"), err);
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(loadgen.toString(), jmh.toString(), "--json"));
        assertEquals("", out);
    }

    @Test
    void ambiguousPrefixIsBadInput() throws IOException {
        write("abcd" + "1".repeat(36), 1, 1, 6, 1.0);
        write("abcd" + "2".repeat(36), 2, 1, 6, 1.0);
        assertEquals(2, run("abcd", "abcd1", "--root", root.toString()));
        assertTrue(err.startsWith("electionbench compare: ambiguous commit prefix 'abcd'"), err);
    }

    private Path writeRun(final String sha, final HostInfo host, final List<Cell> cells) throws IOException {
        final RunResult.Builder b = RunResult.builder(Kind.LOADGEN).git(new GitInfo(sha, false, "main")).host(host)
            .started(Instant.parse("2025-01-01T00:00:00Z"));
        cells.forEach(b::cell);
        return RunWriter.create(root, b.build()).file();
    }

    private static Cell cell(final String target, final int size, final String policy, final double[] ttl) {
        return Cell.loadgen(target, size, "leader-crash", policy).metric("time_to_leader_ms", Metric.of("ms",
            Better.LOWER, ttl))
            .build();
    }

    @Test
    void runsFromDifferentCpusGetNoVerdictAndExitTwoUnlessAllowed() throws IOException {
        final HostInfo other = new HostInfo("Other CPU", 8, 16L << 30, "Linux", "6.1.0", "6.1.0", "Eclipse Adoptium",
            "OpenJDK 64-Bit Server VM", "17.0.15", List.of("-Xmx1g"));
        final Path a = writeRun("aa".repeat(20), Fixtures.HOST, List.of(cell("sim", 3, "fast", Fixtures.samples(1, 20,
            200))));
        final Path b = writeRun("bb".repeat(20), other, List.of(cell("sim", 3, "fast", Fixtures.samples(2, 20, 260))));
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(a.toString(), b.toString()));
        assertTrue(out.contains(" ?"), out);
        assertFalse(out.contains("regression"), out);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("electionbench compare: the sides ran on different machines"
            + " (cpu: Test CPU @ 3.0GHz vs Other CPU): no verdicts; --allow-host-mismatch to judge anyway"), err);
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run(a.toString(), b.toString(), "--json"));
        assertEquals("?", json().get("rows").get(0).get("verdict").asText());
        assertTrue(json().get("host_mismatch").asText().contains("cpu: Test CPU @ 3.0GHz vs Other CPU"));

        assertEquals(CompareCommand.EXIT_REGRESSION, run(a.toString(), b.toString(), "--allow-host-mismatch",
            "--json"));
        assertEquals("regression", json().get("rows").get(0).get("verdict").asText());
    }

    @Test
    void aJvmVendorSpelledDifferentlyIsTheSameHost() throws IOException {
        final HostInfo respelled = Fixtures.HOST.withJvm("eclipse-adoptium", "OpenJDK 64-Bit Server VM", "17.0.15",
            List.of("-Xmx1g"));
        final Path a = writeRun("aa".repeat(20), Fixtures.HOST, List.of(cell("sim", 3, "fast", Fixtures.samples(1, 20,
            200))));
        final Path b = writeRun("bb".repeat(20), respelled, List.of(cell("sim", 3, "fast", Fixtures.samples(2, 20,
            200))));
        assertEquals(0, run(a.toString(), b.toString()));
        assertFalse(out.contains("machines differ"), out);
    }

    @Test
    void holmBonferroniIsTheDefaultAndBothPValuesAreShown() throws IOException {
        final List<Cell> oldCells = new java.util.ArrayList<>();
        final List<Cell> newCells = new java.util.ArrayList<>();
        final double[] base = new double[10];
        final double[] shifted = new double[10];
        for (int i = 0; i < 10; i++) {
            base[i] = 100 + 4 * i;
            shifted[i] = base[i] + 12.25; // +10.4%, scipy: p = 0.0312 (normal approximation, 10 + 10)
        }
        oldCells.add(cell("sim", 3, "fast", base));
        newCells.add(cell("sim", 3, "fast", shifted));
        for (int size = 4; size < 15; size++) {
            oldCells.add(cell("sim", size, "fast", base));
            newCells.add(cell("sim", size, "fast", base));
        }
        final Path a = writeRun("aa".repeat(20), Fixtures.HOST, oldCells);
        final Path b = writeRun("bb".repeat(20), Fixtures.HOST, newCells);
        assertEquals(0, run(a.toString(), b.toString(), "--json"), out);
        final JsonNode row = json().get("rows").get(0);
        assertEquals(0.031209012771740218, row.get("p_value").asDouble(), 1e-9);
        assertEquals(12 * 0.031209012771740218, row.get("p_adjusted").asDouble(), 1e-9);
        assertEquals("~", row.get("verdict").asText());
        assertEquals("holm", json().get("family").get("correction").asText());
        assertEquals(12, json().get("family").get("rows").asInt());

        assertEquals(0, run(a.toString(), b.toString()));
        assertTrue(out.contains("p=0.031  p.adj=0.375"), out);
        assertTrue(out.contains("12 rows tested at alpha 0.05, Holm-Bonferroni adjusted"), out);

        assertEquals(CompareCommand.EXIT_REGRESSION, run(a.toString(), b.toString(), "--correction", "none", "--json"));
        assertEquals("regression", json().get("rows").get(0).get("verdict").asText());
        assertEquals(0.031209012771740218, json().get("rows").get(0).get("p_adjusted").asDouble(), 1e-9);
    }

    @Test
    void zookeeperCellsAreControlsWhoseShiftIsTheMachineDrift() throws IOException {
        // ZooKeeper 3.9.5 did not change, yet it is 10% slower on the new side: the machine drifted.
        final Path a = writeRun("aa".repeat(20), Fixtures.HOST, List.of(
            cell("process", 3, "fast", Fixtures.samples(1, 20, 100)),
            cell("process", 5, "fast", Fixtures.samples(2, 20, 100)),
            cell("zookeeper", 3, "zk-3.9.5", Fixtures.samples(3, 20, 400)),
            cell("zookeeper", 5, "zk-3.9.5", Fixtures.samples(4, 20, 400))));
        final Path b = writeRun("bb".repeat(20), Fixtures.HOST, List.of(
            cell("process", 3, "fast", Fixtures.samples(5, 20, 107)),
            cell("process", 5, "fast", Fixtures.samples(6, 20, 100)),
            cell("zookeeper", 3, "zk-3.9.5", Fixtures.samples(7, 20, 440)),
            cell("zookeeper", 5, "zk-3.9.5", Fixtures.samples(8, 20, 440))));
        assertEquals(0, run(a.toString(), b.toString(), "--json"), out);
        final JsonNode j = json();
        assertEquals("within drift", j.get("rows").get(0).get("verdict").asText(), j.toString());
        assertTrue(j.get("rows").get(0).get("within_drift").asBoolean());
        assertEquals(2, j.get("rows").size(), "our rows only");
        assertEquals(2, j.get("controls").size());
        assertEquals(2, j.get("geomean").get(0).get("cells").asInt(), "our two cells, not the four");
        assertEquals(10.0, j.get("drift").get(0).get("change_pct").asDouble(), 3.0);

        assertEquals(0, run(a.toString(), b.toString()));
        assertTrue(out.contains("ZooKeeper controls"), out);
        assertTrue(out.contains("drift (geomean of 2 control cells)"), out);
        assertTrue(out.contains("within drift"), out);
    }
}
