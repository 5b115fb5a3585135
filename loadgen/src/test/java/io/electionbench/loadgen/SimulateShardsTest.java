package io.electionbench.loadgen;

import static io.electionbench.loadgen.RunCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code simulate --shard K/N} and {@code --merge}: shards of a sweep merged are the sweep, and bad sets say why. */
class SimulateShardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every count of the merged shards equals the unsharded run's, cell by cell, in text and in JSON. */
    @Test
    void shardsMergedAreTheUnshardedRun(@TempDir final Path dir) throws Exception {
        final String[] sweep = {"simulate", "--sizes", "3,5", "--seeds", "30", "--first-seed", "11"};
        final RunCommandTest.Result whole = cli(concat(sweep, "--json"));
        assertEquals(0, whole.code(), whole.err());
        final List<Path> files = new ArrayList<>();
        for (int k = 1; k <= 4; k++) {
            final Path file = dir.resolve("shard-" + k + ".json");
            final RunCommandTest.Result shard = cli(concat(sweep, "--shard", k + "/4", "--out", file.toString(),
                "--json"));
            assertEquals(0, shard.code(), shard.err());
            assertEquals(4, shard.out().strip().split("\n").length, "one line per policy and size: " + shard.out());
            files.add(file);
        }
        long next = 11;
        for (final Path file : files) {
            final JsonNode s = JSON.readTree(file.toFile()).get("shard");
            assertEquals(next, s.get("first_seed").asLong(), "the slices are contiguous, in shard order: " + file);
            next += s.get("seeds").asLong();
        }
        assertEquals(41, next, "the slices cover seeds 11..40 exactly");
        final RunCommandTest.Result merged = cli(concat(new String[] {"simulate", "--json", "--merge"},
            files.stream().map(Path::toString).toArray(String[]::new)));
        assertEquals(0, merged.code(), merged.err());
        assertTrue(merged.err().contains("merged 4 shards, seeds 11..40, 120 runs"), merged.err());
        final String[] expected = whole.out().strip().split("\n");
        final String[] actual = merged.out().strip().split("\n");
        assertEquals(4, expected.length, whole.out());
        assertEquals(expected.length, actual.length, merged.out());
        for (int i = 0; i < expected.length; i++) {
            final ObjectNode e = (ObjectNode)JSON.readTree(expected[i]);
            final ObjectNode a = (ObjectNode)JSON.readTree(actual[i]);
            assertEquals(30, e.get("runs").asLong());
            assertTrue(e.get("send_failures").get("notification").asLong() > 0, "something to compare: " + e);
            e.remove("wall_ms");
            a.remove("wall_ms");
            assertEquals(e, a, "cell " + i);
        }
        final RunCommandTest.Result text = cli(sweep);
        final RunCommandTest.Result mergedText = cli(concat(new String[] {"simulate", "--merge"},
            files.stream().map(Path::toString).toArray(String[]::new)));
        assertEquals(withoutWallMs(text.out()), withoutWallMs(mergedText.out()));
    }

    /** A shard of one size and policy: 12 seeds, about 0.2 s. */
    private static Path shard(final Path dir, final String name, final String spec, final String... more) {
        final Path file = dir.resolve(name);
        final RunCommandTest.Result r = cli(concat(concat(new String[] {"simulate", "--sizes", "3", "--seeds", "12",
            "--policy", "fast", "--json", "--shard", spec, "--out", file.toString()}), more));
        assertEquals(0, r.code(), r.err());
        return file;
    }

    @Test
    void aSetOfShardsThatIsNotOneSweepIsRefusedNamingTheFile(@TempDir final Path dir) throws Exception {
        final Path one = shard(dir, "1.json", "1/3");
        final Path two = shard(dir, "2.json", "2/3");
        final Path three = shard(dir, "3.json", "3/3");
        assertEquals(0, cli("simulate", "--merge", three.toString(), one.toString(), two.toString()).code(),
            "any order");
        assertMergeFails("shard 2/3 missing (given: 1, 3)", one, three);
        assertMergeFails("shards 2/3, 3/3 missing (given: 1)", one);
        final Path copy = Files.copy(one, dir.resolve("copy.json"));
        assertMergeFails(copy + " and " + one + " are both shard 1/3", one, copy, two, three);
        final Path otherFaults = shard(dir, "other.json", "2/3", "--faults", "none");
        assertMergeFails(otherFaults + ": faults none, but " + one
            + " has crash,partition,loss,duplicate,reorder,backpressure,one-way (not shards of one sweep)",
            one, otherFaults, three);
        final Path otherCount = shard(dir, "of4.json", "2/4");
        assertMergeFails(otherCount + ": shard count 4, but " + one + " has 3 (not shards of one sweep)",
            one, otherCount, three);
        final Path otherCommit = edit(two, dir.resolve("commit.json"), root -> root.put("commit", "0".repeat(40)));
        assertMergeFails(otherCommit + ": commit " + "0".repeat(40) + ", but " + one, one, otherCommit, three);
    }

    @Test
    void aMalformedOrTruncatedFileIsNamed(@TempDir final Path dir) throws Exception {
        final Path one = shard(dir, "1.json", "1/2");
        final Path two = shard(dir, "2.json", "2/2");
        final byte[] bytes = Files.readAllBytes(two);
        final Path truncated = Files.write(dir.resolve("truncated.json"), Arrays.copyOf(bytes, bytes.length / 2));
        assertMergeFails(truncated + ": malformed JSON at line ", one, truncated);
        final Path notShard = Files.writeString(dir.resolve("other.json"), "{\"schema\": \"something else\"}");
        assertMergeFails(notShard + ": not a simulate shard file: at parameters: missing", one, notShard);
        final Path missingRuns = edit(two, dir.resolve("runs.json"),
            root -> ((ObjectNode)root.get("cells").get(0)).remove("runs"));
        assertMergeFails(missingRuns + ": not a simulate shard file: at cells[0].runs: missing", one, missingRuns);
        final Path nullSizes = edit(two, dir.resolve("sizes.json"),
            root -> ((ObjectNode)root.get("parameters")).putNull("sizes"));
        assertMergeFails(nullSizes + ": not a simulate shard file: at parameters.sizes: null", one, nullSizes);
        final Path wrongSchema = edit(two, dir.resolve("schema.json"), root -> root.put("schema", "x/2"));
        assertMergeFails(wrongSchema + ": schema 'x/2', expected 'electionbench-simulate-shard/1'", one,
            wrongSchema);
        final Path fewerRuns = edit(two, dir.resolve("fewer.json"),
            root -> ((ObjectNode)root.get("cells").get(0)).put("runs", 5));
        assertMergeFails(fewerRuns + ": fast size 3 has 5 runs, its shard 6 seeds", one, fewerRuns);
        final Path badHistogram = edit(two, dir.resolve("histogram.json"),
            root -> ((ObjectNode)root.get("cells").get(0)).put("settle_ns_histogram", "bm90IGEgaGlzdG9ncmFt"));
        assertMergeFails(badHistogram + ": fast size 3: settle_ns_histogram is not an encoded HdrHistogram", one,
            badHistogram);
        assertMergeFails(dir.resolve("nope.json") + ": no such file", one, dir.resolve("nope.json"));
    }

    /** A failure in a shard file is printed as the run printed it, and the merge exits 1. */
    @Test
    void aViolationInAShardIsPrintedWithItsReplayAndExitsOne(@TempDir final Path dir) throws Exception {
        final Path one = shard(dir, "1.json", "1/2");
        final Path two = shard(dir, "2.json", "2/2");
        final String replay = "java -jar loadgen/target/electionbench.jar simulate --sizes 3 --seed 9 --policy fast"
            + " --faults none --trace";
        final Path bad = edit(two, dir.resolve("bad.json"), root -> {
            final ObjectNode cell = (ObjectNode)root.get("cells").get(0);
            cell.put("violations", 1);
            final ObjectNode failure = ((ArrayNode)cell.get("failures")).addObject();
            failure.put("seed", 9);
            failure.putArray("violations").add("t=1.000ms liveness: planted");
            failure.put("dropped", 2);
            failure.put("replay", replay);
        });
        final RunCommandTest.Result r = cli("simulate", "--merge", one.toString(), bad.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("VIOLATION policy fast size 3 seed 9\n  t=1.000ms liveness: planted\n"
            + "  ... and 2 more (repeats of those above, or past the first 20)\n  replay: " + replay), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("fast +3 +12 +1 .*")), r.out());
        final Path unlisted = edit(two, dir.resolve("unlisted.json"),
            root -> ((ObjectNode)root.get("cells").get(0)).put("violations", 1));
        assertMergeFails(unlisted + ": fast size 3 counts 1 violations but lists 0", one, unlisted);
    }

    @Test
    void badShardValuesNameTheFlag() {
        for (final String bad : List.of("0/4", "5/4", "1/0", "3", "a/b", "-1/4", "1/4/2", "99999999999/4")) {
            final RunCommandTest.Result r = cli("simulate", "--sizes", "3", "--seeds", "10", "--shard", bad);
            assertEquals(2, r.code(), bad);
            assertTrue(r.err().startsWith("electionbench simulate: --shard " + bad) || r.err()
                .startsWith("electionbench simulate: --shard '" + bad + "'"), r.err());
            assertFalse(r.out().contains("policy"), "nothing ran: " + r.out());
        }
        assertEquals("electionbench simulate: --shard 3/11: 11 shards of 10 seeds would leave some empty; use at"
            + " most 10 shards or more --seeds", cli("simulate", "--seeds", "10", "--shard", "3/11").err().strip());
        assertEquals("electionbench simulate: --seed replays one seed; --shard is for a sweep of --seeds",
            cli("simulate", "--seed", "4", "--shard", "1/2").err().strip());
        final RunCommandTest.Result intoDirectory = cli("simulate", "--seeds", "2", "--shard", "1/2", "--out",
            System.getProperty("java.io.tmpdir"));
        assertEquals(2, intoDirectory.code());
        assertEquals("electionbench simulate: " + System.getProperty("java.io.tmpdir")
            + ": cannot write there (a directory, or in one not writable)", intoDirectory.err().strip());
        assertEquals("", intoDirectory.out(), "checked before any run");
        final RunCommandTest.Result withSizes = cli("simulate", "--merge", "a.json", "--sizes", "3");
        assertEquals(2, withSizes.code());
        assertEquals("electionbench simulate: --merge takes the sweep from its files; --sizes does not go with it",
            withSizes.err().strip());
    }

    /** Shard K's slice: N contiguous slices whose sizes differ by at most one and cover the range exactly. */
    @Test
    void slicesCoverTheRangeExactlyOnce() {
        for (final long seeds : new long[] {1, 2, 7, 64, 1000, 100_000_001L}) {
            for (int n = 1; n <= Math.min(seeds, 9); n++) {
                long next = 5;
                for (int k = 1; k <= n; k++) {
                    final SimulateShards.Spec spec = SimulateShards.Spec.parse(k + "/" + n, seeds);
                    assertEquals(next, spec.firstSeed(5, seeds), k + "/" + n + " of " + seeds);
                    final long size = spec.seeds(seeds);
                    assertTrue(size == seeds / n || size == seeds / n + 1, k + "/" + n + " of " + seeds);
                    next += size;
                }
                assertEquals(5 + seeds, next, n + " shards of " + seeds);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SimulateShards.Spec.parse("2/1", 5));
    }

    private static void assertMergeFails(final String expected, final Path... files) {
        final String[] args = concat(new String[] {"simulate", "--merge"},
            Arrays.stream(files).map(Path::toString).toArray(String[]::new));
        final RunCommandTest.Result r = cli(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("electionbench simulate: " + expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertEquals("", r.out(), "nothing printed before the files are checked");
    }

    private interface Edit {
        void apply(ObjectNode root);
    }

    private static Path edit(final Path from, final Path to, final Edit edit) throws Exception {
        final ObjectNode root = (ObjectNode)JSON.readTree(from.toFile());
        edit.apply(root);
        JSON.writeValue(to.toFile(), root);
        return to;
    }

    private static String withoutWallMs(final String table) {
        return table.lines().map(l -> l.matches(".*%\\s+\\d+$") ? l.replaceAll("\\s+\\d+$", "") : l)
            .collect(Collectors.joining("\n"));
    }

    private static String[] concat(final String[] a, final String... b) {
        final String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
