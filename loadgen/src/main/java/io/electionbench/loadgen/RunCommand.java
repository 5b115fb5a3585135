package io.electionbench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.hosts.Inventory;
import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.ChildJvms;
import io.electionbench.loadgen.run.ClientLoad;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.TargetKind;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperHome;
import io.electionbench.loadgen.zookeeper.ZooKeeperReleases;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;
import io.electionbench.loadgen.zookeeper.ZooKeeperVersionException;
import io.electionbench.results.RunWriter;
import io.electionbench.transport.node.ConfigException;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code electionbench run}: the load test over targets x sizes x patterns x policies. This class is its
 * options and their checks: {@link #plan()} turns them into a {@link RunPlan}, which {@link RunExecutor} runs
 * cell by cell and {@link RunSummary} reports. docs/loadgen.md describes the options.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Measure detection, time-to-leader and time-to-ready across targets, ensemble sizes and crash patterns.",
        "With no options: leader-crash and cold-start on 3 and 5 node-processes and on the simulator (a few minutes).",
        "Results go to results/runs/<commit>/ (see docs/results.md); exit 1 if any safety check failed or a trial"
        + " never recovered.",
        "",
        "Patterns:"},
    footer = {"%nTargets: sim (deterministic simulator, virtual time), inproc (nodes in this JVM over loopback),",
        "process (one JVM per node, real kill -9 and SIGSTOP), zookeeper (Apache ZooKeeper servers of each --zookeeper",
        "release or --zookeeper-home install, one JVM each, watched through srvr; one cell policy zk-VERSION"
        + " each), remote (running electionbench nodes named by --remote-config, driven through their admin",
        "endpoints; a crashed node must be restarted by its supervisor), hosts (our nodes or a ZooKeeper release"
        + " installed,",
        "started and hurt over SSH on the servers of a --hosts inventory; partitions by the hosts' own firewalls)."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--target", paramLabel = "T,T",
        description = "sim, inproc, process, zookeeper, remote, hosts (default: ${DEFAULT-VALUE}).",
        defaultValue = "process,sim")
    String targets;

    @Option(names = "--sizes", paramLabel = "N,N", description = "Ensemble sizes (default: ${DEFAULT-VALUE}).",
        defaultValue = "3,5")
    String sizes;

    @Option(names = "--patterns", paramLabel = "P,P",
        description = "Crash patterns, or 'all' (default: ${DEFAULT-VALUE}).", defaultValue = "leader-crash,cold-start")
    String patterns;

    @Option(names = "--trials", paramLabel = "N",
        description = "Measured trials per cell on real targets (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int trials;

    @Option(names = "--sim-trials", paramLabel = "N",
        description = "Measured trials per cell on the simulator (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int simTrials;

    @Option(names = "--warmup", paramLabel = "N",
        description = "Unmeasured trials first, per cell (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int warmup;

    @Option(names = "--policy", paramLabel = "P", description = "fast, zookeeper or all (default: ${DEFAULT-VALUE}).",
        defaultValue = "fast")
    String policy;

    @Option(names = "--zookeeper", paramLabel = "V,V", description = "For --target zookeeper: Apache ZooKeeper releases"
        + " (3.8.0 or later), each its own cell policy zk-V, resolved with their dependencies from Maven Central or the"
        + " mirror in ~/.m2/settings.xml at run time, and cached in the local repository (default: "
        + ZooKeeperReleases.DEFAULT_VERSION + ", unless --zookeeper-home is given). Several are measured in interleaved"
        + " rounds of " + RunPlan.ZOOKEEPER_ROUND_TRIALS + " trials.")
    String zookeeperVersions;

    @Option(names = "--zookeeper-home", paramLabel = "DIR,DIR", description = "For --target zookeeper: unpacked"
        + " apache-zookeeper-X-bin distributions (their lib/*.jar); each is a cell policy named by the version its"
        + " jars hold.")
    String zookeeperHomes;

    @Option(names = "--zk-config", paramLabel = "KEY=VALUE", description = "For --target zookeeper: a knob for every"
        + " server (repeatable): into zoo.cfg, or as -Dzookeeper.KEY=VALUE for the keys ZooKeeper reads as system"
        + " properties (cnxTimeout, fastleader.*, forceSync, ...). tickTime, initLimit and syncLimit also set the"
        + " cell's timing.")
    List<String> zookeeperConfig = new ArrayList<>();

    @Option(names = "--zk-variants", paramLabel = "NAME:K=V[;K=V],...", description = "For --target zookeeper: named"
        + " sets of knobs, each its own cell policy zk-VERSION+NAME (for example base:,cnx500:cnxTimeout=500), measured"
        + " in interleaved rounds with every release; --zk-config applies to all of them.")
    String zookeeperVariants;

    @Option(names = "--preload", paramLabel = "N,N", defaultValue = "0",
        description = "Values loaded before each cell's"
        + " first trial, a matrix dimension (default: ${DEFAULT-VALUE}): znodes created through ZooKeeper's client, or"
        + " txns through our write client, until every server holds them; each N > 0 is a cell param preload=N.")
    String preload;

    @Option(names = "--observe", paramLabel = "events|poll", defaultValue = "events", description = "How our real"
        + " nodes are timed, a matrix dimension (default: ${DEFAULT-VALUE}): events, their own event streams stamped"
        + " by the node; poll, GET /state of each node in turn about once a millisecond, stamped by the load"
        + " generator, exactly as the zookeeper target times ZooKeeper with srvr; 'events,poll' runs both.")
    String observe;

    @Option(names = "--value-bytes", paramLabel = "B", defaultValue = "0", description = "Bytes of each preloaded"
        + " value (default: ${DEFAULT-VALUE}; at most 16384, our nodes' largest write).")
    int valueBytes;

    @Option(names = "--write-rate", paramLabel = "R", defaultValue = "0",
        description = "Open-loop writes per second during every"
        + " trial (default: none). Each 128-byte write is due at start + i/R and sent then, whatever"
        + " earlier writes did; its latency counts from that intended time (coordinated omission corrected). Adds"
        + " write_latency_ms, write_unavailability_ms, writes_committed, writes_unknown and, when a follower"
        + " synced data, sync_txns_per_s, sync_bytes_per_s and sync_ms. Every acknowledged write must then be in"
        + " the leader's history: exit 1 if one is lost.")
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

    @Option(names = "--fsync", paramLabel = "P", defaultValue = "batch", description = "The txn log's fsync policy"
        + " of the nodes run starts (inproc, process): always, batch or never (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--tick-time", paramLabel = "MS",
        description = "tickTime in ms (default: ${DEFAULT-VALUE}, ZooKeeper's sample config).", defaultValue = "2000")
    int tickTimeMs;

    @Option(names = "--init-limit", paramLabel = "TICKS", defaultValue = "10",
        description = "initLimit (default: ${DEFAULT-VALUE}).")
    int initLimit;

    @Option(names = "--sync-limit", paramLabel = "TICKS", defaultValue = "5",
        description = "syncLimit (default: ${DEFAULT-VALUE}).")
    int syncLimit;

    @Option(names = "--timeout", paramLabel = "S",
        description = "Seconds a trial may take to recover (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    int timeoutS;

    @Option(names = "--remote-config", paramLabel = "FILE", description = "For --target remote: the running nodes'"
        + " zoo.cfg (with admin.N=host:port for each server); --sizes is ignored.")
    Path remoteConfig;

    @Option(names = "--hosts", paramLabel = "FILE",
        description = "For --target hosts: the inventory of its servers (docs/loadgen.md,"
        + " \"Running on your own machines\"); --sizes is ignored.")
    Path hostsFile;

    @Option(names = "--settle", paramLabel = "MS", defaultValue = "1000", description = "Quiet time on a stable"
        + " ensemble before each trial's fault, so a server the previous trial restarted has finished starting its"
        + " JVM (default: ${DEFAULT-VALUE}; the sim target's is virtual).")
    long settleMs;

    @Option(names = "--heap", paramLabel = "SIZE",
        description = "Heap of each node process (default: ${DEFAULT-VALUE}).", defaultValue = "64m")
    String heap;

    @Option(names = "--zk-heap", paramLabel = "SIZE", defaultValue = "128m",
        description = "Heap of each ZooKeeper server"
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

    @Option(names = "--seed", paramLabel = "S", description = "Simulator seed (default: ${DEFAULT-VALUE}).",
        defaultValue = "1")
    long seed;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--verbose", description = "Print every trial's outcome and event timeline on stderr.")
    boolean isVerbose;

    @Option(names = "--json", description = "Print one JSON object per cell, one per line; no progress or table.")
    boolean isJson;

    @Override
    public Integer call() throws Exception {
        final RunPlan plan;
        try {
            plan = plan();
        } catch (final ZooKeeperVersionException | IllegalArgumentException ex) {
            return Cli.fail("run", ex.getMessage());
        }
        final Path root = store.root();
        final RunWriter writer = store.open(plan.config(observe));
        return new RunExecutor(plan, writer).run(root);
    }

    /**
     * The run these options ask for, checked: every bad option fails here with a message naming it, before
     * any server starts. Resolves the ZooKeeper releases (a download, the first time) and tries the child
     * JVMs' flags once.
     */
    RunPlan plan() throws ZooKeeperVersionException {
        final ClientLoad clientLoad = new ClientLoad(clients, sessionTimeoutMs, clientRate);
        if (!(writeRate >= 0) || writeRate > MAX_WRITE_RATE) {
            throw new IllegalArgumentException("--write-rate " + writeRate + " is not in 0.." + MAX_WRITE_RATE
                + " writes per second");
        }
        final FsyncPolicy fsyncPolicy = fsyncPolicy();
        atLeast("--trials", trials, 1);
        atLeast("--sim-trials", simTrials, 1);
        atLeast("--warmup", warmup, 0);
        atLeast("--timeout", timeoutS, 1);
        atLeast("--settle", settleMs, 0);
        Cli.bytes(heap, "--heap");
        Inventory inventory = null;
        final List<TargetKind> kinds = new ArrayList<>();
        for (final String t : targets.split(",")) {
            final TargetKind kind = TargetKind.parse(t);
            if (kind.sizing() == TargetKind.Sizing.INVENTORY) {
                inventory = hostsInventory();
            }
            if (kind.sizing() == TargetKind.Sizing.REMOTE_CONFIG) {
                checkRemoteConfig();
            }
            kinds.add(kind);
        }
        final List<Pattern> ps = patterns();
        final List<ElectionPolicy> pol = policy.equalsIgnoreCase("all")
            ? List.of(ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER) : List.of(ElectionPolicy.byName(policy));
        final RunPlan.Remote remote = remote();
        if (valueBytes < 0 || valueBytes > MemberAgent.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("--value-bytes " + valueBytes + " is not in 0.."
                + MemberAgent.MAX_WRITE_BYTES + " (our nodes' largest write)");
        }
        final List<Long> preloads = Cli.intList(preload, "--preload", 0, MAX_PRELOAD).stream()
            .map(Integer::longValue).toList();
        final List<Boolean> pollModes = pollModes();
        final boolean hasZooKeeper = kinds.stream().anyMatch(TargetKind::runsZooKeeperReleases);
        if (hasZooKeeper) {
            checkZooKeeperHeap(preloads.stream().mapToLong(Long::longValue).max().orElse(0));
        }
        final List<Integer> ns = Cli.intList(sizes, "ensemble size", 1, 15);
        final RunPlan.ZooKeepers zks = zookeepers(hasZooKeeper);
        final RunPlan.Hosts hosts = new RunPlan.Hosts(inventory, hostsZooKeeper(inventory));
        if (jvmFlags == null) {
            jvmFlags = CellRunner.DEFAULT_CHILD_JVM_FLAGS;
        }
        // Set before the check below, which starts a JVM with them; every child JVM of the run gets them.
        CellRunner.childJvmFlags(jvmFlags);
        CellRunner.nodeClassArchive(isNodeClassArchive);
        checkJvmFlags(kinds);
        return new RunPlan(kinds, ns, ps, pol, pollModes, new NodeTiming(tickTimeMs, initLimit, syncLimit),
            fsyncPolicy, seed, new RunPlan.Trials(trials, simTrials, warmup, timeoutS, settleMs),
            new RunPlan.Load(writeRate, clientLoad, preloads, valueBytes),
            new RunPlan.Jvms(heap, zookeeperHeap, jvmFlags, isNodeClassArchive), zks, remote, hosts, isVerbose, isJson);
    }

    private FsyncPolicy fsyncPolicy() {
        try {
            return FsyncPolicy.valueOf(fsync.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("--fsync '" + fsync + "' is not always, batch or never", ex);
        }
    }

    private List<Pattern> patterns() {
        if (patterns.trim().equalsIgnoreCase("all")) {
            return List.of(Pattern.values());
        }
        final List<Pattern> ps = new ArrayList<>();
        for (final String p : patterns.split(",")) {
            ps.add(Pattern.parse(p));
        }
        return ps;
    }

    /** --observe: whether each way of timing our real nodes polls, in the order given, each once. */
    private List<Boolean> pollModes() {
        final List<Boolean> modes = new ArrayList<>();
        for (final String mode : Cli.stringList(observe, "--observe")) {
            if (!mode.equals("events") && !mode.equals("poll")) {
                throw new IllegalArgumentException("--observe '" + mode + "' is not events or poll");
            }
            if (!modes.contains(mode.equals("poll"))) {
                modes.add(mode.equals("poll"));
            }
        }
        return modes;
    }

    private void checkRemoteConfig() {
        if (remoteConfig == null) {
            throw new IllegalArgumentException("the remote target needs --remote-config FILE (the nodes' zoo.cfg"
                + " with an admin.N=host:port line per server)");
        }
        if (!Files.isRegularFile(remoteConfig)) {
            throw new IllegalArgumentException("--remote-config " + remoteConfig + ": no such file");
        }
    }

    /** The nodes --remote-config lists, whatever the targets: their size, policy and fsync. */
    private RunPlan.Remote remote() {
        if (remoteConfig == null) {
            return new RunPlan.Remote(null, 0, ElectionPolicy.defaultPolicy(), null);
        }
        try {
            final NodeConfig remote = NodeConfigParser.parse(remoteConfig);
            return new RunPlan.Remote(remoteConfig, remote.ensemble().size(), remote.policy(), remote.fsync());
        } catch (final ConfigException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    /** The knob variants of --zk-variants, each with --zk-config; or one unnamed variant of --zk-config alone. */
    private List<ZooKeeperVariant> zookeeperKnobs() {
        final Map<String, String> common = ZooKeeperVariant.parseConfig(zookeeperConfig, "--zk-config");
        return zookeeperVariants == null ? List.of(new ZooKeeperVariant("", common))
            : ZooKeeperVariant.parseVariants(zookeeperVariants, common);
    }

    /**
     * The ZooKeeper releases the zookeeper target runs, resolved (or read from their installs) before any
     * server starts, with the knob variants; no releases when no zookeeper target is asked for.
     */
    private RunPlan.ZooKeepers zookeepers(final boolean hasZooKeeper) throws ZooKeeperVersionException {
        if (!hasZooKeeper) {
            final String misplaced = zookeeperVersions != null ? "--zookeeper"
                : zookeeperHomes != null ? "--zookeeper-home"
                : !zookeeperConfig.isEmpty() ? "--zk-config" : zookeeperVariants != null ? "--zk-variants" : null;
            if (misplaced != null) {
                throw new IllegalArgumentException(misplaced + " applies to --target zookeeper only");
            }
            return new RunPlan.ZooKeepers(List.of(), zookeeperKnobs());
        }
        final List<ZooKeeperVariant> knobs = zookeeperKnobs();
        for (final ZooKeeperVariant k : knobs) {
            k.timing("tickTime", tickTimeMs);
            k.timing("initLimit", initLimit);
            k.timing("syncLimit", syncLimit);
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
                throw new IllegalArgumentException("ZooKeeper " + zk.version() + " is named twice (" + twin.origin()
                    + " and " + zk.origin() + "): each release is one cell policy, zk-" + zk.version());
            }
        }
        return new RunPlan.ZooKeepers(out, knobs);
    }

    /** The --hosts inventory, read and checked; its ZooKeeper release is resolved later, with the others. */
    private Inventory hostsInventory() {
        if (hostsFile == null) {
            throw new IllegalArgumentException("the hosts target needs --hosts FILE (the inventory of its servers)");
        }
        if (!Files.isRegularFile(hostsFile)) {
            throw new IllegalArgumentException("--hosts " + hostsFile + ": no such file");
        }
        try {
            return Inventory.parse(hostsFile);
        } catch (final IOException ex) {
            throw new IllegalArgumentException("--hosts " + hostsFile + ": " + ex.getMessage(), ex);
        }
    }

    /** The release a ZooKeeper inventory names, resolved like --zookeeper's; null for our nodes or no hosts target. */
    private static ZooKeeperDistribution hostsZooKeeper(final Inventory inventory) throws ZooKeeperVersionException {
        if (inventory == null || !inventory.runs().isZooKeeper()) {
            return null;
        }
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            return releases.resolve(inventory.runs().version());
        }
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
            throw new IllegalArgumentException(String.format("--preload %d of %d bytes needs about %d MiB of"
                + " ZooKeeper heap (twice the data); --zk-heap %s is %d MiB: give --zk-heap %dm or more", mostValues,
                valueBytes, 2 * need >> 20, zookeeperHeap, heapBytes >> 20, (2 * need >> 20) + 64));
        }
    }

    /** Heap one znode of ZooKeeper's DataTree takes beyond its value: path, DataNode, StatPersisted, map entry. */
    static final int ZNODE_OVERHEAD_BYTES = 200;

    /** Child JVMs start with --heap (nodes) or --zk-heap (ZooKeeper) and --jvm-flags: tried once up front. */
    private void checkJvmFlags(final List<TargetKind> kinds) {
        if (kinds.stream().anyMatch(TargetKind::startsNodeJvms)) {
            final String refused = ChildJvms.check(heap);
            if (refused != null) {
                throw new IllegalArgumentException("--heap/--jvm-flags: " + refused);
            }
        }
        if (kinds.stream().anyMatch(TargetKind::startsZooKeeperJvms)) {
            final String refused = ChildJvms.check(zookeeperHeap);
            if (refused != null) {
                throw new IllegalArgumentException("--zk-heap/--jvm-flags: " + refused);
            }
        }
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
}
