package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs the CLI, returning exit code, stdout and stderr. */
    static Result cli(final String... args) {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            final int code = Main.newCommandLine().execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    record Result(int code, String out, String err) {
    }

    @Test
    void simulatorRunStoresEveryCellWithRawSamples(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "sim", "--sizes", "3,5", "--patterns", "leader-crash,cold-start",
            "--sim-trials", "20", "--warmup", "1", "--out", root.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("leader-crash"), r.out());
        final List<Path> files;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList());
        }
        assertEquals(1, files.size(), files.toString());
        final JsonNode run = JSON.readTree(files.get(0).toFile());
        assertEquals("loadgen", run.get("kind").asText());
        assertEquals(4, run.get("cells").size());
        final List<Path> logs;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            logs = s.filter(p -> p.toString().endsWith(".hlog")).collect(Collectors.toList());
        }
        assertEquals(4, logs.size(), "one HdrHistogram interval log per cell: " + logs);
        final org.HdrHistogram.HistogramLogReader reader = new org.HdrHistogram.HistogramLogReader(logs.get(0)
            .toFile());
        int intervals = 0;
        for (org.HdrHistogram.EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null; ) {
            assertTrue(h.getMaxValueAsDouble() > 0);
            intervals++;
        }
        reader.close();
        assertEquals(20, intervals, "one interval per measured trial");
        for (final JsonNode cell : run.get("cells")) {
            final JsonNode ready = cell.get("metrics").get("time_to_ready_ms");
            assertEquals(20, ready.get("samples").size(), cell.toString());
            assertTrue(ready.get("p50").asDouble() > 0 && ready.get("p50").asDouble() < 1000, ready.toString());
            assertEquals("fast", cell.get("policy").asText());
        }
    }

    @Test
    void jsonModePrintsOneObjectPerCellAndNothingElse() throws Exception {
        final Result r = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash", "--policy", "all",
            "--sim-trials", "10", "--no-store", "--json");
        assertEquals(0, r.code(), r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        for (final String line : lines) {
            final JsonNode cell = JSON.readTree(line);
            assertEquals(10, cell.get("n").asInt());
        }
        assertTrue(JSON.readTree(lines[1]).get("time_to_ready_p50_ms").asDouble() >= 200,
            "the zookeeper policy waits its 200 ms finalize: " + lines[1]);
    }

    @Test
    void inprocTargetMeasuresARealLeaderCrash(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "inproc", "--sizes", "3", "--patterns", "leader-crash", "--trials", "2",
            "--warmup", "0", "--tick-time", "200", "--no-store", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(2, cell.get("n").asInt());
        assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > 0, cell.toString());
    }

    /**
     * Writes at 200 a second through a real leader crash: they commit before and after it, lose
     * nothing acknowledged (the run checks the new leader's GET /log), and land in the run file with
     * their own interval log.
     */
    @Test
    void inprocWritesThroughALeaderCrashAndLoseNothing(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "inproc", "--sizes", "3", "--patterns", "leader-crash", "--trials", "2",
            "--warmup", "0", "--tick-time", "200", "--write-rate", "200", "--out", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode line = JSON.readTree(r.out().strip());
        assertEquals(0, line.get("violations").size(), line.toString());
        assertTrue(line.get("writes_committed").asLong() > 20, "two trials of at least 200 ms at 200/s: " + line);
        assertTrue(line.get("write_latency_p50_ms").asDouble() > 0, line.toString());
        assertTrue(line.get("write_latency_max_ms").asDouble() >= line.get("write_latency_p99_ms").asDouble(),
            line.toString());
        assertTrue(line.get("write_unavailability_p50_ms").asDouble() > 0, line.toString());

        final JsonNode run = JSON.readTree(runFiles(root, ".json").get(0).toFile());
        assertEquals("batch", run.get("config").get("fsync").asText(),
            "the nodes' fsync policy, written into their config");
        assertEquals(200.0, run.get("config").get("write_rate_per_s").asDouble());
        final JsonNode metrics = run.get("cells").get(0).get("metrics");
        assertEquals("lower", metrics.get("write_latency_ms").get("better").asText());
        assertEquals("ms", metrics.get("write_latency_ms").get("unit").asText());
        assertTrue(metrics.get("write_latency_ms").get("samples").size() > 20, "one sample per committed write");
        assertTrue(metrics.get("write_latency_ms").get("p999").asDouble() > 0);
        assertEquals(2, metrics.get("write_unavailability_ms").get("samples").size(), "one per fault");
        assertEquals(2, metrics.get("writes_committed").get("samples").size(), "one per trial");
        assertEquals("higher", metrics.get("writes_committed").get("better").asText());
        assertEquals(2, metrics.get("writes_unknown").get("samples").size());
        final List<Path> logs = runFiles(root, "-write_latency.hlog");
        assertEquals(1, logs.size(), "one write-latency interval log per cell");
        final org.HdrHistogram.HistogramLogReader reader = new org.HdrHistogram.HistogramLogReader(logs.get(0)
            .toFile());
        int intervals = 0;
        for (org.HdrHistogram.EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null; ) {
            assertTrue(h.getMaxValueAsDouble() > 0);
            intervals++;
        }
        reader.close();
        assertEquals(2, intervals, "one interval per measured trial");
    }

    @Test
    void simulatorWritesOnVirtualTimeAndTheTableShowsThem() throws Exception {
        final Result crash = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash",
            "--sim-trials", "10", "--warmup", "1", "--tick-time", "200", "--write-rate", "2000", "--no-store",
            "--json");
        assertEquals(0, crash.code(), crash.out() + crash.err());
        final JsonNode cell = JSON.readTree(crash.out().strip());
        assertEquals(0, cell.get("violations").size(), cell.toString());
        assertTrue(cell.get("writes_committed").asLong() > 10 * 400, "10 trials, each 200 ms of writes at least: "
            + cell);
        assertTrue(cell.get("write_latency_p50_ms").asDouble() > 0.1 && cell.get("write_latency_p50_ms").asDouble() < 5,
            "a simulated LAN commits in about two link delays: " + cell);
        assertTrue(cell.get("write_unavailability_p50_ms").asDouble() > 0, cell.toString());

        // A small history: the simulator cannot yet stream a sync of more than 4,096 txns (see docs/loadgen.md).
        final Result partition = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "partition-leader",
            "--sim-trials", "3", "--warmup", "0", "--tick-time", "200", "--write-rate", "300", "--no-store", "--json");
        assertEquals(0, partition.code(), partition.out() + partition.err());
        final JsonNode cut = JSON.readTree(partition.out().strip());
        assertEquals(0, cut.get("violations").size(), cut.toString());
        assertTrue(cut.get("write_unavailability_p50_ms").asDouble() >= 1000,
            "the cut-off leader is noticed after syncLimit ticks (1 s): " + cut);
        assertTrue(cut.get("writes_unknown").asLong() > 0, "the cut-off leader took writes it could not commit: "
            + cut);
        assertTrue(cut.get("sync_txns_per_s_p50").asDouble() > 0, "the old leader rejoins behind and is synced: "
            + cut);

        final Result table = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash",
            "--sim-trials", "5", "--warmup", "0", "--write-rate", "500", "--no-store");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("w p50") && table.out().contains("unavail") && table.out().contains("commits"),
            table.out());
        assertTrue(table.out().contains("writes: 500/s open loop"), table.out());
        final Result plain = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash",
            "--sim-trials", "5", "--warmup", "0", "--no-store");
        assertFalse(plain.out().contains("w p50"), "no write columns without writes: " + plain.out());
    }

    /**
     * The leader deaf to its followers while they still hear it, on the simulator (its incoming links cut)
     * and on real node processes (each drops what arrives from the others, POST /fault/deafen): it loses
     * its quorum of pings after syncLimit ticks and steps down, the followers elect another, and after
     * the heal the ensemble is whole again with one leader and no safety violation.
     */
    @Test
    void oneWayLeaderStepsDownAfterSyncLimitOnTheSimulatorAndOnProcesses() throws Exception {
        for (final String[] target : List.of(new String[] {"--target", "sim", "--sim-trials", "20"},
            new String[] {"--target", "process", "--trials", "1"})) {
            final List<String> args = new ArrayList<>(List.of("run", "--sizes", "3", "--patterns", "one-way-leader",
                "--warmup", "0", "--tick-time", "200", "--no-store", "--json"));
            args.addAll(List.of(target));
            final Result r = cli(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.out() + r.err());
            final JsonNode cell = JSON.readTree(r.out().strip());
            assertEquals("one-way-leader", cell.get("pattern").asText(), cell.toString());
            assertEquals(0, cell.get("failed").asInt(), cell.toString());
            assertEquals(0, cell.get("violations").size(), cell.toString());
            assertTrue(cell.get("n").asInt() >= 1, "measured, not skipped: " + cell);
            // syncLimit 5 x 200 ms: the leader hears no ping answer for that long before it steps down.
            assertTrue(cell.get("detection_p50_ms").asDouble() >= 800, "noticed by the leader's timeout: " + cell);
            assertTrue(cell.get("time_to_ready_p50_ms").asDouble() >= cell.get("detection_p50_ms").asDouble(),
                cell.toString());
        }
    }

    private static List<Path> runFiles(final Path root, final String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            return s.filter(p -> p.toString().endsWith(suffix)).collect(Collectors.toList());
        }
    }

    @Test
    void processTargetKillsARealNodeProcess() throws Exception {
        final Result r = cli("run", "--target", "process", "--sizes", "3", "--patterns", "leader-crash", "--trials",
            "1", "--warmup", "0", "--no-store", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(1, cell.get("n").asInt());
        assertTrue(cell.get("detection_p50_ms").asDouble() > 0, "a killed leader is noticed through the reset: "
            + cell);
        assertTrue(cell.get("messages_per_election_p50").asDouble() > 0, cell.toString());
    }

    @Test
    void zookeeperTargetMeasuresRealApacheZooKeeper() throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--sizes", "3", "--patterns", "leader-crash", "--trials",
            "1", "--warmup", "0", "--no-store", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals("zk-3.9.5", cell.get("policy").asText());
        assertEquals(1, cell.get("n").asInt());
        assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > 0, cell.toString());
        assertTrue(cell.get("messages_per_election_p50").isNull(), "ZooKeeper does not count its notifications for us");
    }

    @Test
    void zookeeperTakesWritesThroughItsOwnClient() throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--sizes", "3", "--patterns", "leader-crash", "--trials",
            "1", "--warmup", "0", "--tick-time", "200", "--write-rate", "100", "--no-store", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(0, cell.get("violations").size(), "every acknowledged znode is there: " + cell);
        assertTrue(cell.get("writes_committed").asLong() > 10, cell.toString());
        assertTrue(cell.get("write_unavailability_p50_ms").asDouble() > 0, cell.toString());
    }

    /**
     * ZooKeeper 3.8 has no blocking {@code sync(String)} (3.9 added it): the writer's safety check must
     * still run on it, through the asynchronous {@code sync} every supported release has.
     */
    @Test
    void zookeeper38TakesWritesAndChecksThem() throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--zookeeper", "3.8.6", "--sizes", "3", "--patterns",
            "leader-crash", "--trials", "1", "--warmup", "0", "--tick-time", "200", "--write-rate", "100", "--no-store",
            "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals("zk-3.8.6", cell.get("policy").asText());
        assertEquals(0, cell.get("violations").size(), "every acknowledged znode is there: " + cell);
        assertTrue(cell.get("writes_committed").asLong() > 10, cell.toString());
    }

    /**
     * Two releases in one run: each its own cell policy, measured in interleaved rounds, the one resolved at
     * run time (3.8.6, from Maven Central or the cache) and an install laid out from the default's jars, whose
     * version is read from its jars, not from the directory's misleading name.
     */
    @Test
    void twoReleasesAreTwoCellsAndAnInstallIsNamedByItsJars(@TempDir final Path root) throws Exception {
        final Path home = root.resolve("apache-zookeeper-9.9.9-bin");
        Files.createDirectories(home.resolve("lib"));
        try (io.electionbench.loadgen.zookeeper.ZooKeeperReleases releases =
                 io.electionbench.loadgen.zookeeper.ZooKeeperReleases.fromSettings()) {
            for (final Path jar : releases.resolve("3.9.5").jars()) {
                Files.copy(jar, home.resolve("lib").resolve(jar.getFileName()));
            }
        }
        final Result r = cli("run", "--target", "zookeeper", "--zookeeper", "3.8.6", "--zookeeper-home",
            home.toString(), "--sizes", "3", "--patterns", "leader-crash", "--trials", "1", "--warmup", "0", "--out",
            root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final List<JsonNode> cells = new java.util.ArrayList<>();
        for (final String line : r.out().strip().split("\n")) {
            cells.add(JSON.readTree(line));
        }
        assertEquals(List.of("zk-3.8.6", "zk-3.9.5"), cells.stream().map(c -> c.get("policy").asText()).toList());
        for (final JsonNode cell : cells) {
            assertEquals(1, cell.get("n").asInt(), cell.toString());
        }
        final Path file;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            file = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        final JsonNode zookeeper = JSON.readTree(file.toFile()).get("config").get("zookeeper");
        assertEquals(2, zookeeper.size(), zookeeper.toString());
        assertEquals("3.8.6", zookeeper.get(0).get("version").asText());
        assertEquals(home.toString(), zookeeper.get(1).get("origin").asText(),
            "the install is named where it came from");
    }

    /**
     * Knob variants are cells of their own, their knobs stored per cell, and ZooKeeper's own report of each
     * election is collected beside what the load generator saw.
     */
    @Test
    void knobVariantsAreCellsAndZooKeepersOwnElectionTimeIsKept(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--zk-variants", "base:,tick500:tickTime=500",
            "--zk-config", "cnxTimeout=1000", "--sizes", "3", "--patterns", "leader-crash", "--trials", "1",
            "--warmup", "0",
            "--out", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        assertEquals("zk-3.9.5+base", JSON.readTree(lines[0]).get("policy").asText());
        assertEquals("zk-3.9.5+tick500", JSON.readTree(lines[1]).get("policy").asText());
        for (final String line : lines) {
            final JsonNode cell = JSON.readTree(line);
            final double reported = cell.get("zk_reported_election_p50_ms").asDouble();
            assertTrue(reported > 0 && reported <= cell.get("time_to_ready_p50_ms").asDouble(),
                "ZooKeeper's LEADER ELECTION TOOK lies within what the load generator saw: " + cell);
        }
        final Path file;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            file = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        final JsonNode cells = JSON.readTree(file.toFile()).get("config").get("zookeeper_cells");
        assertEquals("1000", cells.get(0).get("knobs").get("cnxTimeout").asText());
        assertEquals("-Dzookeeper.cnxTimeout=1000", cells.get(0).get("jvm_properties").get(0).asText());
        assertEquals("tickTime=500", cells.get(1).get("zoo_cfg").get(0).asText());
    }

    /**
     * Preloaded data is a cell of its own: ZooKeeper holds every znode on every server before the fault (the
     * preload checks srvr's node count), and the follower that restarts is synced by the leader as its log
     * says (a DIFF, far below the 100,000 txns of a snapshot).
     */
    @Test
    void zookeeperPreloadIsACellAndTheRestartedFollowerIsSyncedByDiff(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--sizes", "3", "--patterns", "follower-crash",
            "--preload", "0,3000", "--value-bytes", "256", "--trials", "1", "--warmup", "0", "--out", root.toString(),
            "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        final JsonNode empty = JSON.readTree(lines[0]);
        final JsonNode loaded = JSON.readTree(lines[1]);
        assertEquals(0, empty.get("preload").asInt());
        assertTrue(empty.get("preload_ms").isNull(), empty.toString());
        assertEquals(3000, loaded.get("preload").asInt());
        assertTrue(loaded.get("preload_ms").asLong() > 0, loaded.toString());
        assertEquals(1, loaded.get("n").asInt(), loaded.toString());
        assertTrue(loaded.get("zk_syncs").get("diff").asInt() >= 1, "the restarted follower got a DIFF: " + loaded);
        assertEquals(0, loaded.get("zk_syncs").get("snap").asInt(), loaded.toString());
        assertTrue(loaded.get("zk_syncs").get("txns").size() >= 1, "the leader's Synchronizing line was read: "
            + loaded);
        assertEquals(0, loaded.get("zk_syncs").get("txns").get(0).asLong(),
            "nothing was written while the follower was down: its DIFF is empty, the 3,000 znodes are on its disk");
        final Path file;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            file = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        final JsonNode cells = JSON.readTree(file.toFile()).get("cells");
        assertEquals(2, cells.size());
        assertFalse(cells.get(0).has("params"), cells.get(0).toString());
        assertEquals("3000", cells.get(1).get("params").get("preload").asText(), cells.get(1).toString());
        assertEquals("256", cells.get(1).get("params").get("value_bytes").asText(), cells.get(1).toString());
        assertTrue(cells.get(1).get("metrics").has("preload_ms"), cells.get(1).toString());
    }

    /**
     * Real ZooKeeper client sessions through a leader crash: every client-visible metric is in the cell with
     * its raw samples, each session lost its writes for a while (the leader died) but below the trial's
     * timeout, and none expired with a 4 s session timeout.
     */
    @Test
    void zookeeperClientSessionsLiveThroughALeaderCrash(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "zookeeper", "--sizes", "3", "--patterns", "leader-crash",
            "--trials", "1", "--warmup", "0", "--clients", "3", "--session-timeout", "4000", "--timeout", "30",
            "--out", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(0, cell.get("sessions_expired").asInt(), cell.toString());
        assertEquals(0, cell.get("client_sessions_unrecovered").asInt(), cell.toString());
        final double writeGap = cell.get("client_write_unavailable_max_ms").asDouble();
        assertTrue(writeGap > 0 && writeGap < 30_000, cell.toString());
        assertTrue(cell.get("connection_loss_errors").asLong() > 0, "the sessions lost their connections: " + cell);
        final JsonNode metrics = storedCell(root).get("metrics");
        for (final String name : List.of("client_read_unavailable_ms", "client_write_unavailable_ms")) {
            assertEquals(3, metrics.get(name).get("samples").size(), "one per session: " + metrics.get(name));
        }
        assertTrue(metrics.get("client_disconnected_ms").get("samples").size() >= 1, metrics.toString());
        for (final String name : List.of("client_read_latency_ms", "client_write_latency_ms")) {
            assertTrue(metrics.get(name).get("samples").size() > 10, "every operation's latency: " + metrics.get(name));
        }
        for (final String name : List.of("sessions_expired", "connection_loss_errors", "session_moved_errors")) {
            assertEquals(1, metrics.get(name).get("samples").size(), "one per trial: " + metrics.get(name));
        }
        assertEquals(1, runFiles(root, "-client_read_latency.hlog").size(), "an interval log of the read latencies");
        assertEquals(1, runFiles(root, "-client_write_latency.hlog").size(), "an interval log of the write latencies");
    }

    /** The same client-visible metrics for our nodes, through the binary write client and GET /state. */
    @Test
    void processClientSessionsLiveThroughALeaderCrash(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "process", "--sizes", "3", "--patterns", "leader-crash",
            "--trials", "1", "--warmup", "0", "--clients", "3", "--timeout", "30", "--out", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(0, cell.get("client_sessions_unrecovered").asInt(), cell.toString());
        final double writeGap = cell.get("client_write_unavailable_max_ms").asDouble();
        assertTrue(writeGap > 0 && writeGap < 30_000, cell.toString());
        assertFalse(cell.has("sessions_expired"), "our nodes have no sessions to expire: " + cell);
        final JsonNode metrics = storedCell(root).get("metrics");
        for (final String name : List.of("client_read_unavailable_ms", "client_write_unavailable_ms")) {
            assertEquals(3, metrics.get(name).get("samples").size(), "one per session: " + metrics.get(name));
        }
        assertTrue(metrics.get("client_write_latency_ms").get("samples").size() > 10, metrics.toString());
        assertEquals(1, metrics.get("connection_loss_errors").get("samples").size(), metrics.toString());
    }

    private static JsonNode storedCell(final Path root) throws Exception {
        final Path file;
        try (Stream<Path> s = Files.walk(root.resolve("results/runs"))) {
            file = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        final JsonNode cells = JSON.readTree(file.toFile()).get("cells");
        assertEquals(1, cells.size());
        return cells.get(0);
    }

    @Test
    void badClientFlagsGiveOneLineAndExitTwo() {
        final String[][] cases = {{"--clients", "-1"}, {"--session-timeout", "50"}, {"--client-rate", "0"},
            {"--clients", "1001"}, {"--client-rate", "NaN"}};
        for (final String[] c : cases) {
            final List<String> args = new java.util.ArrayList<>(List.of("run", "--target", "process", "--sizes", "3",
                "--trials", "1", "--no-store"));
            args.addAll(List.of(c));
            final long before = ProcessHandle.current().descendants().count();
            final Result r = cli(args.toArray(new String[0]));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench run: " + c[0]), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertEquals(before, ProcessHandle.current().descendants().count(), "no server was started");
        }
    }

    /** Our nodes take the preload through the pipelined write client, each cell its own. */
    @Test
    void processPreloadLoadsEveryNodeBeforeTheFault() throws Exception {
        final Result r = cli("run", "--target", "process", "--sizes", "3", "--patterns", "leader-crash", "--preload",
            "5000", "--value-bytes", "100", "--trials", "1", "--warmup", "0", "--no-store", "--json", "--verbose");
        assertEquals(0, r.code(), r.out() + r.err());
        final JsonNode cell = JSON.readTree(r.out().strip());
        assertEquals(5000, cell.get("preload").asInt());
        assertEquals(1, cell.get("n").asInt(), cell.toString());
        assertTrue(r.err().contains("preloaded 5000 values of 100 bytes in "), r.err());
    }

    @Test
    void aTargetThatCannotPreloadIsSkippedWithAReason() {
        final Result r = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash", "--preload", "10",
            "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("skipped, the sim target cannot preload data"), r.out());
    }

    @Test
    void badPreloadsGiveOneLineAndExitTwo() {
        final String[][] cases = {
            {"--target", "process", "--value-bytes", "16385"}, {"--target", "process", "--value-bytes", "-1"},
            {"--target", "process", "--preload", "-5"}, {"--target", "process", "--preload", "10000001"},
            {"--target", "zookeeper", "--zk-heap", "lots"},
            {"--target", "zookeeper", "--preload", "2000000", "--value-bytes", "1024"}};
        for (final String[] c : cases) {
            final List<String> args = new java.util.ArrayList<>(List.of("run", "--sizes", "3", "--trials", "1",
                "--no-store"));
            args.addAll(List.of(c));
            final long before = ProcessHandle.current().descendants().count();
            final Result r = cli(args.toArray(new String[0]));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench run: "), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertEquals(before, ProcessHandle.current().descendants().count(), "no server was started");
        }
        final Result heap = cli("run", "--target", "zookeeper", "--sizes", "3", "--preload", "2000000", "--value-bytes",
            "1024", "--no-store");
        assertTrue(heap.err().contains("--zk-heap"), "the error says which flag to raise: " + heap.err());
    }

    /** Each bad ZooKeeper input is one line and exit 2, before any server starts. */
    @Test
    void badZooKeeperReleasesAndInstallsGiveOneLineAndExitTwo(@TempDir final Path root) throws Exception {
        Files.createDirectories(root.resolve("not-zk/lib"));
        Files.writeString(root.resolve("not-zk/lib/readme.txt"), "no jars");
        final String[][] cases = {
            {"--zookeeper", "3.9.99"}, {"--zookeeper", "3.7.2"}, {"--zookeeper", "latest"},
            {"--zookeeper-home", root.resolve("missing").toString()},
            {"--zookeeper-home", root.resolve("not-zk").toString()},
            {"--zookeeper", "3.9.5", "--zookeeper-home", root.resolve("not-zk").toString()},
            {"--zk-config", "dataDir=/x"}, {"--zk-variants", "nocolon"}, {"--zk-variants", "t:tickTime=0"}};
        for (final String[] zk : cases) {
            final List<String> args = new java.util.ArrayList<>(List.of("run", "--target", "zookeeper", "--sizes", "3",
                "--trials", "1", "--no-store"));
            args.addAll(List.of(zk));
            final long before = ProcessHandle.current().descendants().count();
            final Result r = cli(args.toArray(new String[0]));
            assertEquals(2, r.code(), String.join(" ", zk) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench run: --z") || r.err()
                .startsWith("electionbench run: zookeeper variant"), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertEquals(before, ProcessHandle.current().descendants().count(), "no server was started");
        }
        final Result misplaced = cli("run", "--target", "process", "--zookeeper", "3.9.5", "--no-store");
        assertEquals(2, misplaced.code());
        assertEquals("electionbench run: --zookeeper applies to --target zookeeper only", misplaced.err().strip());
    }

    @Test
    void badArgumentsGiveOneLineAndExitTwo() {
        for (final String[] args : new String[][] {
            {"run", "--target", "mars"}, {"run", "--patterns", "meteor"}, {"run", "--sizes", "3,x"},
            {"run", "--target", "remote"}, {"run", "--write-rate", "-1"}, {"run", "--write-rate", "1e9"},
            {"run", "--fsync", "sometimes"}, {"run", "--policy", "quick"},
            {"run", "--trials", "0"}, {"run", "--heap", "lots"},
            {"run", "--target", "process", "--jvm-flags", "-XX:+NoSuchFlag"}}) {
            final Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("electionbench run: "), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
        }
    }

    /** Each bad flag is named alone, and the JVM's own refusal of the child flags comes before any server. */
    @Test
    void theOneBadFlagIsNamed() {
        assertEquals("electionbench run: --trials 0 is below 1", cli("run", "--trials", "0").err().strip());
        assertEquals("electionbench run: --warmup -1 is below 0", cli("run", "--warmup", "-1").err().strip());
        assertEquals("electionbench run: --heap 'lots' is not a size such as 512m or 2g",
            cli("run", "--heap", "lots").err().strip());
        final Result flags = cli("run", "--target", "process", "--jvm-flags", "-XX:+NoSuchFlag", "--no-store");
        assertTrue(flags.err().startsWith("electionbench run: --heap/--jvm-flags: the JVM refuses heap 64m with flags"
            + " '-XX:+NoSuchFlag': Unrecognized VM option 'NoSuchFlag'"), flags.err());
    }

    /** A crash leaves no quorum below three servers: the cell is skipped with the reason, not failed as unsafe. */
    @Test
    void patternsThatNeedASurvivingQuorumSkipSmallEnsembles() {
        final Result r = cli("run", "--target", "sim", "--sizes", "1,2", "--patterns",
            "leader-crash,follower-crash,cold-start", "--sim-trials", "20", "--no-store");
        assertEquals(0, r.code(), r.out() + r.err());
        for (final String cell : new String[] {"sim n=1 leader-crash", "sim n=2 leader-crash", "sim n=1 follower-crash",
            "sim n=2 follower-crash"}) {
            assertTrue(r.out().contains(cell + " fast: skipped, " + cell.substring(cell.lastIndexOf(' ') + 1)
                + " needs at least 3 servers (a quorum must survive the fault)"), cell + ": " + r.out());
        }
        assertFalse(r.out().contains("SAFETY"), r.out());
        assertTrue(r.out().contains("cold-start"), "a start needs no survivor: " + r.out());
    }

    /** --root names the results root as for the results commands; --out, its older name, still works. */
    @Test
    void rootAndItsOlderNameOutStoreAlike(@TempDir final Path dir) throws Exception {
        for (final String flag : new String[] {"--root", "--out"}) {
            final Path root = Files.createDirectories(dir.resolve(flag.substring(2)));
            final Result r = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-crash",
                "--sim-trials", "5", flag, root.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(1, runFiles(root, "-loadgen.json").size(), flag);
        }
    }

    /**
     * Our nodes timed both ways in one run: by their own event stamps, and by polling GET /state from outside as
     * ZooKeeper is timed; the polled cell is its own (param observe=poll) and sees the same failover.
     */
    @Test
    void ourNodesAreTimedBothByTheirEventsAndByPollingAsZooKeeperIs(@TempDir final Path root) throws Exception {
        final Result r = cli("run", "--target", "inproc", "--sizes", "3", "--patterns", "leader-crash", "--observe",
            "events,poll", "--trials", "2", "--warmup", "0", "--root", root.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        for (final String line : lines) {
            final JsonNode cell = JSON.readTree(line);
            assertEquals(2, cell.get("n").asInt(), line);
            assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > 0, line);
        }
        final JsonNode cells = JSON.readTree(runFiles(root, "-loadgen.json").get(0).toFile()).get("cells");
        assertFalse(cells.get(0).has("params"), cells.get(0).toString());
        assertEquals("poll", cells.get(1).get("params").get("observe").asText(), cells.get(1).toString());
        final Result bad = cli("run", "--observe", "sometimes", "--no-store");
        assertEquals(2, bad.code());
        assertEquals("electionbench run: --observe 'sometimes' is not events or poll", bad.err().strip());
    }

    @Test
    void skippedPatternsSaySo() {
        final Result r = cli("run", "--target", "sim", "--sizes", "3", "--patterns", "leader-follower-crash",
            "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("skipped, leader-follower-crash needs at least 5 servers"), r.out());
    }
}
