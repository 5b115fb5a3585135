package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.RunCommandTest.Result;

class SyncBenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void diffRunStoresACellWithThroughputAndRawSamples(@TempDir final Path root) throws Exception {
        final Result r = RunCommandTest.cli("sync-bench", "--txns", "20000", "--trials", "1", "--warmup", "0", "--out",
            root.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("DIFF") && r.out().contains("20,000"), r.out());
        final JsonNode cell = onlyCell(root);
        assertEquals("inproc", cell.get("target").asText());
        assertEquals(3, cell.get("size").asInt());
        assertEquals("sync-diff", cell.get("pattern").asText());
        assertEquals("fsync-batch", cell.get("policy").asText());
        final JsonNode metrics = cell.get("metrics");
        assertEquals("higher", metrics.get("sync_txns_per_s").get("better").asText());
        assertEquals("higher", metrics.get("sync_bytes_per_s").get("better").asText());
        assertEquals("lower", metrics.get("sync_ms").get("better").asText());
        final double txnsPerS = metrics.get("sync_txns_per_s").get("samples").get(0).asDouble();
        final double bytesPerS = metrics.get("sync_bytes_per_s").get("samples").get(0).asDouble();
        final double syncMs = metrics.get("sync_ms").get("samples").get(0).asDouble();
        assertEquals(1, metrics.get("sync_ms").get("samples").size());
        assertEquals(20_000, txnsPerS * syncMs / 1e3, 1, "txns/s times the duration is the txns streamed");
        assertEquals(128 * 20_000, bytesPerS * syncMs / 1e3, 128, "128 payload bytes per txn");
        assertTrue(metrics.get("ready_ms").get("samples").get(0).asDouble() >= syncMs, metrics.toString());
        assertEquals(0, metrics.get("failed_trials").get("samples").get(0).asInt());

        final Path file = runFiles(root).get(0);
        final Result compared = RunCommandTest.cli("compare", file.toString(), file.toString());
        assertEquals(0, compared.code(), compared.out() + compared.err());
        assertTrue(compared.out().contains("sync_txns_per_s"), compared.out());
    }

    @Test
    void snapshotRunMovesTheSnapshotAsJson(@TempDir final Path root) throws Exception {
        final Result r = RunCommandTest.cli("sync-bench", "--txns", "1000", "--snapshot-mib", "4", "--trials", "1",
            "--warmup", "0", "--fsync", "never", "--out", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final List<String> lines = r.out().lines().collect(Collectors.toList());
        assertEquals(1, lines.size(), "one JSON object and nothing else: " + r.out());
        final JsonNode result = JSON.readTree(lines.get(0));
        assertEquals("sync-snap", result.get("pattern").asText());
        final JsonNode follower = result.get("trials").get(0).get("followers").get(0);
        assertEquals("SNAP", follower.get("mode").asText());
        assertEquals(0, follower.get("txns").asLong(), "the snapshot covers every txn");
        assertEquals(4L << 20, follower.get("bytes").asLong());
        assertTrue(result.get("trials").get(0).get("cpu_ms").has("follower_agent"), result.toString());

        final JsonNode metrics = onlyCell(root).get("metrics");
        assertFalse(metrics.has("sync_txns_per_s"), "no txns streamed, so no txn rate: " + metrics);
        assertTrue(metrics.get("sync_bytes_per_s").get("samples").get(0).asDouble() > 0, metrics.toString());
    }

    @Test
    void badFlagsExitTwoWithOneLine() {
        for (final String[] args : new String[][] {
            {"--txns", "-1"}, {"--txns", "0"}, {"--txn-bytes", "0"}, {"--txn-bytes", "20000"}, {"--snapshot-mib", "-4"},
            {"--snapshot-mib", "4096"}, {"--followers", "0"}, {"--followers", "8"}, {"--trials", "0"},
            {"--warmup", "-1"}, {"--fsync", "sometimes"}, {"--timeout", "0"}, {"--txns", "many"}}) {
            final String[] full = Stream.concat(Stream.of("sync-bench", "--no-store"), Stream.of(args))
                .toArray(String[]::new);
            final Result r = RunCommandTest.cli(full);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench"), r.err());
            assertTrue(r.out().isEmpty(), r.out());
        }
    }

    @Test
    void tooLittleHeapNamesTheXmxToUse() {
        final Result r = RunCommandTest.cli("sync-bench", "--no-store", "--snapshot-mib", "2047", "--followers", "7");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("java -Xmx") && r.err()
            .contains("g -jar loadgen/target/electionbench.jar sync-bench"), r.err());
    }

    private static List<Path> runFiles(final Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            return s.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList());
        }
    }

    private static JsonNode onlyCell(final Path root) throws Exception {
        final List<Path> files = runFiles(root);
        assertEquals(1, files.size(), files.toString());
        final JsonNode run = JSON.readTree(files.get(0).toFile());
        assertEquals("loadgen", run.get("kind").asText());
        assertEquals("sync-bench", run.get("config").get("command").asText());
        assertEquals(1, run.get("cells").size());
        return run.get("cells").get(0);
    }
}
