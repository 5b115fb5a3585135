package io.electionbench.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.ClientLoad;
import io.electionbench.loadgen.run.ClientTrial;
import io.electionbench.loadgen.run.IntervalLog;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.ServerReports;
import io.electionbench.loadgen.run.SyncSummary;
import io.electionbench.loadgen.run.TrialRunner;
import io.electionbench.loadgen.run.TrialWrites;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperHome;
import io.electionbench.loadgen.zookeeper.ZooKeeperReleases;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;
import io.electionbench.loadgen.zookeeper.ZooKeeperVersionException;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Metric;
import io.electionbench.results.RunWriter;
import io.electionbench.transport.node.ConfigException;
import io.electionbench.transport.node.NodeConfigParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code electionbench run}: the load test. For each cell of targets x sizes x patterns x policies it
 * builds a fresh ensemble, runs warm-up and measured trials, and writes the cell to the run file as
 * soon as it finishes, so an interrupted run keeps what it measured.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Measure detection, time-to-leader and time-to-ready across targets, ensemble sizes and crash patterns.",
        "With no options: leader-crash and cold-start on 3 and 5 node-processes and on the simulator (a few minutes).",
        "Results go to results/runs/<commit>/ (see docs/results.md); exit 1 if any safety check failed or a trial never recovered.",
        "",
        "Patterns:"},
    footer = {"%nTargets: sim (deterministic simulator, virtual time), inproc (nodes in this JVM over loopback),",
        "process (one JVM per node, real kill -9 and SIGSTOP), zookeeper (Apache ZooKeeper servers of each --zookeeper",
        "release or --zookeeper-home install, one JVM each, watched through srvr; one cell policy zk-VERSION each), remote (running electionbench nodes named by --remote-config, driven through their admin",
        "endpoints; a crashed node must be restarted by its supervisor), hosts (our nodes or a ZooKeeper release installed,",
        "started and hurt over SSH on the servers of a --hosts inventory; partitions by the hosts' own firewalls)."})
