package io.electionbench.loadgen;

import static io.electionbench.loadgen.RunCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.loadgen.fs.Tmpfs;

/**
 * {@code electionbench soak} on real node processes: short soaks, two of each fault, checked from
 * the summary it prints and the run file it stores, and for what it leaves behind (nothing).
 */
class SoakCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WORK_DIR = Pattern.compile("soak: \\d+ node processes in (\\S+),");

    @Test
    void twoOfEachFaultRecoverAndLoseNoAcknowledgedWrite(@TempDir final Path root) throws Exception {
        final RunCommandTest.Result r = cli("soak", "--faults", "leader-kill,leader-pause,follower-kill",
            "--cycles", "2", "--duration", "60s", "--settle", "200", "--out", root.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("faults: 6 (leader-kill 2, leader-pause 2, follower-kill 2)"), r.out());
        assertEquals(6, count(r.out(), "(?m)^\\[\\d+:\\d\\d\\] #\\d+ "), "a line per fault off a terminal: " + r.out());
        final long acknowledged = number(r.out(), "writes: [\\d,]+ sent at 200/s, ([\\d,]+) acknowledged");
        assertTrue(acknowledged > 1_000, "6 faults take seconds at 200 writes/s: " + r.out());
        assertTrue(r.out().contains("writes against leader "), r.out());
        assertTrue(r.out().contains(": lost = 0"), r.out());
        assertEquals(3, count(r.out(), "node \\d \\((LEADING|FOLLOWING)\\) 0 missing"),
            "every node checked: " + r.out());
        assertTrue(r.out().contains("result: ok"), r.out());

        final JsonNode metrics = runFile(root).get("cells").get(0).get("metrics");
        assertEquals(0, metrics.get("writes_lost").get("samples").get(0).asLong(), metrics.toString());
        assertEquals(0, metrics.get("failed_faults").get("samples").get(0).asLong(), metrics.toString());
        assertEquals(acknowledged, metrics.get("writes_committed").get("samples").get(0).asLong());
        assertEquals(6, metrics.get("time_to_recover_ms").get("samples").size(), metrics.toString());
        assertNothingLeft(r);
    }

    @Test
    void aFullFollowerDiskIsFilledAndFreedWithoutLosingAnAcknowledgedWrite() throws Exception {
        final String reason =
            "the full-disk fault mounts a tmpfs, which needs root: not root, so it is not tested here";
        if ("1".equals(System.getenv("ELECTIONBENCH_REQUIRE_TMPFS"))) {
            assertTrue(Tmpfs.isRoot(), reason + " (but ELECTIONBENCH_REQUIRE_TMPFS=1: CI must run it)");
        }
        assumeTrue(Tmpfs.isRoot(), reason);
        final RunCommandTest.Result r = cli("soak", "--faults", "full-disk", "--cycles", "2", "--duration", "60s",
            "--settle", "200", "--disk-hold", "1000", "--no-store");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("faults: 2 (full-disk 2)"), r.out());
        final Matcher filled = Pattern.compile("node 1's disk full for \\d+ ms \\((\\d+) KiB of filler\\)")
            .matcher(r.out());
        int fills = 0;
        while (filled.find()) {
            assertTrue(Long.parseLong(filled.group(1)) > 8 << 10,
                "a 16 MiB tmpfs with a small log took the filler: " + r.out());
            fills++;
        }
        assertEquals(2, fills, r.out());
        assertTrue(number(r.out(), "([\\d,]+) acknowledged,") > 0, r.out());
        assertTrue(r.out().contains(": lost = 0"), r.out());
        assertTrue(r.out().contains("node 1 (FOLLOWING) 0 missing"),
            "the disk node holds every write once freed: " + r.out());
        assertNothingLeft(r);
    }

    /**
     * With tickTime 2000 a recovered ensemble must stay quiet for 4 s, which a 1 s recovery timeout
     * never allows: the first fault fails the soak, which says why, still checks the writes, exits 1
     * and cleans up all the same, keeping the nodes' logs.
     */
    @Test
    void aFaultThatDoesNotRecoverInTimeFailsTheSoak() throws Exception {
        final RunCommandTest.Result r = cli("soak", "--faults", "leader-pause", "--tick-time", "2000", "--timeout", "1",
            "--duration", "60s", "--no-store");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("faults: 1 (leader-pause 1)"), "the schedule stopped at the failure: " + r.out());
        assertTrue(r.out().contains("FAILED: the ensemble after node ")
            && r.out().contains(" was resumed: not within 1 s (no 4000 ms without a state change; nodes then: "),
            r.out());
        assertTrue(r.out().contains(": lost = 0"), "the writes are checked all the same: " + r.out());
        assertTrue(r.out().contains("result: FAILED: the ensemble after node "), r.out());
        final Matcher dir = WORK_DIR.matcher(r.out());
        assertTrue(dir.find(), r.out());
        final Path work = Path.of(dir.group(1));
        try {
            assertTrue(r.err().contains("the nodes' data and logs are kept in " + work), r.err());
            assertTrue(Files.exists(work.resolve("node-1.log")), "kept for a look");
            assertNothingLeft(r, false);
        } finally {
            FileTrees.delete(work);
        }
    }

    @Test
    void badFlagsGiveOneLineAndExitTwoBeforeStartingAnything() {
        for (final String[] args : new String[][] {
            {"soak", "--size", "2"}, {"soak", "--size", "x"}, {"soak", "--duration", "5x"},
            {"soak", "--duration", "0s"},
            {"soak", "--faults", "meteor"}, {"soak", "--faults", ","}, {"soak", "--write-rate", "0"},
            {"soak", "--fsync", "sometimes"}, {"soak", "--heap", "lots"}, {"soak", "--timeout", "0"},
            {"soak", "--policy", "quick"}, {"soak", "--tick-time", "0"}, {"soak", "--cycles", "-1"},
            {"soak", "--disk-size", "big"}, {"soak", "--disk-size", "1m", "--duration", "10m"}}) {
            final RunCommandTest.Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench soak: "), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertEquals("", r.out(), String.join(" ", args));
        }
        assertTrue(cli("soak", "--faults", "leader-kill,meteor").err().contains("unknown fault 'meteor'"));
        assertTrue(cli("soak", "--disk-size", "1m", "--duration", "10m").err().contains("give at least"));
    }

    @Test
    void durationsTakeAUnitOrSeconds() {
        assertEquals(300_000_000_000L, SoakCommand.durationNs("300s"));
        assertEquals(300_000_000_000L, SoakCommand.durationNs("5m"));
        assertEquals(3_600_000_000_000L, SoakCommand.durationNs("1h"));
        assertEquals(90_000_000_000L, SoakCommand.durationNs("90"));
        assertEquals(1_500_000_000L, SoakCommand.durationNs("1500ms"));
        assertEquals(2_500_000_000L, SoakCommand.durationNs("2.5s"));
    }

    /** No node process of a soak runs on, no tmpfs stays mounted, and a clean soak's scratch directory is gone. */
    private static void assertNothingLeft(final RunCommandTest.Result r) throws Exception {
        assertNothingLeft(r, true);
    }

    private static void assertNothingLeft(final RunCommandTest.Result r, final boolean isClean) throws Exception {
        final List<String> nodes = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
            .map(h -> h.info().commandLine().orElse("")).filter(c -> c.contains("electionbench-soak")).toList();
        assertEquals(List.of(), nodes, "node processes left running");
        final List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
            .filter(l -> l.contains("electionbench-soak")).toList();
        assertEquals(List.of(), mounts, "mounts left behind");
        if (isClean) {
            final Matcher dir = WORK_DIR.matcher(r.out());
            assertTrue(dir.find(), r.out());
            assertFalse(Files.exists(Path.of(dir.group(1))),
                "a clean soak deletes its scratch directory " + dir.group(1));
        }
    }

    private static JsonNode runFile(final Path root) throws Exception {
        final List<Path> files;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList());
        }
        assertEquals(1, files.size(), files.toString());
        return JSON.readTree(files.get(0).toFile());
    }

    private static int count(final String text, final String regex) {
        final Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static long number(final String text, final String regex) {
        final Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
