package io.electionbench.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.hosts.Inventory;
import io.electionbench.loadgen.run.ClientLoad;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.TargetKind;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;

/**
 * What one {@code electionbench run} measures, validated: the targets, sizes, patterns, policies and ways
 * of observing that make its cells, the trials of each, the load during them, the child JVMs and the
 * ZooKeeper releases, remote nodes or hosts it runs on. {@link RunCommand} builds it from its options;
 * {@link RunExecutor} runs its {@link #groups() cell groups} in order. Nothing here is checked again or
 * changes once built. docs/loadgen.md describes the options, docs/architecture.md this split.
 */
record RunPlan(List<TargetKind> targets, List<Integer> sizes, List<Pattern> patterns, List<ElectionPolicy> policies,
    List<Boolean> pollModes, NodeTiming timing, FsyncPolicy fsync, long seed, Trials trials, Load load, Jvms jvms,
    ZooKeepers zookeepers, Remote remote, Hosts hosts, boolean isVerbose, boolean isJson) {

    /**
     * Measured trials of one ZooKeeper release per round when a run compares several: each round runs
     * them release after release, one ensemble at a time, so drift of the machine falls on all alike.
     */
    static final int ZOOKEEPER_ROUND_TRIALS = 3;

    /** A simulated cell's weight in the run's progress: its trials take virtual time, the cell a second or so. */
    static final int SIM_CELL_UNITS = 1;

    RunPlan {
        targets = List.copyOf(targets);
        sizes = List.copyOf(sizes);
        patterns = List.copyOf(patterns);
        policies = List.copyOf(policies);
        pollModes = List.copyOf(pollModes);
    }

    /** Trials per cell, and how long each may take. */
    record Trials(int measured, int simulated, int warmup, int timeoutS, long settleMs) {
        /**
         * Measured trials of one cell of {@code kind}: {@code --sim-trials} on the simulator, else {@code --trials}.
         */
        int measuredOn(final TargetKind kind) {
            return kind.isSimulated() ? simulated : measured;
        }
    }

    /** The load during every trial, and the data loaded before each cell's first. */
    record Load(double writeRate, ClientLoad clients, List<Long> preloads, int valueBytes) {
        Load {
            preloads = List.copyOf(preloads);
        }

        boolean isWriting() {
            return writeRate > 0;
        }
    }

    /**
     * The child JVMs: each node's heap, each ZooKeeper server's, the flags of both, and whether the process
     * target's nodes start from a class-data archive.
     */
    record Jvms(String heap, String zookeeperHeap, String flags, boolean isNodeClassArchive) {
    }

    /** The releases the zookeeper target runs (none without it), and the knob variants each runs with. */
    record ZooKeepers(List<ZooKeeperDistribution> releases, List<ZooKeeperVariant> knobs) {
        ZooKeepers {
            releases = List.copyOf(releases);
            knobs = List.copyOf(knobs);
        }
    }

    /** The running nodes {@code --remote-config} names: their size, policy and fsync; all absent without it. */
    record Remote(Path config, int size, ElectionPolicy policy, FsyncPolicy fsync) {
    }

    /** The {@code --hosts} inventory and the ZooKeeper release it names; both null without the hosts target. */
    record Hosts(Inventory inventory, ZooKeeperDistribution zookeeper) {
        int size() {
            return inventory == null ? 0 : inventory.size();
        }
    }

    /**
     * A cell's policy: one of ours, or a ZooKeeper release (whose own election runs, whatever --policy says);
     * for our real nodes also how they are observed (--observe poll: a param of the cell, observe=poll).
     */
    record Variant(ElectionPolicy policy, ZooKeeperDistribution zookeeper, ZooKeeperVariant knobs, boolean isPolled) {
        String name() {
            return zookeeper != null ? knobs.policyName(zookeeper) : policy.name();
        }

        String label() {
            return name() + (isPolled ? " observe=poll" : "");
        }
    }

    /**
     * Cells of one target, size, preload and pattern that run together: one cell, or the cells of several
     * ZooKeeper releases and knob variants measured in interleaved rounds of {@link #ZOOKEEPER_ROUND_TRIALS}.
     */
    record CellGroup(TargetKind kind, int size, long preload, Pattern pattern, List<Variant> variants) {
        boolean isInterleaved() {
            return variants.size() > 1;
        }
    }

    /**
     * The ensemble sizes of {@code kind}'s cells: remote nodes and hosts are as many as their config or
     * inventory lists; the others are built at each of {@code --sizes}.
     */
    List<Integer> sizesFor(final TargetKind kind) {
        return switch (kind.sizing()) {
            case OPTION -> sizes;
            case REMOTE_CONFIG -> List.of(remote.size());
            case INVENTORY -> List.of(hosts.size());
        };
    }

    /** Our policies (remote nodes: their config's); or every ZooKeeper release with every knob variant. */
    List<Variant> variants(final TargetKind kind) {
        if (kind == TargetKind.HOSTS && hosts.zookeeper() != null) {
            return List.of(new Variant(policies.get(0), hosts.zookeeper(), ZooKeeperVariant.NONE, false));
        }
        if (kind.runsZooKeeperReleases()) {
            final List<Variant> out = new ArrayList<>();
            for (final ZooKeeperDistribution zk : zookeepers.releases()) {
                for (final ZooKeeperVariant knobs : zookeepers.knobs()) {
                    out.add(new Variant(policies.get(0), zk, knobs, false));
                }
            }
            return out;
        }
        final List<Boolean> polled = kind.canChooseObservation() ? pollModes
            : List.of(kind.observation() == TargetKind.Observation.POLL);
        final List<ElectionPolicy> ps = kind.sizing() == TargetKind.Sizing.REMOTE_CONFIG
            ? List.of(remote.policy()) : policies;
        final List<Variant> out = new ArrayList<>();
        for (final ElectionPolicy p : ps) {
            for (final boolean isPolled : polled) {
                out.add(new Variant(p, null, null, isPolled));
            }
        }
        return out;
    }

    /**
     * Every group of cells, in the order they run: per target, per variant, size, preload and pattern; the
     * ZooKeeper releases of one size, preload and pattern together, when there are several.
     */
    List<CellGroup> groups() {
        final List<CellGroup> out = new ArrayList<>();
        for (final TargetKind kind : targets) {
            final List<Variant> variants = variants(kind);
            if (kind.runsZooKeeperReleases() && variants.size() > 1) {
                addGroups(out, kind, variants);
                continue;
            }
            for (final Variant v : variants) {
                addGroups(out, kind, List.of(v));
            }
        }
        return out;
    }

    private void addGroups(final List<CellGroup> out, final TargetKind kind, final List<Variant> variants) {
        for (final int size : sizesFor(kind)) {
            for (final long data : load.preloads()) {
                for (final Pattern pattern : patterns) {
                    out.add(new CellGroup(kind, size, data, pattern, variants));
                }
            }
        }
    }

    /** The cells of the run. */
    int cellCount() {
        return groups().stream().mapToInt(g -> g.variants().size()).sum();
    }

    /**
     * The run's work in units, its progress and ETA: a trial (warm-up included) of a real target, or a whole
     * simulated cell ({@link #SIM_CELL_UNITS}).
     */
    long units() {
        long n = 0;
        for (final CellGroup g : groups()) {
            n += g.isInterleaved() ? interleavedUnits(g.variants().size())
                : g.kind().isSimulated() ? SIM_CELL_UNITS : trials.warmup() + trials.measured();
        }
        return n;
    }

    /** Rounds of an interleaved group: {@link #ZOOKEEPER_ROUND_TRIALS} measured trials of each cell per round. */
    int rounds() {
        return (trials.measured() + ZOOKEEPER_ROUND_TRIALS - 1) / ZOOKEEPER_ROUND_TRIALS;
    }

    /** Trials of one group of interleaved ZooKeeper cells: a full warm-up in the first round, one in each later. */
    long interleavedUnits(final int variantCount) {
        return (long)variantCount * (trials.measured() + trials.warmup()
            + (rounds() - 1L) * Math.min(trials.warmup(), 1));
    }

    /** The fsync policy each target's servers actually ran with. */
    Map<String, String> fsyncByTarget() {
        final Map<String, String> out = new LinkedHashMap<>();
        final String ours = fsync.name().toLowerCase(Locale.ROOT);
        for (final TargetKind t : targets) {
            out.put(t.cliName(), switch (t) {
                case SIM -> "n/a (in-memory log)";
                case ZOOKEEPER -> zookeeperForceSync();
                case HOSTS -> hosts.zookeeper() != null ? zookeeperForceSync() : ours;
                case REMOTE -> remote.fsync() == null ? "unknown"
                    : remote.fsync().name().toLowerCase(Locale.ROOT) + " (from --remote-config)";
                case INPROC, PROCESS -> ours;
            });
        }
        return out;
    }

    /** ZooKeeper's forceSync: its default, or what the knobs of each variant that sets it say. */
    private String zookeeperForceSync() {
        final StringBuilder sb = new StringBuilder();
        for (final ZooKeeperVariant v : zookeepers.knobs()) {
            final String set = v.knobs().getOrDefault("forceSync", v.knobs().get("zookeeper.forceSync"));
            if (set != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(v.name().isEmpty() ? "every cell" : v.name())
                    .append(": forceSync=").append(set);
            }
        }
        return sb.length() == 0 ? "forceSync=yes (ZooKeeper's default)"
            : sb + " (else forceSync=yes, ZooKeeper's default)";
    }

    /** The run file's config: every choice that shaped the cells, with the ZooKeeper releases and cells. */
    Map<String, Object> config(final String observe) {
        final Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", "run");
        c.put("targets", targets.stream().map(TargetKind::cliName).toList());
        c.put("sizes", sizes);
        c.put("patterns", patterns.stream().map(Pattern::flag).toList());
        c.put("policies", policies.stream().map(ElectionPolicy::name).toList());
        c.put("trials", trials.measured());
        c.put("sim_trials", trials.simulated());
        c.put("warmup", trials.warmup());
        c.put("tickTime", timing.tickTimeMs());
        c.put("initLimit", timing.initLimit());
        c.put("syncLimit", timing.syncLimit());
        c.put("timeout_s", trials.timeoutS());
        c.put("settle_ms", trials.settleMs());
        c.put("heap", jvms.heap());
        c.put("jvm_flags", jvms.flags());
        c.put("node_class_archive", jvms.isNodeClassArchive());
        c.put("seed", seed);
        c.put("write_rate_per_s", load.writeRate());
        c.put("write_bytes", load.isWriting() ? 128 : 0);
        c.put("fsync", fsync.name().toLowerCase(Locale.ROOT));
        c.put("fsync_by_target", fsyncByTarget());
        c.put("preload", load.preloads());
        c.put("clients", load.clients().sessions());
        c.put("session_timeout_ms", load.clients().sessionTimeoutMs());
        c.put("client_rate_per_s", load.clients().ratePerS());
        c.put("value_bytes", load.valueBytes());
        c.put("observe", observe);
        if (targets.contains(TargetKind.ZOOKEEPER)) {
            c.put("zookeeper_heap", jvms.zookeeperHeap());
        }
        if (!zookeepers.releases().isEmpty()) {
            putZooKeepers(c);
        }
        return c;
    }

    private void putZooKeepers(final Map<String, Object> c) {
        final List<Map<String, Object>> releases = new ArrayList<>();
        for (final ZooKeeperDistribution zk : zookeepers.releases()) {
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("policy", zk.policyName());
            r.put("version", zk.version());
            r.put("origin", zk.origin());
            r.put("jars", zk.jars().stream().map(p -> p.getFileName().toString()).toList());
            releases.add(r);
        }
        c.put("zookeeper", releases);
        final List<Map<String, Object>> zkCells = new ArrayList<>();
        for (final Variant v : variants(TargetKind.ZOOKEEPER)) {
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
        c.put("zookeeper_round_trials", zkCells.size() > 1 ? ZOOKEEPER_ROUND_TRIALS : trials.measured());
    }
}