final class RunCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Measured trials of one ZooKeeper release per round when a run compares several: each round runs
     * them release after release, one ensemble at a time, so drift of the machine falls on all alike.
     */
    static final int ZOOKEEPER_ROUND_TRIALS = 3;

    @Option(names = "--target", paramLabel = "T,T", description = "sim, inproc, process, zookeeper, remote, hosts (default: ${DEFAULT-VALUE}).",
        defaultValue = "process,sim")
    String targets;

    @Option(names = "--sizes", paramLabel = "N,N", description = "Ensemble sizes (default: ${DEFAULT-VALUE}).", defaultValue = "3,5")
    String sizes;

    @Option(names = "--patterns", paramLabel = "P,P", description = "Crash patterns, or 'all' (default: ${DEFAULT-VALUE}).",
        defaultValue = "leader-crash,cold-start")
    String patterns;

    @Option(names = "--trials", paramLabel = "N", description = "Measured trials per cell on real targets (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int trials;

    @Option(names = "--sim-trials", paramLabel = "N", description = "Measured trials per cell on the simulator (default: ${DEFAULT-VALUE}).",
        defaultValue = "200")
    int simTrials;

    @Option(names = "--warmup", paramLabel = "N", description = "Unmeasured trials first, per cell (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int warmup;

    @Option(names = "--policy", paramLabel = "P", description = "fast, zookeeper or all (default: ${DEFAULT-VALUE}).", defaultValue = "fast")
    String policy;

    @Option(names = "--zookeeper", paramLabel = "V,V", description = "For --target zookeeper: Apache ZooKeeper releases"
        + " (3.8.0 or later), each its own cell policy zk-V, resolved with their dependencies from Maven Central or the"
        + " mirror in ~/.m2/settings.xml at run time, and cached in the local repository (default: "
        + ZooKeeperReleases.DEFAULT_VERSION + ", unless --zookeeper-home is given). Several are measured in interleaved"
        + " rounds of " + ZOOKEEPER_ROUND_TRIALS + " trials.")
    String zookeeperVersions;

    @Option(names = "--zookeeper-home", paramLabel = "DIR,DIR", description = "For --target zookeeper: unpacked"
        + " apache-zookeeper-X-bin distributions (their lib/*.jar); each is a cell policy named by the version its"
        + " jars hold.")
    String zookeeperHomes;

    @Option(names = "--zk-config", paramLabel = "KEY=VALUE", description = "For --target zookeeper: a knob for every"
        + " server (repeatable): into zoo.cfg, or as -Dzookeeper.KEY=VALUE for the keys ZooKeeper reads as system"
        + " properties (cnxTimeout, fastleader.*, forceSync, ...). tickTime, initLimit and syncLimit also set the cell's"
        + " timing.")
    List<String> zookeeperConfig = new ArrayList<>();

    @Option(names = "--zk-variants", paramLabel = "NAME:K=V[;K=V],...", description = "For --target zookeeper: named"
        + " sets of knobs, each its own cell policy zk-VERSION+NAME (for example base:,cnx500:cnxTimeout=500), measured"
        + " in interleaved rounds with every release; --zk-config applies to all of them.")
    String zookeeperVariants;

    @Option(names = "--preload", paramLabel = "N,N", defaultValue = "0", description = "Values loaded before each cell's"
        + " first trial, a matrix dimension (default: ${DEFAULT-VALUE}): znodes created through ZooKeeper's client, or"
        + " txns through our write client, until every server holds them; each N > 0 is a cell param preload=N.")
    String preload;

    @Option(names = "--observe", paramLabel = "events|poll", defaultValue = "events", description = "How our real"
        + " nodes are timed, a matrix dimension (default: ${DEFAULT-VALUE}): events, their own event streams stamped"
        + " by the node; poll, GET /state of each node in turn about once a millisecond, stamped by the load"
        + " generator, exactly as the zookeeper target times ZooKeeper with srvr; 'events,poll' runs both.")
    String observe;

    private List<Boolean> observes = List.of(false);

    @Option(names = "--value-bytes", paramLabel = "B", defaultValue = "0", description = "Bytes of each preloaded"
        + " value (default: ${DEFAULT-VALUE}; at most 16384, our nodes' largest write).")
    int valueBytes;

    @Option(names = "--write-rate", paramLabel = "R", defaultValue = "0", description = "Open-loop writes per second during every"
        + " trial (default: none). Each 128-byte write is due at start + i/R and sent then, whatever"
        + " earlier writes did; its latency counts from that intended time (coordinated omission corrected). Adds write_latency_ms,"
        + " write_unavailability_ms, writes_committed, writes_unknown and, when a follower synced data, sync_txns_per_s,"
        + " sync_bytes_per_s and sync_ms. Every acknowledged write must then be in the leader's history: exit 1 if one is lost.")
    double writeRate;

    @Option(names = "--clients", paramLabel = "K", defaultValue = "0", description = "Client sessions per cell"
        + " (default: ${DEFAULT-VALUE}, none): for zookeeper real ZooKeeper sessions of the release under test, for"
        + " inproc, process and remote sessions of our write client and admin endpoint; session i starts at server"
        + " i mod n. Each does --client-rate operations a second, open loop, half reads and half writes. Adds"
        + " client_disconnected_ms, client_read_unavailable_ms, client_write_unavailable_ms, client_read_latency_ms,"
        + " client_write_latency_ms, connection_loss_errors and, for zookeeper, sessions_expired and"
        + " session_moved_errors. The sim target has no clients.")
    int clients;

    @Option(names = "--session-timeout", paramLabel = "MS", defaultValue = "4000", description = "The client"
        + " sessions' timeout (default: ${DEFAULT-VALUE}); ZooKeeper grants 2 to 20 ticks, and a client gives up on"
        + " a silent server after two thirds of it, ours too.")
    int sessionTimeoutMs;

    @Option(names = "--client-rate", paramLabel = "R", defaultValue = "20", description = "Operations a second per"
        + " client session, half reads and half writes, open loop (default: ${DEFAULT-VALUE}).")
    double clientRate;

    @Option(names = "--fsync", paramLabel = "P", defaultValue = "batch",
        description = "The txn log's fsync policy of the nodes run starts (inproc, process): always, batch or never (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--tick-time", paramLabel = "MS", description = "tickTime in ms (default: ${DEFAULT-VALUE}, ZooKeeper's sample config).",
        defaultValue = "2000")
    int tickTimeMs;

    @Option(names = "--init-limit", paramLabel = "TICKS", defaultValue = "10", description = "initLimit (default: ${DEFAULT-VALUE}).")
    int initLimit;

    @Option(names = "--sync-limit", paramLabel = "TICKS", defaultValue = "5", description = "syncLimit (default: ${DEFAULT-VALUE}).")
    int syncLimit;

    @Option(names = "--timeout", paramLabel = "S", description = "Seconds a trial may take to recover (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    int timeoutS;

    @Option(names = "--remote-config", paramLabel = "FILE",
        description = "For --target remote: the running nodes' zoo.cfg (with admin.N=host:port for each server); --sizes is ignored.")
    Path remoteConfig;

    @Option(names = "--hosts", paramLabel = "FILE", description = "For --target hosts: the inventory of its servers (docs/loadgen.md,"
        + " \"Running on your own machines\"); --sizes is ignored.")
    Path hostsFile;

    private io.electionbench.loadgen.hosts.Inventory hostsInventory;
    private ZooKeeperDistribution hostsZooKeeper;

    @Option(names = "--settle", paramLabel = "MS",
        description = "Quiet time on a stable ensemble before each trial's fault, so a server the previous trial restarted has "
            + "finished starting its JVM (default: ${DEFAULT-VALUE}; the sim target's is virtual).", defaultValue = "1000")
    long settleMs;

    @Option(names = "--heap", paramLabel = "SIZE", description = "Heap of each node process (default: ${DEFAULT-VALUE}).", defaultValue = "64m")
    String heap;

    @Option(names = "--zk-heap", paramLabel = "SIZE", defaultValue = "128m", description = "Heap of each ZooKeeper server"
        + " (default: ${DEFAULT-VALUE}); ZooKeeper holds its whole database on the heap, so --preload needs more.")
    String zookeeperHeap;

    @Option(names = "--jvm-flags", paramLabel = "FLAGS",
        description = "JVM flags for every node and ZooKeeper process, after the heap (default: -XX:+UseSerialGC "
            + "-XX:TieredStopAtLevel=1, plus -XX:+UseTransparentHugePages on Linux).")
    String jvmFlags;

    @Option(names = "--node-class-archive", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Start the process target's nodes with an application class-data archive of what a node"
            + " loads, built once per jar and JVM (default: on; --no-node-class-archive for plain JVMs).")
    boolean isNodeClassArchive;

    @Option(names = "--seed", paramLabel = "S", description = "Simulator seed (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--verbose", description = "Print every trial's outcome and event timeline on stderr.")
    boolean isVerbose;

    @Option(names = "--json", description = "Print one JSON object per cell, one per line; no progress or table.")
    boolean isJson;

    @Override
    public Integer call() throws Exception {
        final Matrix m;
        try {
            m = matrix();
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("run", ex.getMessage());
        }
        final List<ZooKeeperDistribution> zks;
        try {
            zks = zookeepers(m);
            hostsZooKeeper = hostsZooKeeper();
        } catch (final ZooKeeperVersionException | IllegalArgumentException ex) {
            return Cli.fail("run", ex.getMessage());
        }
        if (jvmFlags == null) {
            jvmFlags = CellRunner.DEFAULT_CHILD_JVM_FLAGS;
        }
        CellRunner.childJvmFlags(jvmFlags);
        CellRunner.nodeClassArchive(isNodeClassArchive);
        final String refused = refusedJvmFlags(m);
        if (refused != null) {
            return Cli.fail("run", refused);
        }
        final Path root = store.root();
        final RunWriter writer = store.open(config(m, zks));
        final Path work = Files.createTempDirectory("electionbench-run");
        // Node and ZooKeeper processes must not outlive the run, whether it ends, fails or is interrupted.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
            "kill-children"));
        final Summary summary = new Summary(isJson, writeRate > 0);
        boolean isClean = true;
        final int cells = cells(m, zks);
        final Progress progress = new Progress("run", units(m, zks), isJson);
        long unitsDone = 0;
        int cellNo = 0;
        for (final String target : m.targets) {
            final List<Variant> variants = variants(target, m, zks);
            if (target.equals("zookeeper") && variants.size() > 1) {
                for (final int size : m.sizesFor(target)) {
                    for (final long data : m.preloads) {
                        for (final Pattern pattern : m.patterns) {
                            final List<CellRunner.CellOutcome> outcomes = interleaved(variants, size, data, pattern, m, work,
                                cellNo, cells, progress);
                            for (int i = 0; i < variants.size(); i++) {
                                isClean &= store(summary, writer, target, size, data, pattern, variants.get(i), outcomes.get(i));
                            }
                            unitsDone += interleavedUnits(variants.size());
                            progress.cellDone(unitsDone, outcome(outcomes));
                            cellNo += variants.size();
                        }
                    }
                }
                continue;
            }
            for (final Variant v : variants) {
                for (final int size : m.sizesFor(target)) {
                    for (final long data : m.preloads) {
                        for (final Pattern pattern : m.patterns) {
                            cellNo++;
                            final int n = target.equals("sim") ? simTrials : trials;
                            final String label = String.format("[%d/%d] %s n=%d %s %s%s", cellNo, cells, target, size,
                                pattern.flag(), v.label(), data > 0 ? " preload=" + data : "");
                            progress.cell(label);
                            final boolean isSim = target.equals("sim");
                            final CellRunner.CellOutcome o = cellRunner(target, size, data, pattern, v, m,
                                work.resolve("cell-" + cellNo)).run(warmup, n, TimeUnit.SECONDS.toNanos(timeoutS),
                                isSim ? t -> { } : progress::inCell);
                            isClean &= store(summary, writer, target, size, data, pattern, v, o);
                            unitsDone += isSim ? SIM_CELL_UNITS : warmup + n;
                            progress.cellDone(unitsDone, outcome(List.of(o)));
                        }
                    }
                }
            }
        }
        summary.print(footer(m));
        if (writer != null && !isJson) {
            System.out.println("stored " + root.relativize(writer.file()));
        }
        if (isClean) {
            FileTrees.deleteQuietly(work);
        } else {
            System.err.println("run: the nodes' data and logs of this run are kept in " + work);
        }
        return isClean ? 0 : 1;
    }

    /** A cell's policy: one of ours, or a ZooKeeper release (whose own election runs, whatever --policy says). */
    /**
     * A cell's policy: one of ours, or a ZooKeeper release (whose own election runs, whatever --policy says);
     * for our real nodes also how they are observed (--observe poll: a param of the cell, observe=poll).
     */
    private record Variant(ElectionPolicy policy, ZooKeeperDistribution zookeeper, ZooKeeperVariant knobs,
        boolean isPolled) {
        String name() {
            return zookeeper != null ? knobs.policyName(zookeeper) : policy.name();
        }

        String label() {
            return name() + (isPolled ? " observe=poll" : "");
        }
    }

    /** Our policies; or every ZooKeeper release with every knob variant (release-major order). */
    private List<Variant> variants(final String target, final Matrix m, final List<ZooKeeperDistribution> zks) {
        if (target.equals("hosts")) {
            // Our nodes on hosts are timed by polling only: their event streams are stamped on each host's clock.
            return hostsZooKeeper != null ? List.of(new Variant(m.policies.get(0), hostsZooKeeper, ZooKeeperVariant.NONE, false))
                : m.policies.stream().map(p -> new Variant(p, null, null, true)).toList();
        }
        if (target.equals("zookeeper")) {
            final List<Variant> out = new ArrayList<>();
            for (final ZooKeeperDistribution zk : zks) {
                for (final ZooKeeperVariant knobs : zookeeperKnobs()) {
                    out.add(new Variant(m.policies.get(0), zk, knobs, false));
                }
            }
            return out;
        }
        final List<Boolean> polled = List.of("inproc", "process", "remote").contains(target) ? observes
            : List.of(false);
        final List<Variant> out = new ArrayList<>();
        for (final ElectionPolicy p : m.policiesFor(target)) {
            for (final boolean isPolled : polled) {
                out.add(new Variant(p, null, null, isPolled));
            }
        }
        return out;
    }

    /** The knob variants of --zk-variants, each with --zk-config; or one unnamed variant of --zk-config alone. */
    private List<ZooKeeperVariant> zookeeperKnobs() {
        final Map<String, String> common = ZooKeeperVariant.parseConfig(zookeeperConfig, "--zk-config");
        return zookeeperVariants == null ? List.of(new ZooKeeperVariant("", common))
            : ZooKeeperVariant.parseVariants(zookeeperVariants, common);
    }

    /** A simulated cell's weight in the run's progress: its trials take virtual time, the cell a second or so. */
    static final int SIM_CELL_UNITS = 1;

    /**
     * The run's work in units, its progress and ETA: a trial (warm-up included) of a real target, or a whole
     * simulated cell ({@link #SIM_CELL_UNITS}).
     */
    private long units(final Matrix m, final List<ZooKeeperDistribution> zks) {
        long n = 0;
        for (final String t : m.targets) {
            final int variantCount = variants(t, m, zks).size();
            final long groups = (long)m.sizesFor(t).size() * m.patterns.size() * m.preloads.size();
            if (t.equals("zookeeper") && variantCount > 1) {
                n += groups * interleavedUnits(variantCount);
            } else {
                n += groups * variantCount * (t.equals("sim") ? SIM_CELL_UNITS : warmup + trials);
            }
        }
        return n;
    }

    /** Trials of one group of interleaved ZooKeeper cells: a full warm-up in the first round, one in each later. */
    private long interleavedUnits(final int variantCount) {
        final int rounds = (trials + ZOOKEEPER_ROUND_TRIALS - 1) / ZOOKEEPER_ROUND_TRIALS;
        return (long)variantCount * (trials + warmup + (rounds - 1L) * Math.min(warmup, 1));
    }

    /** What a finished cell (or group of interleaved cells) did, for its progress line. */
    private static String outcome(final List<CellRunner.CellOutcome> outcomes) {
        int measured = 0;
        int failed = 0;
        for (final CellRunner.CellOutcome o : outcomes) {
            if (o.skipped() != null) {
                return "skipped, " + o.skipped();
            }
            measured += o.samples().size();
            failed += o.failed();
        }
        return measured + " elections measured" + (failed > 0 ? ", " + failed + " failed" : "");
    }

    private int cells(final Matrix m, final List<ZooKeeperDistribution> zks) {
        int n = 0;
        for (final String t : m.targets) {
            n += m.sizesFor(t).size() * variants(t, m, zks).size() * m.patterns.size() * m.preloads.size();
        }
        return n;
    }

    private CellRunner cellRunner(final String target, final int size, final long data, final Pattern pattern, final Variant v,
        final Matrix m, final Path dir) {
        return new CellRunner(target, size, pattern, v.policy(), m.timing, seed, heap, dir).verbose(isVerbose ? System.err : null)
            .remoteConfig(remoteConfig).hosts(hostsInventory).writeRate(writeRate).fsync(m.fsync).settle(TimeUnit.MILLISECONDS.toNanos(settleMs))
            .zookeeper(v.zookeeper(), v.knobs(), zookeeperHeap).preload(data, valueBytes).clients(clientLoad())
            .observeByPolling(v.isPolled());
    }

    /**
     * The cells of one size and pattern on several ZooKeeper releases, measured in rounds: each round runs
     * up to {@link #ZOOKEEPER_ROUND_TRIALS} trials of every release in turn, on a fresh ensemble, one at a
     * time. The first round has the full warm-up, every later one a single warm-up trial, since each
     * round starts new server JVMs.
     */
    private List<CellRunner.CellOutcome> interleaved(final List<Variant> variants, final int size, final long data,
        final Pattern pattern, final Matrix m, final Path work, final int firstCell, final int cells, final Progress progress)
        throws Exception {
        final List<CellRunner.CellOutcome> outcomes = new ArrayList<>();
        final int[] done = new int[variants.size()];
        final int rounds = (trials + ZOOKEEPER_ROUND_TRIALS - 1) / ZOOKEEPER_ROUND_TRIALS;
        final String label = String.format("[%d-%d/%d] zookeeper n=%d %s%s %d cells interleaved", firstCell + 1,
            firstCell + variants.size(), cells, size, pattern.flag(), data > 0 ? " preload=" + data : "", variants.size());
        progress.cell(label);
        long progressed = 0;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.size(); i++) {
                final int n = Math.min(ZOOKEEPER_ROUND_TRIALS, trials - done[i]);
                final int warm = round == 0 ? warmup : Math.min(warmup, 1);
                final long base = progressed;
                final CellRunner.CellOutcome o = cellRunner("zookeeper", size, data, pattern, variants.get(i), m,
                    work.resolve("cell-" + (firstCell + i + 1) + "-round-" + (round + 1)))
                    .run(warm, n, TimeUnit.SECONDS.toNanos(timeoutS), t -> progress.inCell(base + t));
                progressed += warm + n;
                done[i] += n;
                outcomes.add(i, round == 0 ? o : outcomes.remove(i).plus(o));
            }
        }
        return outcomes;
    }

    /** Adds the cell to the table and the run file (with its interval logs); false if it was not clean. */
    private boolean store(final Summary summary, final RunWriter writer, final String target, final int size, final long data,
        final Pattern pattern, final Variant v, final CellRunner.CellOutcome o) throws Exception {
        final Map<String, String> params = new java.util.TreeMap<>();
        if (data > 0) {
            params.put("preload", Long.toString(data));
            params.put("value_bytes", Integer.toString(valueBytes));
        }
        if (v.isPolled()) {
            params.put("observe", "poll");
        }
        final Cell cell = summary.add(target, size, pattern, v.name(), params, o);
        if (writer != null && cell != null) {
            writer.addCell(cell);
            final String stem = writer.file().getFileName().toString().replace(".json", "");
            final String file = stem + "-" + cell.id().replaceAll("[^A-Za-z0-9.=-]+", "_");
            IntervalLog.write(writer.file().resolveSibling(file + ".hlog"), cell.id(), o.samples());
            if (!o.writes().isEmpty()) {
                IntervalLog.writeLatencies(writer.file().resolveSibling(file + "-write_latency.hlog"), cell.id(), o.writes());
            }
            if (!o.clients().isEmpty()) {
                IntervalLog.writeClientLatencies(writer.file().resolveSibling(file + "-client_read_latency.hlog"),
                    cell.id(), o.clients(), false);
                IntervalLog.writeClientLatencies(writer.file().resolveSibling(file + "-client_write_latency.hlog"),
                    cell.id(), o.clients(), true);
            }
        }
        return o.violations().isEmpty() && o.failed() == 0;
    }

    /**
     * The ZooKeeper releases the zookeeper target runs, resolved (or read from their installs) before any
     * server starts; none when no zookeeper target is asked for.
     */
    private List<ZooKeeperDistribution> zookeepers(final Matrix m) throws ZooKeeperVersionException {
        if (!m.targets.contains("zookeeper")) {
            final String misplaced = zookeeperVersions != null ? "--zookeeper" : zookeeperHomes != null ? "--zookeeper-home"
                : !zookeeperConfig.isEmpty() ? "--zk-config" : zookeeperVariants != null ? "--zk-variants" : null;
            if (misplaced != null) {
                throw new IllegalArgumentException(misplaced + " applies to --target zookeeper only");
            }
            return List.of();
        }
        for (final ZooKeeperVariant knobs : zookeeperKnobs()) {
            knobs.timing("tickTime", tickTimeMs);
            knobs.timing("initLimit", initLimit);
            knobs.timing("syncLimit", syncLimit);
        }
        final List<ZooKeeperDistribution> out = new ArrayList<>();
        final String versions = zookeeperVersions != null ? zookeeperVersions
            : zookeeperHomes == null ? ZooKeeperReleases.DEFAULT_VERSION : null;
        if (versions != null) {
            try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
                for (final String v : Cli.stringList(versions, "--zookeeper")) {
                    out.add(releases.resolve(v));
                }
            }
        }
        if (zookeeperHomes != null) {
            for (final String dir : Cli.stringList(zookeeperHomes, "--zookeeper-home")) {
                out.add(ZooKeeperHome.open(Path.of(dir)));
            }
        }
        final Map<String, ZooKeeperDistribution> byName = new LinkedHashMap<>();
        for (final ZooKeeperDistribution zk : out) {
            final ZooKeeperDistribution twin = byName.put(zk.policyName(), zk);
            if (twin != null) {
                throw new IllegalArgumentException("ZooKeeper " + zk.version() + " is named twice (" + twin.origin() + " and "
                    + zk.origin() + "): each release is one cell policy, zk-" + zk.version());
            }
        }
        return out;
    }

    private Map<String, Object> config(final Matrix m, final List<ZooKeeperDistribution> zks) {
        final Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", "run");
        c.put("targets", m.targets);
        c.put("sizes", m.sizes);
        c.put("patterns", m.patterns.stream().map(Pattern::flag).toList());
        c.put("policies", m.policies.stream().map(ElectionPolicy::name).toList());
        c.put("trials", trials);
        c.put("sim_trials", simTrials);
        c.put("warmup", warmup);
        c.put("tickTime", tickTimeMs);
        c.put("initLimit", initLimit);
        c.put("syncLimit", syncLimit);
        c.put("timeout_s", timeoutS);
        c.put("settle_ms", settleMs);
        c.put("heap", heap);
        c.put("jvm_flags", jvmFlags);
        c.put("node_class_archive", isNodeClassArchive);
        c.put("seed", seed);
        c.put("write_rate_per_s", writeRate);
        c.put("write_bytes", writeRate > 0 ? 128 : 0);
        c.put("fsync", m.fsync.name().toLowerCase(Locale.ROOT));
        c.put("fsync_by_target", fsyncByTarget(m));
        c.put("preload", m.preloads);
        c.put("clients", clients);
        c.put("session_timeout_ms", sessionTimeoutMs);
        c.put("client_rate_per_s", clientRate);
        c.put("value_bytes", valueBytes);
        c.put("observe", observe);
        if (m.targets.contains("zookeeper")) {
            c.put("zookeeper_heap", zookeeperHeap);
        }
        if (!zks.isEmpty()) {
            final List<Map<String, Object>> releases = new ArrayList<>();
            for (final ZooKeeperDistribution zk : zks) {
                final Map<String, Object> r = new LinkedHashMap<>();
                r.put("policy", zk.policyName());
                r.put("version", zk.version());
                r.put("origin", zk.origin());
                r.put("jars", zk.jars().stream().map(p -> p.getFileName().toString()).toList());
                releases.add(r);
            }
            c.put("zookeeper", releases);
            final List<Map<String, Object>> zkCells = new ArrayList<>();
            for (final Variant v : variants("zookeeper", m, zks)) {
                final Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("policy", v.name());
                cell.put("version", v.zookeeper().version());
                cell.put("variant", v.knobs().name());
                cell.put("knobs", v.knobs().knobs());
                cell.put("zoo_cfg", v.knobs().zooCfgLines());
                cell.put("jvm_properties", v.knobs().jvmArguments());
                zkCells.add(cell);
            }
            c.put("zookeeper_cells", zkCells);
            c.put("zookeeper_round_trials", zkCells.size() > 1 ? ZOOKEEPER_ROUND_TRIALS : trials);
        }
        return c;
    }

    /** The --hosts inventory, read and checked; its ZooKeeper release is resolved later, with the others. */
    private io.electionbench.loadgen.hosts.Inventory hostsInventory() {
        if (hostsFile == null) {
            throw new IllegalArgumentException("the hosts target needs --hosts FILE (the inventory of its servers)");
        }
        if (!Files.isRegularFile(hostsFile)) {
            throw new IllegalArgumentException("--hosts " + hostsFile + ": no such file");
        }
        try {
            return io.electionbench.loadgen.hosts.Inventory.parse(hostsFile);
        } catch (final java.io.IOException ex) {
            throw new IllegalArgumentException("--hosts " + hostsFile + ": " + ex.getMessage(), ex);
        }
    }

    /** The release a ZooKeeper inventory names, resolved like --zookeeper's; null for our nodes or no hosts target. */
    private ZooKeeperDistribution hostsZooKeeper() throws ZooKeeperVersionException {
        if (hostsInventory == null || !hostsInventory.runs().isZooKeeper()) {
            return null;
        }
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            return releases.resolve(hostsInventory.runs().version());
        }
    }

    /** The fsync policy each target's servers actually ran with. */
    private Map<String, String> fsyncByTarget(final Matrix m) {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final String t : m.targets) {
            switch (t) {
                case "sim":
                    out.put(t, "n/a (in-memory log)");
                    break;
                case "zookeeper":
                    out.put(t, zookeeperForceSync());
                    break;
                case "hosts":
                    out.put(t, hostsZooKeeper != null ? zookeeperForceSync() : m.fsync.name().toLowerCase(Locale.ROOT));
                    break;
                case "remote":
                    out.put(t, m.remoteFsync == null ? "unknown" : m.remoteFsync.name().toLowerCase(Locale.ROOT) + " (from --remote-config)");
                    break;
                default:
                    out.put(t, m.fsync.name().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** ZooKeeper's forceSync: its default, or what the knobs of each variant that sets it say. */
    private String zookeeperForceSync() {
        final StringBuilder sb = new StringBuilder();
        for (final ZooKeeperVariant v : zookeeperKnobs()) {
            final String set = v.knobs().getOrDefault("forceSync", v.knobs().get("zookeeper.forceSync"));
            if (set != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(v.name().isEmpty() ? "every cell" : v.name()).append(": forceSync=")
                    .append(set);
            }
        }
        return sb.length() == 0 ? "forceSync=yes (ZooKeeper's default)" : sb + " (else forceSync=yes, ZooKeeper's default)";
    }

    /** The lines under the table: what was written, and with which fsync policy. */
    private List<String> footer(final Matrix m) {
        final List<String> lines = new ArrayList<>();
        final StringBuilder fs = new StringBuilder("txn log fsync:");
        fsyncByTarget(m).forEach((t, f) -> fs.append(' ').append(t).append('=').append(f));
        lines.add(fs.toString().replace("=n/a (in-memory log)", "=n/a"));
        if (writeRate > 0) {
            lines.add(String.format(Locale.ROOT, "writes: %s/s open loop, 128 bytes each; w p50/p99/max: latency from each write's"
                + " intended time; unavail: p50 of the longest stretch without a commit around the fault; commits/unknown: totals",
                new java.text.DecimalFormat("0.###").format(writeRate)));
        }
        if (clients > 0) {
            lines.add(String.format(Locale.ROOT, "clients: %d sessions per cell, %s operations/s each (half reads),"
                + " open loop; cl disc, cl r-un, cl w-un: p50 ms per session from the fault (disconnected, read and"
                + " write unavailable); expired: total", clients,
                new java.text.DecimalFormat("0.###").format(clientRate)));
        }
        return lines;
    }

    /** The client sessions of every cell; validated with the other flags. */
    private ClientLoad clientLoad() {
        return new ClientLoad(clients, sessionTimeoutMs, clientRate);
    }

    private Matrix matrix() {
        clientLoad();
        if (!(writeRate >= 0) || writeRate > MAX_WRITE_RATE) {
            throw new IllegalArgumentException("--write-rate " + writeRate + " is not in 0.." + MAX_WRITE_RATE + " writes per second");
        }
        final FsyncPolicy fsyncPolicy;
        try {
            fsyncPolicy = FsyncPolicy.valueOf(fsync.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("--fsync '" + fsync + "' is not always, batch or never", ex);
        }
        atLeast("--trials", trials, 1);
        atLeast("--sim-trials", simTrials, 1);
        atLeast("--warmup", warmup, 0);
        atLeast("--timeout", timeoutS, 1);
        atLeast("--settle", settleMs, 0);
        Cli.bytes(heap, "--heap");
        final List<String> ts = new ArrayList<>();
        for (final String t : targets.split(",")) {
            final String name = t.trim().toLowerCase(Locale.ROOT);
            if (!List.of("sim", "inproc", "process", "zookeeper", "remote", "hosts").contains(name)) {
                throw new IllegalArgumentException("unknown target '" + t.trim()
                    + "' (expected sim, inproc, process, zookeeper, remote or hosts)");
            }
            if (name.equals("hosts")) {
                hostsInventory = hostsInventory();
            }
            if (name.equals("remote") && remoteConfig == null) {
                throw new IllegalArgumentException("the remote target needs --remote-config FILE (the nodes' zoo.cfg with an admin.N=host:port line per server)");
            }
            if (name.equals("remote") && !Files.isRegularFile(remoteConfig)) {
                throw new IllegalArgumentException("--remote-config " + remoteConfig + ": no such file");
            }
            ts.add(name);
        }
        final List<Pattern> ps = new ArrayList<>();
        if (patterns.trim().equalsIgnoreCase("all")) {
            ps.addAll(List.of(Pattern.values()));
        } else {
            for (final String p : patterns.split(",")) {
                ps.add(Pattern.parse(p));
            }
        }
        final List<ElectionPolicy> pol = policy.equalsIgnoreCase("all")
            ? List.of(ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER) : List.of(ElectionPolicy.byName(policy));
        int remoteSize = 0;
        ElectionPolicy remotePolicy = ElectionPolicy.defaultPolicy();
        FsyncPolicy remoteFsync = null;
        if (remoteConfig != null) {
            try {
                final io.electionbench.transport.node.NodeConfig remote = NodeConfigParser.parse(remoteConfig);
                remoteSize = remote.ensemble().size();
                remotePolicy = remote.policy();
                remoteFsync = remote.fsync();
            } catch (final ConfigException ex) {
                throw new IllegalArgumentException(ex.getMessage(), ex);
            }
        }
        if (valueBytes < 0 || valueBytes > io.electionbench.core.election.MemberAgent.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("--value-bytes " + valueBytes + " is not in 0.."
                + io.electionbench.core.election.MemberAgent.MAX_WRITE_BYTES + " (our nodes' largest write)");
        }
        final List<Long> preloads = Cli.intList(preload, "--preload", 0, MAX_PRELOAD).stream().map(Integer::longValue).toList();
        final List<Boolean> modes = new ArrayList<>();
        for (final String mode : Cli.stringList(observe, "--observe")) {
            if (!mode.equals("events") && !mode.equals("poll")) {
                throw new IllegalArgumentException("--observe '" + mode + "' is not events or poll");
            }
            if (!modes.contains(mode.equals("poll"))) {
                modes.add(mode.equals("poll"));
            }
        }
        observes = List.copyOf(modes);
        if (ts.contains("zookeeper")) {
            checkZooKeeperHeap(preloads.stream().mapToLong(Long::longValue).max().orElse(0));
        }
        return new Matrix(ts, Cli.intList(sizes, "ensemble size", 1, 15), ps, pol, new NodeTiming(tickTimeMs, initLimit, syncLimit), remoteSize,
            remotePolicy, fsyncPolicy, remoteFsync, preloads, hostsInventory == null ? 0 : hostsInventory.size());
    }

    /**
     * Refuses a preload ZooKeeper's heap cannot hold: its DataTree keeps every znode on the heap, about
     * {@link #ZNODE_OVERHEAD_BYTES} beyond the value, and a snapshot being written or read needs room
     * beside it, so at most half the heap may be data.
     */
    private void checkZooKeeperHeap(final long mostValues) {
        final long heapBytes = Cli.bytes(zookeeperHeap, "--zk-heap");
        final long need = mostValues * (valueBytes + ZNODE_OVERHEAD_BYTES);
        if (need > heapBytes / 2) {
            throw new IllegalArgumentException(String.format("--preload %d of %d bytes needs about %d MiB of ZooKeeper heap"
                + " (twice the data); --zk-heap %s is %d MiB: give --zk-heap %dm or more", mostValues, valueBytes,
                2 * need >> 20, zookeeperHeap, heapBytes >> 20, (2 * need >> 20) + 64));
        }
    }

    /** Heap one znode of ZooKeeper's DataTree takes beyond its value: path, DataNode, StatPersisted, map entry. */
    static final int ZNODE_OVERHEAD_BYTES = 200;

    /** Child JVMs start with --heap (nodes) or --zk-heap (ZooKeeper) and --jvm-flags: tried once up front. */
    private String refusedJvmFlags(final Matrix m) {
        if (m.targets.contains("process")) {
            final String refused = io.electionbench.loadgen.run.ChildJvms.check(heap);
            if (refused != null) {
                return "--heap/--jvm-flags: " + refused;
            }
        }
        if (m.targets.contains("zookeeper")) {
            final String refused = io.electionbench.loadgen.run.ChildJvms.check(zookeeperHeap);
            if (refused != null) {
                return "--zk-heap/--jvm-flags: " + refused;
            }
        }
        return null;
    }

    private static void atLeast(final String flag, final long value, final long min) {
        if (value < min) {
            throw new IllegalArgumentException(flag + " " + value + " is below " + min);
        }
    }

    /** The highest --write-rate: one writer thread keeps up with this on a small machine. */
    static final double MAX_WRITE_RATE = 100_000;

    /** The most values --preload loads: ten million, a few GB of ZooKeeper heap at small values. */
    static final int MAX_PRELOAD = 10_000_000;

    private record Matrix(List<String> targets, List<Integer> sizes, List<Pattern> patterns, List<ElectionPolicy> policies, NodeTiming timing,
        int remoteSize, ElectionPolicy remotePolicy, FsyncPolicy fsync, FsyncPolicy remoteFsync, List<Long> preloads, int hostsSize) {
        /**
         * ZooKeeper runs its own election, so it gets one cell per size, not one per policy; remote
         * nodes run what their config says, at the size it lists.
         */
        List<ElectionPolicy> policiesFor(final String target) {
            if (target.equals("remote")) {
                return List.of(remotePolicy);
            }
            return target.equals("zookeeper") ? List.of(policies.get(0)) : policies;
        }

        List<Integer> sizesFor(final String target) {
            return target.equals("remote") ? List.of(remoteSize) : target.equals("hosts") ? List.of(hostsSize) : sizes;
        }
    }

    /** Collects cells into result cells and a table (or JSON lines). */
    private static final class Summary {
        /** Columns every table has, then the write and sync columns, shown only when some row has a value. */
        private static final String[] HEADERS = {"target", "n", "pattern", "policy", "trials", "detect p50", "leader p50", "ready p50",
            "ready p99", "ready max", "rounds", "msgs", "failed", "w p50", "w p99", "w max", "unavail", "commits", "unknown", "sync tx/s",
            "sync ms", "cl disc", "cl r-un", "cl w-un", "expired"};
        private static final int FIXED_COLUMNS = 13;
        private static final String NONE = "-";

        private final boolean isJson;
        private final boolean isWriting;
        private final List<String[]> rows = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        /** Per cell of the hosts target, the fault uncertainty shown under the table. */
        private final List<String> uncertainty = new ArrayList<>();
        private final Map<String, Double> readyP50 = new LinkedHashMap<>();

        Summary(final boolean isJson, final boolean isWriting) {
            this.isJson = isJson;
            this.isWriting = isWriting;
        }

        Cell add(final String target, final int size, final Pattern pattern, final String policyName,
            final Map<String, String> params, final CellRunner.CellOutcome o) throws Exception {
            final String data = (params.containsKey("preload") ? " preload=" + params.get("preload") : "")
                + (params.containsKey("observe") ? " observe=" + params.get("observe") : "");
            final String name = target + " n=" + size + " " + pattern.flag() + " " + policyName + data;
            if (o.skipped() != null) {
                notes.add(name + ": skipped, " + o.skipped());
                return null;
            }
            o.violations().forEach(v -> notes.add(name + ": SAFETY " + v));
            if (o.failed() > 0) {
                notes.add(name + ": " + o.failed() + " trial(s) did not recover within the timeout");
                o.failures().forEach(f -> notes.add(name + ": " + f));
            }
            final Metric detection = ms(o, s -> s.outcome().detectionNs());
            final Metric leader = ms(o, s -> s.outcome().leaderNs());
            final Metric ready = ms(o, s -> s.outcome().readyNs());
            final Metric rounds = count(o, s -> s.outcome().rounds(), "rounds");
            final Metric messages = count(o, s -> s.notifications(), "messages");
            final Cell.Builder cell = Cell.loadgen(target, size, pattern.flag(), policyName,
                params.isEmpty() ? Map.of() : new java.util.TreeMap<>(params));
            if (detection.n() > 0) {
                cell.metric("detection_ms", detection);
            }
            cell.metric("time_to_leader_ms", leader).metric("time_to_ready_ms", ready).metric("election_rounds", rounds)
                .metric("failed_trials", Metric.perRun("trials", Better.LOWER, o.failed()));
            final Metric.Builder reported = Metric.builder("ms", Better.LOWER);
            o.reports().forEach(r -> r.electionsMs().forEach(reported::add));
            final Metric zkReported = reported.build();
            if (zkReported.n() > 0) {
                cell.metric("zk_reported_election_ms", zkReported);
            }
            if (!o.faultUncertaintyNs().isEmpty()) {
                final double[] ms = o.faultUncertaintyNs().stream().mapToDouble(ns -> ns / 1e6).toArray();
                cell.metric("fault_uncertainty_ms", Metric.perRun("ms", Better.LOWER, ms));
                final double[] sorted = ms.clone();
                java.util.Arrays.sort(sorted);
                uncertainty.add(String.format(Locale.ROOT, "%s: p50 %.1f ms, max %.1f ms over %d trials", name,
                    sorted[(sorted.length - 1) / 2], sorted[sorted.length - 1], sorted.length));
            }
            if (!o.preloadMs().isEmpty()) {
                cell.metric("preload_ms", Metric.perRun("ms", Better.LOWER,
                    o.preloadMs().stream().mapToDouble(Long::doubleValue).toArray()));
            }
            if (o.reports().stream().anyMatch(r -> r.diffs() + r.truncs() + r.snaps() > 0)) {
                cell.metric("zk_syncs_diff", Metric.perRun("learners", Better.HIGHER,
                    o.reports().stream().mapToDouble(ServerReports::diffs).toArray()));
                cell.metric("zk_syncs_trunc", Metric.perRun("learners", Better.LOWER,
                    o.reports().stream().mapToDouble(ServerReports::truncs).toArray()));
                cell.metric("zk_syncs_snap", Metric.perRun("learners", Better.LOWER,
                    o.reports().stream().mapToDouble(ServerReports::snaps).toArray()));
                final Metric.Builder gaps = Metric.builder("txns", Better.UNKNOWN);
                o.reports().forEach(r -> r.syncGaps().forEach(gaps::add));
                final Metric syncTxns = gaps.build();
                if (syncTxns.n() > 0) {
                    cell.metric("zk_sync_txns", syncTxns);
                }
            }
            final boolean hasMessages = o.samples().stream().allMatch(s -> s.notifications() >= 0);
            if (hasMessages) {
                cell.metric("messages_per_election", messages);
            }
            final WriteMetrics w = isWriting ? new WriteMetrics(o) : null;
            if (w != null) {
                w.addTo(cell);
            }
            final ClientMetrics c = o.clients().isEmpty() ? null : new ClientMetrics(o.clients());
            if (c != null) {
                c.addTo(cell, target.equals("zookeeper"));
                if (c.unrecovered > 0) {
                    notes.add(name + ": " + c.unrecovered + " client session trial(s) without a read or write success"
                        + " after the fault by the trial's end (left out of the client metrics)");
                }
            }
            if (ready.n() > 0) {
                readyP50.put(size + " " + pattern.flag() + data + " " + target + " " + policyName, ready.p50());
            }
            if (isJson) {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", target);
                m.put("size", size);
                m.put("pattern", pattern.flag());
                m.put("preload", params.containsKey("preload") ? Long.parseLong(params.get("preload")) : 0);
                m.put("observe", params.getOrDefault("observe",
                    target.equals("zookeeper") ? "poll" : target.equals("sim") ? "virtual" : "events"));
                m.put("preload_ms", o.preloadMs().isEmpty() ? null : o.preloadMs().get(0));
                m.put("policy", policyName);
                m.put("n", ready.n());
                m.put("failed", o.failed());
                m.put("failures", o.failures());
                m.put("violations", o.violations());
                m.put("detection_p50_ms", detection.n() > 0 ? detection.p50() : null);
                m.put("time_to_leader_p50_ms", leader.p50());
                m.put("time_to_ready_p50_ms", ready.p50());
                m.put("time_to_ready_p99_ms", ready.p99());
                m.put("time_to_ready_max_ms", ready.max());
                m.put("messages_per_election_p50", hasMessages ? messages.p50() : null);
                m.put("zk_reported_election_p50_ms", zkReported.n() > 0 ? zkReported.p50() : null);
                final int[] syncsSent = new int[3];
                o.reports().forEach(r -> {
                    syncsSent[0] += r.diffs();
                    syncsSent[1] += r.truncs();
                    syncsSent[2] += r.snaps();
                });
                final List<Long> syncGaps = new ArrayList<>();
                o.reports().forEach(r -> syncGaps.addAll(r.syncGaps()));
                m.put("zk_syncs", Map.of("diff", syncsSent[0], "trunc", syncsSent[1], "snap", syncsSent[2],
                    "txns", syncGaps));
                if (w != null) {
                    w.putJson(m);
                }
                if (c != null) {
                    c.putJson(m, target.equals("zookeeper"));
                }
                System.out.println(JSON.writeValueAsString(m));
            } else {
                rows.add(new String[] {target, Integer.toString(size), pattern.flag() + data, policyName, Integer.toString(ready.n()),
                    fmt(detection, 0.5), fmt(leader, 0.5), fmt(ready, 0.5), p99(ready), fmt(ready, 1.0), count(rounds),
                    hasMessages ? count(messages) : NONE, Integer.toString(o.failed()),
                    w == null ? NONE : fmt(w.latency, 0.5), w == null ? NONE : fmt(w.latency, 0.99), w == null ? NONE : fmt(w.latency, 1.0),
                    w == null ? NONE : fmt(w.unavailability, 0.5), w == null ? NONE : Long.toString(w.committedTotal),
                    w == null ? NONE : Long.toString(w.unknownTotal), w == null ? NONE : fmt(w.syncTxnsPerS, 0.5),
                    w == null ? NONE : fmt(w.syncMs, 0.5), c == null ? NONE : fmt(c.disconnected, 0.5),
                    c == null ? NONE : fmt(c.readUnavailable, 0.5), c == null ? NONE : fmt(c.writeUnavailable, 0.5),
                    c == null || !target.equals("zookeeper") ? NONE : Long.toString(c.expiredTotal)});
            }
            return cell.build();
        }

        void print(final List<String> footer) {
            if (isJson) {
                notes.forEach(System.err::println);
                return;
            }
            final List<Integer> shown = new ArrayList<>();
            for (int c = 0; c < HEADERS.length; c++) {
                final int column = c;
                if (c < FIXED_COLUMNS || rows.stream().anyMatch(r -> !NONE.equals(r[column]))) {
                    shown.add(c);
                }
            }
            System.out.println();
            final int patternWidth = Math.max(22, rows.stream().mapToInt(r -> r[2].length()).max().orElse(0));
            final int policyWidth = Math.max(9, rows.stream().mapToInt(r -> r[3].length()).max().orElse(0));
            System.out.println(line(HEADERS, shown, patternWidth, policyWidth));
            rows.forEach(r -> System.out.println(line(r, shown, patternWidth, policyWidth)));
            System.out.println("times in ms from the fault; rounds and msgs are medians per election; trials: elections measured");
            if (hasShortP99) {
                System.out.println("*: from fewer than " + P99_MIN_SAMPLES + " samples the p99 lies between the two largest"
                    + " (interpolated, numpy's default): read it as a max");
            }
            if (rows.stream().anyMatch(r -> "sim".equals(r[0])) && rows.stream().anyMatch(r -> !"sim".equals(r[0]))) {
                System.out.println("sim cells run --sim-trials (default 200: virtual time is cheap), the others --trials");
            }
            footer.forEach(System.out::println);
            if (!uncertainty.isEmpty()) {
                System.out.println("fault uncertainty (hosts: each trial's widest gap from sending a fault's command to its host's"
                    + " confirmation; the fault took effect within it; fault_uncertainty_ms in the run file):");
                uncertainty.forEach(u -> System.out.println("  " + u));
            }
            printRatios();
            notes.forEach(n -> System.out.println("note: " + n));
        }

        /** Left-aligned text columns, right-aligned numbers; pattern and policy as wide as their longest name. */
        private static String line(final String[] cells, final List<Integer> shown, final int patternWidth,
            final int policyWidth) {
            final StringBuilder sb = new StringBuilder();
            for (final int c : shown) {
                final int width = c == 3 ? policyWidth : c == 0 ? 9 : c == 1 ? 3 : c == 2 ? patternWidth : c == 4 ? 5 : c == 10 ? 7 : c == 11 ? 8 : c == 12 ? 6 : 10;
                final boolean isLeft = c == 0 || c == 2 || c == 3;
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(isLeft ? String.format("%-" + width + "s", cells[c]) : String.format("%" + width + "s", cells[c]));
            }
            return sb.toString().stripTrailing();
        }

        /** For every size and pattern measured on ZooKeeper and on our own nodes: ZooKeeper's ready p50 over ours. */
        private void printRatios() {
            readyP50.forEach((key, zk) -> {
                if (!key.contains(" zookeeper zk-")) {
                    return;
                }
                final String prefix = key.substring(0, key.indexOf(" zookeeper "));
                final String version = key.substring(key.indexOf(" zookeeper zk-") + " zookeeper zk-".length());
                readyP50.forEach((other, ours) -> {
                    if (other.startsWith(prefix + " ") && !other.contains(" zookeeper ") && !other.contains(" sim ") && ours > 0) {
                        System.out.printf("ratio: n=%s ZooKeeper %s ready p50 %.1f ms / %s ready p50 %.2f ms = %.1fx%n",
                            prefix, version, zk, other.substring(prefix.length() + 1), ours, zk / ours);
                    }
                });
            });
        }

        /** Below this many samples a p99 is only the largest one, and the table says so with a mark. */
        static final int P99_MIN_SAMPLES = 100;

        private boolean hasShortP99;

        /** A p99 from fewer than {@link #P99_MIN_SAMPLES} samples is their max: marked {@code *}, explained below. */
        private String p99(final Metric m) {
            if (m.n() > 0 && m.n() < P99_MIN_SAMPLES) {
                hasShortP99 = true;
                return fmt(m, 0.99) + "*";
            }
            return fmt(m, 0.99);
        }

        /** A median of counts: a whole number as one ({@code 5}, not {@code 5.00}); a median between two as .5. */
        private static String count(final Metric m) {
            if (m.n() == 0) {
                return "-";
            }
            final double v = m.quantile(0.5);
            return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
        }

        private static String fmt(final Metric m, final double q) {
            if (m.n() == 0) {
                return "-";
            }
            final double v = q >= 1.0 ? m.max() : m.quantile(q);
            return v >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
        }

        /** Milliseconds of the samples where the value was reached. */
        private static Metric ms(final CellRunner.CellOutcome o, final ToLongFunction<TrialRunner.Sample> f) {
            final Metric.Builder b = Metric.builder("ms", Better.LOWER);
            for (final TrialRunner.Sample s : o.samples()) {
                final long ns = f.applyAsLong(s);
                if (ns >= 0) {
                    b.add(ns / 1e6);
                }
            }
            return b.build();
        }

        private static Metric count(final CellRunner.CellOutcome o, final ToLongFunction<TrialRunner.Sample> f, final String unit) {
            final Metric.Builder b = Metric.builder(unit, Better.LOWER);
            for (final TrialRunner.Sample s : o.samples()) {
                b.add(f.applyAsLong(s));
            }
            return b.build();
        }
    }

    /**
     * A cell's client-session metrics (docs/loadgen.md, "Failover as clients see it"): per session and trial
     * its disconnected time and read and write unavailability, every successful operation's latency from its
     * intended time, and per trial the failed attempts and expired sessions of all sessions together.
     */
    private static final class ClientMetrics {
        final Metric disconnected;
        final Metric readUnavailable;
        final Metric writeUnavailable;
        final Metric readLatency;
        final Metric writeLatency;
        final Metric connectionLosses;
        final Metric sessionMoves;
        final Metric expired;
        final long connectionLossTotal;
        final long sessionMoveTotal;
        final long expiredTotal;
        final int unrecovered;

        ClientMetrics(final List<ClientTrial> trials) {
            final Metric.Builder disc = Metric.builder("ms", Better.LOWER);
            final Metric.Builder readUn = Metric.builder("ms", Better.LOWER);
            final Metric.Builder writeUn = Metric.builder("ms", Better.LOWER);
            final Metric.Builder readLat = Metric.builder("ms", Better.LOWER);
            final Metric.Builder writeLat = Metric.builder("ms", Better.LOWER);
            final Metric.Builder losses = Metric.builder("errors", Better.LOWER);
            final Metric.Builder moves = Metric.builder("errors", Better.LOWER);
            final Metric.Builder exp = Metric.builder("sessions", Better.LOWER);
            long lossSum = 0;
            long moveSum = 0;
            long expiredSum = 0;
            int notRecovered = 0;
            for (final ClientTrial t : trials) {
                addMs(disc, t.disconnectedNs());
                addMs(readUn, t.readUnavailableNs());
                addMs(writeUn, t.writeUnavailableNs());
                addMs(readLat, t.readLatenciesNs());
                addMs(writeLat, t.writeLatenciesNs());
                losses.add(t.connectionLosses());
                moves.add(t.sessionMoves());
                exp.add(t.expired());
                lossSum += t.connectionLosses();
                moveSum += t.sessionMoves();
                expiredSum += t.expired();
                notRecovered += t.unrecovered();
            }
            this.disconnected = disc.build();
            this.readUnavailable = readUn.build();
            this.writeUnavailable = writeUn.build();
            this.readLatency = readLat.build();
            this.writeLatency = writeLat.build();
            this.connectionLosses = losses.build();
            this.sessionMoves = moves.build();
            this.expired = exp.build();
            this.connectionLossTotal = lossSum;
            this.sessionMoveTotal = moveSum;
            this.expiredTotal = expiredSum;
            this.unrecovered = notRecovered;
        }

        private static void addMs(final Metric.Builder b, final long[] ns) {
            for (final long v : ns) {
                b.add(v / 1e6);
            }
        }

        /** Sessions and their moves exist only for ZooKeeper; our nodes' would always be zero. */
        void addTo(final Cell.Builder cell, final boolean hasSessions) {
            if (disconnected.n() > 0) {
                cell.metric("client_disconnected_ms", disconnected);
            }
            cell.metric("client_read_unavailable_ms", readUnavailable)
                .metric("client_write_unavailable_ms", writeUnavailable)
                .metric("client_read_latency_ms", readLatency).metric("client_write_latency_ms", writeLatency)
                .metric("connection_loss_errors", connectionLosses);
            if (hasSessions) {
                cell.metric("sessions_expired", expired).metric("session_moved_errors", sessionMoves);
            }
        }

        void putJson(final Map<String, Object> m, final boolean hasSessions) {
            final String[] names = {"client_disconnected", "client_read_unavailable", "client_write_unavailable",
                "client_read_latency", "client_write_latency"};
            final Metric[] metrics = {disconnected, readUnavailable, writeUnavailable, readLatency, writeLatency};
            for (int i = 0; i < names.length; i++) {
                m.put(names[i] + "_p50_ms", WriteMetrics.orNull(metrics[i], 0.5));
                m.put(names[i] + "_p99_ms", WriteMetrics.orNull(metrics[i], 0.99));
                m.put(names[i] + "_max_ms", WriteMetrics.orNull(metrics[i], 1.0));
            }
            m.put("connection_loss_errors", connectionLossTotal);
            if (hasSessions) {
                m.put("sessions_expired", expiredTotal);
                m.put("session_moved_errors", sessionMoveTotal);
            }
            m.put("client_sessions_unrecovered", unrecovered);
        }
    }

    /**
     * A cell's write and sync metrics (docs/loadgen.md, "Writes"): every committed write's latency,
     * one unavailability per measured election, committed and unknown counts per trial, and the sync
     * rates of the trials in which a follower synced data (none for the others).
     */
    private static final class WriteMetrics {
        final Metric latency;
        final Metric unavailability;
        final Metric committed;
        final Metric unknown;
        final Metric syncTxnsPerS;
        final Metric syncBytesPerS;
        final Metric syncMs;
        final long committedTotal;
        final long unknownTotal;

        WriteMetrics(final CellRunner.CellOutcome o) {
            final Metric.Builder lat = Metric.builder("ms", Better.LOWER);
            final Metric.Builder com = Metric.builder("writes", Better.HIGHER);
            final Metric.Builder unk = Metric.builder("writes", Better.LOWER);
            long committedSum = 0;
            long unknownSum = 0;
            for (final TrialWrites w : o.writes()) {
                for (final long ns : w.latenciesNs()) {
                    lat.add(ns / 1e6);
                }
                com.add(w.committed());
                unk.add(w.unknown());
                committedSum += w.committed();
                unknownSum += w.unknown();
            }
            final Metric.Builder unavail = Metric.builder("ms", Better.LOWER);
            for (final TrialRunner.Sample s : o.samples()) {
                if (s.writeUnavailabilityNs() >= 0) {
                    unavail.add(s.writeUnavailabilityNs() / 1e6);
                }
            }
            final Metric.Builder txns = Metric.builder("txns/s", Better.HIGHER);
            final Metric.Builder bytes = Metric.builder("bytes/s", Better.HIGHER);
            final Metric.Builder span = Metric.builder("ms", Better.LOWER);
            for (final SyncSummary sync : o.syncs()) {
                txns.add(sync.txnsPerS());
                bytes.add(sync.bytesPerS());
                span.add(sync.spanNs() / 1e6);
            }
            this.latency = lat.build();
            this.unavailability = unavail.build();
            this.committed = com.build();
            this.unknown = unk.build();
            this.syncTxnsPerS = txns.build();
            this.syncBytesPerS = bytes.build();
            this.syncMs = span.build();
            this.committedTotal = committedSum;
            this.unknownTotal = unknownSum;
        }

        void addTo(final Cell.Builder cell) {
            cell.metric("write_latency_ms", latency).metric("write_unavailability_ms", unavailability)
                .metric("writes_committed", committed).metric("writes_unknown", unknown);
            if (syncTxnsPerS.n() > 0) {
                cell.metric("sync_txns_per_s", syncTxnsPerS).metric("sync_bytes_per_s", syncBytesPerS).metric("sync_ms", syncMs);
            }
        }

        void putJson(final Map<String, Object> m) {
            m.put("write_latency_p50_ms", orNull(latency, 0.5));
            m.put("write_latency_p90_ms", orNull(latency, 0.9));
            m.put("write_latency_p99_ms", orNull(latency, 0.99));
            m.put("write_latency_p999_ms", orNull(latency, 0.999));
            m.put("write_latency_max_ms", orNull(latency, 1.0));
            m.put("write_unavailability_p50_ms", orNull(unavailability, 0.5));
            m.put("write_unavailability_max_ms", orNull(unavailability, 1.0));
            m.put("writes_committed", committedTotal);
            m.put("writes_unknown", unknownTotal);
            m.put("sync_txns_per_s_p50", orNull(syncTxnsPerS, 0.5));
            m.put("sync_bytes_per_s_p50", orNull(syncBytesPerS, 0.5));
            m.put("sync_ms_p50", orNull(syncMs, 0.5));
        }

        private static Double orNull(final Metric m, final double q) {
            return m.n() == 0 ? null : m.quantile(q);
        }
    }
}
