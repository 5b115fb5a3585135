package io.electionbench.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunCodecTest {
    @TempDir
    Path dir;

    private final RunResult run =
        Fixtures.loadgenRun("cd".repeat(20), Instant.parse("2025-03-01T12:34:56.789Z"), 1, 8, 1.0);

    @Test
    void roundTripsEveryField() throws IOException {
        final Path file = Files.writeString(dir.resolve("run.json"), RunCodec.write(run));
        final RunResult back = RunCodec.read(file);
        assertEquals(run, back);
        assertEquals(run.cells().get(0).metrics().get("time_to_leader_ms").p99(),
            back.cells().get(0).metrics().get("time_to_leader_ms").p99());
    }

    /** A load-generator cell's further dimensions are part of its identity and survive the file. */
    @Test
    void roundTripsALoadgenCellsParams() throws IOException {
        final RunResult withData = RunResult.builder(Kind.LOADGEN).git(new GitInfo("ab".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-03-01T00:00:00Z"))
            .cell(Cell.loadgen("zookeeper", 3, "follower-crash", "zk-3.9.5",
                    new java.util.TreeMap<>(Map.of("preload", "100000", "value_bytes", "128")))
                .metric("time_to_ready_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(1, 8, 200))).build())
            .build();
        final RunResult back = RunCodec.read(Files.writeString(dir.resolve("params.json"), RunCodec.write(withData)));
        assertEquals(withData, back);
        final Cell cell = back.cells().get(0);
        assertEquals("target=zookeeper/size=3/pattern=follower-crash/policy=zk-3.9.5/preload=100000/value_bytes=128",
            cell.id());
        assertFalse(cell.isJmh());
    }

    /**
     * The hosts target's diagnostics (clock estimates, fault mechanisms) survive the file; a cell without them writes
     * neither field, so files without them, and readers that predate them, are unchanged.
     */
    @Test
    void roundTripsAHostsCellsClocksAndFaultMechanisms() throws IOException {
        final RunResult hosts = RunResult.builder(Kind.LOADGEN).git(new GitInfo("ab".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-03-01T00:00:00Z"))
            .cell(Cell.loadgen("hosts", 3, "partition-leader", "fast")
                .metric("time_to_ready_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(1, 8, 200)))
                .hostClocks(List.of(
                    new HostClock(1, "h1", "start", Instant.parse("2025-03-01T00:00:01.250Z"), -0.042, 0.61),
                    new HostClock(1, "h1", "end", Instant.parse("2025-03-01T00:01:01.5Z"), 3.0, 0.5)))
                .faultMechanisms(Map.of("1", "nft")).build())
            .build();
        final String json = RunCodec.write(hosts);
        assertTrue(json.contains("\"host_clocks\""), json);
        assertTrue(json.contains("\"offset_ms\" : -0.042"), json);
        assertTrue(json.contains("\"fault_mechanism\" : {"), json);
        final RunResult back = RunCodec.read(Files.writeString(dir.resolve("hosts.json"), json));
        assertEquals(hosts, back);
        assertEquals(0.61, back.cells().get(0).hostClocks().get(0).errorMs());
        assertFalse(RunCodec.write(run).contains("host_clocks"));
        assertFalse(RunCodec.write(run).contains("fault_mechanism"));
        assertEquals("cells[0].host_clocks[0].offset_ms: expected a number, got \"x\"",
            problemOf("bad-clock.json", json.replace("\"offset_ms\" : -0.042", "\"offset_ms\" : \"x\"")));
    }

    @Test
    void writesSummariesBesideSamples() {
        final String json = RunCodec.write(run);
        for (final String field : new String[]{"\"schema\" : 1", "\"kind\" : \"loadgen\"",
            "\"started\" : \"2025-03-01T12:34:56.789Z\"", "\"p50\"", "\"p90\"", "\"p99\"", "\"p999\"", "\"max\"",
            "\"mean\"", "\"n\" : 8", "\"better\" : \"lower\"",
            "\"cpuModel\"", "\"jvmFlags\""}) {
            assertTrue(json.contains(field), field);
        }
    }

    private String problemOf(final String name, final String content) throws IOException {
        final Path file = Files.writeString(dir.resolve(name), content);
        final RunFileException e = assertThrows(RunFileException.class, () -> RunCodec.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.problem();
    }

    private String mutated(final String from, final String to) {
        final String json = RunCodec.write(run);
        assertTrue(json.contains(from), from);
        return json.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    void malformedInputsNameFileAndProblem() throws IOException {
        assertTrue(problemOf("a.json", "{\"schema\": 1,").startsWith("malformed JSON at line 1"));
        assertEquals("top level is not a JSON object", problemOf("b.json", "[1, 2]"));
        assertTrue(problemOf("c.json", mutated("\"schema\" : 1", "\"schema\" : 2")).startsWith("unsupported schema 2"));
        assertEquals("missing field 'commit'", problemOf("d.json", mutated("\"commit\" :", "\"comit\" :")));
        assertEquals("missing field 'cells[0].metrics.time_to_leader_ms.unit'",
            problemOf("e.json", mutated("\"unit\" :", "\"units\" :")));
        assertTrue(problemOf("f.json", mutated("\"better\" : \"lower\"", "\"better\" : \"down\""))
            .startsWith("cells[0].metrics.time_to_leader_ms.better: expected \"lower\", \"higher\" or \"unknown\""));
        assertTrue(problemOf("g.json", mutated("\"kind\" : \"loadgen\"", "\"kind\" : \"bench\"")).startsWith("kind:"));
        assertEquals("missing field 'cells[0].size'", problemOf("h.json", mutated("\"size\" :", "\"sizes\" :")));
        assertTrue(problemOf("i.json", mutated("\"started\" : \"2025", "\"started\" : \"x2025"))
            .startsWith("started:"));
    }

    @Test
    void missingFileIsNamed() {
        final Path missing = dir.resolve("nope.json");
        final RunFileException e = assertThrows(RunFileException.class, () -> RunCodec.read(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    private static RunResult withFailedTrials(final Kind kind, final Metric failedTrials) {
        return RunResult.builder(kind).git(new GitInfo("ef".repeat(20), false, "main")).host(Fixtures.HOST)
            .started(Instant.parse("2025-03-01T00:00:00Z"))
            .cell(Cell.loadgen("sim", 3, "leader-crash", "zookeeper")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, Fixtures.samples(1, 8, 200)))
                .metric("failed_trials", failedTrials).build())
            .build();
    }

    @Test
    void perRunMarkerRoundTripsAndIsWrittenOnlyWhereSet() throws IOException {
        final RunResult marked = withFailedTrials(Kind.LOADGEN, Metric.perRun("trials", Better.LOWER, 0));
        final String json = RunCodec.write(marked);
        assertEquals(1, json.split("\"per_run\" : true", -1).length - 1, json);
        final RunResult back = RunCodec.read(Files.writeString(dir.resolve("marked.json"), json));
        assertEquals(marked, back);
        assertTrue(back.cells().get(0).metrics().get("failed_trials").isPerRun());
        assertFalse(back.cells().get(0).metrics().get("time_to_leader_ms").isPerRun());
        assertEquals("cells[0].metrics.failed_trials.per_run: expected true or false",
            problemOf("typo.json", json.replace("\"per_run\" : true", "\"per_run\" : \"yes\"")));
    }

    @Test
    void loadgenFilesWrittenBeforeTheMarkerGetItInferredForSingleSampleMetrics() throws IOException {
        final RunResult legacy = withFailedTrials(Kind.LOADGEN, Metric.of("trials", Better.LOWER, 0));
        final RunResult back = RunCodec.read(Files.writeString(dir.resolve("legacy.json"), RunCodec.write(legacy)));
        assertTrue(back.cells().get(0).metrics().get("failed_trials").isPerRun());
        assertFalse(back.cells().get(0).metrics().get("time_to_leader_ms").isPerRun());

        final RunResult oneTrial = RunResult.builder(Kind.LOADGEN).git(new GitInfo("ef".repeat(20), false, "main"))
            .host(Fixtures.HOST).started(Instant.parse("2025-03-01T00:00:00Z"))
            .cell(Cell.loadgen("zookeeper", 3, "leader-crash", "zookeeper")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, 212)).metric("failed_trials",
                    Metric.of("trials", Better.LOWER, 0)).build())
            .build();
        final RunResult oneBack = RunCodec.read(Files.writeString(dir.resolve("one.json"), RunCodec.write(oneTrial)));
        assertEquals(oneTrial, oneBack, "with one trial nothing tells a per-run metric from a per-trial one");

        final RunResult jmh = withFailedTrials(Kind.JMH, Metric.of("trials", Better.LOWER, 0));
        final RunResult jmhBack = RunCodec.read(Files.writeString(dir.resolve("jmh.json"), RunCodec.write(jmh)));
        assertFalse(jmhBack.cells().get(0).metrics().get("failed_trials").isPerRun(),
            "only load-generator files are inferred");
    }

    @Test
    void aJmhFileThatStoredTheVmNameAsVendorIsReadAsVmNameWithUnknownVendor() throws IOException {
        final String json = RunCodec.write(run).replace("\"jvmVendor\" : \"Eclipse Adoptium\"",
            "\"jvmVendor\" : \"OpenJDK 64-Bit Server VM\"").replaceFirst("\\s*\"jvmName\" : \"[^\"]*\",", "");
        assertFalse(json.contains("jvmName"), json);
        final HostInfo host = RunCodec.read(Files.writeString(dir.resolve("old-jmh.json"), json)).host();
        assertEquals("unknown", host.jvmVendor());
        assertEquals("OpenJDK 64-Bit Server VM", host.jvmName());
        assertEquals(List.of(), Fixtures.HOST.differences(host), "no false 'machines differ: jvm'");
    }
}
