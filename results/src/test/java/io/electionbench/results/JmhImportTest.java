package io.electionbench.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhImportTest {
    private static final Path FIXTURE = Path.of("src/test/resources/jmh/vote-order.json");
    private static final GitInfo GIT = new GitInfo("ab".repeat(20), false, "main");

    @Test
    void oneCellPerBenchmarkAndParamsWithIterationSamples() {
        final RunResult run = JmhImport.read(FIXTURE, GIT, Fixtures.HOST, Instant.parse("2025-02-01T00:00:00Z"));
        assertEquals(Kind.JMH, run.kind());
        assertEquals(3, run.cells().size());
        final Cell first = run.cells().get(0);
        assertEquals("io.electionbench.benchmarks.VoteOrderBenchmark.compare", first.benchmark());
        assertEquals(Map.of("size", "5"), first.params());
        assertEquals("io.electionbench.benchmarks.VoteOrderBenchmark.compare/size=5", first.id());
        final Metric avgt = first.metrics().get("avgt");
        assertEquals("ns/op", avgt.unit());
        assertEquals(Better.LOWER, avgt.better());
        assertArrayEquals(new double[]{12.1, 12.3, 12.5, 12.6, 12.4, 12.5}, avgt.samples());
        final Metric alloc = first.metrics().get("gc.alloc.rate.norm");
        assertEquals("B/op", alloc.unit());
        assertEquals(Better.LOWER, alloc.better());
        assertEquals(6, alloc.n());
        final Metric thrpt = run.cells().get(2).metrics().get("thrpt");
        assertEquals(Better.HIGHER, thrpt.better());
        assertEquals("ops/s", thrpt.unit());
        assertEquals(1.5e8, thrpt.p50());
    }

    @Test
    void hostTakesTheJvmJmhRecordedAndConfigKeepsSettings() {
        final RunResult run = JmhImport.read(FIXTURE, GIT, Fixtures.HOST, Instant.now());
        assertEquals("17.0.15", run.host().jvmVersion());
        assertEquals("OpenJDK 64-Bit Server VM", run.host().jvmName());
        assertEquals("Eclipse Adoptium", run.host().jvmVendor(), "JMH ran on the importing JVM: same version and VM");
        assertEquals(List.of("-Xms1g", "-Xmx1g"), run.host().jvmFlags());
        assertEquals(Fixtures.HOST.cpuModel(), run.host().cpuModel());
        assertEquals("1.37", run.config().get("jmhVersion"));
        assertTrue(run.config().get("benchmarks") instanceof List<?> l && l.size() == 3);
    }

    @Test
    void aMetricWithOnlyAScoreIsPerRun() throws IOException {
        final String json = "[{\"benchmark\": \"b.B.m\", \"mode\": \"avgt\","
            + " \"primaryMetric\": {\"score\": 5, \"scoreUnit\": \"ns/op\", \"rawData\": [[5, 6, 7]]},"
            + " \"secondaryMetrics\": {\"\u00b7gc.count\": {\"score\": 2, \"scoreUnit\": \"counts\"}}}]";
        final RunResult run = JmhImport.convert(RunCodec.MAPPER.readTree(json), Path.of("x.json"), GIT, Fixtures.HOST,
            Instant.now());
        assertFalse(run.cells().get(0).metrics().get("avgt").isPerRun());
        assertTrue(run.cells().get(0).metrics().get("gc.count").isPerRun());
        assertEquals(1, run.cells().get(0).metrics().get("gc.count").n());
    }

    /**
     * An {@code @AuxCounters} field such as RingBufferHandoffBenchmark's {@code ringFull} is reported in
     * ops/us like a throughput, but more ring-full events are worse: a unit says nothing about direction.
     */
    @Test
    void secondaryDirectionsAreDeclaredNotGuessedFromTheUnit() throws IOException {
        final String json = "[{\"benchmark\": \"b.B.m\", \"mode\": \"thrpt\","
            + " \"primaryMetric\": {\"score\": 5, \"scoreUnit\": \"ops/us\", \"rawData\": [[5, 6, 7]]},"
            + " \"secondaryMetrics\": {"
            + " \"ringFull\": {\"score\": 2, \"scoreUnit\": \"ops/us\", \"rawData\": [[1, 2, 3]]},"
            + " \"\u00b7gc.count\": {\"score\": 2, \"scoreUnit\": \"counts\"},"
            + " \"\u00b7gc.time\": {\"score\": 2, \"scoreUnit\": \"ms\"},"
            + " \"\u00b7gc.alloc.rate\": {\"score\": 2, \"scoreUnit\": \"MB/sec\"},"
            + " \"\u00b7gc.alloc.rate.norm\": {\"score\": 0, \"scoreUnit\": \"B/op\"}}}]";
        final Map<String, Metric> metrics = JmhImport.convert(RunCodec.MAPPER.readTree(json), Path.of("x.json"), GIT,
            Fixtures.HOST, Instant.now()).cells().get(0).metrics();
        assertEquals(Better.HIGHER, metrics.get("thrpt").better());
        assertEquals(Better.UNKNOWN, metrics.get("ringFull").better(), "a user counter has no known direction");
        assertEquals(Better.UNKNOWN, metrics.get("gc.count").better(), "fewer collections can be longer ones");
        assertEquals(Better.LOWER, metrics.get("gc.time").better());
        assertEquals(Better.LOWER, metrics.get("gc.alloc.rate").better());
        assertEquals(Better.LOWER, metrics.get("gc.alloc.rate.norm").better());
        assertTrue(JmhImport.isPrimaryMetric("thrpt"));
        assertFalse(JmhImport.isPrimaryMetric("gc.alloc.rate.norm"));
        assertFalse(JmhImport.isPrimaryMetric("ringFull@avgt"));
    }

    @Test
    void vendorIsUnknownWhenJmhRanOnAnotherJvmAndAnUnknownVendorIsNoDifference() {
        final HostInfo importer = Fixtures.HOST.withJvm("Debian", "OpenJDK 64-Bit Server VM", "21.0.7", List.of());
        final RunResult run = JmhImport.read(FIXTURE, GIT, importer, Instant.now());
        assertEquals("unknown", run.host().jvmVendor());
        assertEquals("17.0.15", run.host().jvmVersion());

        final List<String> flags = List.of("-Xms1g", "-Xmx1g");
        final HostInfo loadgen = Fixtures.HOST.withJvm("Debian", "OpenJDK 64-Bit Server VM", "17.0.15", flags);
        assertEquals(List.of(), loadgen.differences(run.host()));
        assertEquals(List.of("jvm: Debian 17.0.15 (OpenJDK 64-Bit Server VM) vs 21.0.7 (OpenJDK 64-Bit Server VM)"),
            loadgen.differences(run.host().withJvm("unknown", "OpenJDK 64-Bit Server VM", "21.0.7", flags)));
        assertEquals(List.of("jvm: Debian 17.0.15 (OpenJDK 64-Bit Server VM)"
                + " vs Eclipse Adoptium 17.0.15 (OpenJDK 64-Bit Server VM)"),
            loadgen.differences(loadgen.withJvm("Eclipse Adoptium", "OpenJDK 64-Bit Server VM", "17.0.15", flags)));
    }

    @Test
    void importedRunRoundTripsThroughTheStore(@TempDir final Path root) throws IOException {
        final RunResult run = JmhImport.read(FIXTURE, GIT, Fixtures.HOST, Instant.parse("2025-02-01T00:00:00Z"));
        final RunWriter writer = RunWriter.create(root, run);
        assertEquals(root.resolve("results/runs/" + GIT.commit() + "/20250201T000000Z-jmh.json"), writer.file());
        final RunResult back = RunCodec.read(writer.file());
        assertEquals(run, back);
    }

    @Test
    void rejectsWhatIsNotJmhOutput(@TempDir final Path dir) throws IOException {
        final Path notArray = Files.writeString(dir.resolve("x.json"), "{\"benchmark\": \"a\"}");
        final RunFileException e1 = assertThrows(RunFileException.class,
            () -> JmhImport.read(notArray, GIT, Fixtures.HOST, Instant.now()));
        assertTrue(e1.getMessage().startsWith(notArray.toString()), e1.getMessage());
        final Path noMode = Files.writeString(dir.resolve("y.json"), "[{\"benchmark\": \"a\", \"primaryMetric\": {}}]");
        final RunFileException e2 = assertThrows(RunFileException.class,
            () -> JmhImport.read(noMode, GIT, Fixtures.HOST, Instant.now()));
        assertTrue(e2.getMessage().contains("'mode'"), e2.getMessage());
        assertThrows(RunFileException.class,
            () -> JmhImport.read(dir.resolve("missing.json"), GIT, Fixtures.HOST, Instant.now()));
    }

    @Test
    void theStoredCellKeepsJmhsScoreErrorConfidenceIntervalAndPercentiles(@TempDir final Path root) throws IOException {
        final RunResult run = JmhImport.read(FIXTURE, GIT, Fixtures.HOST, Instant.parse("2025-02-01T00:00:00Z"));
        final Path file = RunWriter.create(root, run).file();
        final com.fasterxml.jackson.databind.JsonNode avgt = RunCodec.MAPPER.readTree(file.toFile())
            .get("cells").get(0).get("metrics").get("avgt");
        final com.fasterxml.jackson.databind.JsonNode jmh = avgt.get("jmh");
        assertTrue(jmh != null && jmh.isObject(), avgt.toString());
        assertEquals(12.4, jmh.get("score").asDouble());
        assertEquals(0.3, jmh.get("scoreError").asDouble());
        assertEquals(12.1, jmh.get("scoreConfidence").get(0).asDouble());
        assertEquals(12.7, jmh.get("scoreConfidence").get(1).asDouble());
        assertEquals(12.4, jmh.get("scorePercentiles").get("50.0").asDouble());
        assertEquals(run, RunCodec.read(file), "read back with the JMH summary");
    }

    @Test
    void importingTheSameFileTwiceStoresItOnce(@TempDir final Path root) throws IOException {
        final java.io.StringWriter out = new java.io.StringWriter();
        final picocli.CommandLine cl = io.electionbench.results.cli.ResultsMain.commandLine()
            .setOut(new java.io.PrintWriter(out));
        assertEquals(0, cl.execute("import-jmh", FIXTURE.toString(), "--root", root.toString()));
        assertEquals(0, cl.execute("import-jmh", FIXTURE.toString(), "--root", root.toString()), out.toString());
        assertEquals(1, new RunStore(root).all().size(), "a second import would be pooled as more samples: " + out);
        assertTrue(out.toString().contains("already imported as "), out.toString());
    }

    @Test
    void jmhsOwnResultFileBesideARunIsNotReadAsARun(@TempDir final Path root) throws IOException {
        final RunResult run = JmhImport.read(FIXTURE, GIT, Fixtures.HOST, Instant.parse("2025-02-01T00:00:00Z"));
        final Path file = RunWriter.create(root, run).file();
        Files.copy(FIXTURE, file.resolveSibling(file.getFileName().toString().replace(".json", ".jmh-result.json")));
        assertEquals(1, new RunStore(root).all().size());
    }
}
