package io.electionbench.loadgen.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.loadgen.write.WriteDriver;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;
import io.electionbench.results.HostClock;

/** Runs one cell of the matrix (target, size, pattern, policy): a fresh ensemble, warm-up trials, measured trials. */
public final class CellRunner {
    private final TargetKind kind;
    private final int size;
    private final Pattern pattern;
    private final ElectionPolicy policy;
    private NodeTiming timing;
    private final long seed;
    private final String heap;
    private String zookeeperHeap = "128m";
    private final Path workDir;
    private java.io.PrintStream log;
    private long settleNs;
    private Path remoteConfig;
    private long timeoutMs = 60_000;
    private double writeRate;
    private java.util.concurrent.Callable<Target> targetFactory;
    private FsyncPolicy fsync = FsyncPolicy.BATCH;
    private ZooKeeperDistribution zookeeper;
    private ZooKeeperVariant zookeeperVariant = ZooKeeperVariant.NONE;
    private long preloadCount;
    private ClientLoad clientLoad = ClientLoad.NONE;
    private int preloadValueBytes;

    /** JVM flags for node and ZooKeeper processes (after the heap). */
    public static void childJvmFlags(final String flags) {
        ChildJvms.flags(flags);
    }

    /** Whether the process target's nodes start with a {@link NodeClassArchive} (on unless told off). */
    public static void nodeClassArchive(final boolean enabled) {
        NodeClassArchive.enabled(enabled);
    }

    /** The config of the nodes the remote target drives. */
    public CellRunner remoteConfig(final Path file) {
        this.remoteConfig = file;
        return this;
    }

    private io.electionbench.loadgen.hosts.Inventory hosts;

    /** The servers the hosts target runs on ({@code --hosts}). */
    public CellRunner hosts(final io.electionbench.loadgen.hosts.Inventory inventory) {
        this.hosts = inventory;
        return this;
    }

    /** Open-loop writes at {@code ratePerS} a second during every trial (0: none). */
    public CellRunner writeRate(final double ratePerS) {
        this.writeRate = ratePerS;
        return this;
    }

    /** Builds the cell's target with {@code factory} instead of by name (tests). */
    CellRunner targetFactory(final java.util.concurrent.Callable<Target> factory) {
        this.targetFactory = factory;
        return this;
    }

    /** The txn log's fsync policy of the nodes this cell starts (inproc and process targets). */
    public CellRunner fsync(final FsyncPolicy policy) {
        this.fsync = policy;
        return this;
    }

    /** The ZooKeeper release the zookeeper target runs, with a variant's knobs (tickTime and limits included). */
    public CellRunner zookeeper(final ZooKeeperDistribution distribution, final ZooKeeperVariant variant,
        final String heap) {
        this.zookeeper = distribution;
        this.zookeeperHeap = heap;
        this.zookeeperVariant = variant;
        if (distribution != null) {
            this.timing = new NodeTiming(variant.timing("tickTime", timing.tickTimeMs()),
                variant.timing("initLimit", timing.initLimit()), variant.timing("syncLimit", timing.syncLimit()));
        }
        return this;
    }

    /** Client sessions through every trial, where the target has them ({@link Target#clients}). */
    public CellRunner clients(final ClientLoad load) {
        this.clientLoad = load;
        return this;
    }

    /** Values loaded into the ensemble once it is stable, before the first trial ({@link Target#preload}). */
    public CellRunner preload(final long count, final int valueBytes) {
        this.preloadCount = count;
        this.preloadValueBytes = valueBytes;
        return this;
    }

    private boolean isPolled;

    /** Times our real nodes by polling GET /state instead of their event streams ({@code --observe poll}). */
    public CellRunner observeByPolling(final boolean polled) {
        this.isPolled = polled;
        return this;
    }

    /** Quiet time on a stable ensemble before each trial's fault ({@link TrialRunner#settle}). */
    public CellRunner settle(final long ns) {
        this.settleNs = ns;
        return this;
    }

    /**
     * What a cell measured: one sample per measured election, failures and safety violations; with
     * {@code --clients}, each measured trial's {@link ClientTrial}; with
     * writes, each measured trial's {@link TrialWrites}; each measured trial's syncs that moved data
     * ({@link SyncSummary}; trials without any are left out); and what the servers reported about
     * themselves in each measured trial ({@link Target#drainReports}; trials with nothing left out); with
     * {@code --preload}, how long each ensemble took to load and hold the data, in ms; on the hosts target, each
     * measured trial's fault uncertainty, every host's clock estimate at the cell's start and end
     * ({@link Target#hostClocks}) and what made its firewall faults ({@link Target#faultMechanisms}).
     */
    public record CellOutcome(List<TrialRunner.Sample> samples, List<String> failures, List<String> violations,
        String skipped, List<TrialWrites> writes, List<SyncSummary> syncs, List<ServerReports> reports,
        List<Long> preloadMs, List<ClientTrial> clients, List<Long> faultUncertaintyNs, List<HostClock> hostClocks,
        Map<String, String> faultMechanisms) {
        CellOutcome(final List<TrialRunner.Sample> samples, final List<String> failures, final List<String> violations,
            final String skipped) {
            this(samples, failures, violations, skipped, List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of());
        }

        /** An outcome without host diagnostics (every target but hosts). */
        public CellOutcome(final List<TrialRunner.Sample> samples, final List<String> failures,
            final List<String> violations, final String skipped, final List<TrialWrites> writes,
            final List<SyncSummary> syncs, final List<ServerReports> reports, final List<Long> preloadMs,
            final List<ClientTrial> clients, final List<Long> faultUncertaintyNs) {
            this(samples, failures, violations, skipped, writes, syncs, reports, preloadMs, clients, faultUncertaintyNs,
                List.of(), Map.of());
        }

        /** Measured elections that did not reach a ready leader within the timeout. */
        public int failed() {
            return failures.size();
        }

        /** This outcome and {@code next}'s, as one: the rounds of an interleaved cell put together. */
        public CellOutcome plus(final CellOutcome next) {
            if (skipped != null || next.skipped != null) {
                return skipped != null ? this : next;
            }
            return new CellOutcome(concat(samples, next.samples), concat(failures, next.failures),
                concat(violations, next.violations), null, concat(writes, next.writes), concat(syncs, next.syncs),
                concat(reports, next.reports), concat(preloadMs, next.preloadMs), concat(clients, next.clients),
                concat(faultUncertaintyNs, next.faultUncertaintyNs), concat(hostClocks, next.hostClocks),
                merged(faultMechanisms, next.faultMechanisms));
        }

        private static Map<String, String> merged(final Map<String, String> a, final Map<String, String> b) {
            final Map<String, String> out = new java.util.LinkedHashMap<>(a);
            out.putAll(b);
            return out;
        }

        private static <T> List<T> concat(final List<T> a, final List<T> b) {
            final List<T> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
    }

    /** The JVM flags node and ZooKeeper processes get unless told otherwise ({@link ChildJvms#DEFAULT_FLAGS}). */
    public static final String DEFAULT_CHILD_JVM_FLAGS = ChildJvms.DEFAULT_FLAGS;

    public CellRunner(final TargetKind kind, final int size, final Pattern pattern, final ElectionPolicy policy,
        final NodeTiming timing, final long seed, final String heap, final Path workDir) {
        this.kind = kind;
        this.size = size;
        this.pattern = pattern;
        this.policy = policy;
        this.timing = timing;
        this.seed = seed;
        this.heap = heap;
        this.workDir = workDir;
    }

    /** Prints every trial's outcome and event timeline to {@code out}. */
    public CellRunner verbose(final java.io.PrintStream out) {
        this.log = out;
        return this;
    }

    /**
     * @param onTrial called with the number of trials done so far (warm-up included)
     */
    public CellOutcome run(final int warmup, final int trials, final long timeoutNs,
        final IntConsumer onTrial) throws Exception {
        if (size < pattern.minSize()) {
            return new CellOutcome(List.of(), List.of(), List.of(), pattern.flag() + " needs at least "
                + pattern.minSize() + " servers (a quorum must survive the fault)");
        }
        final String refusal = kind.refusal(pattern);
        if (refusal != null) {
            return new CellOutcome(List.of(), List.of(), List.of(), refusal);
        }
        final long holdNs = 2 * timing.syncLimitNs();
        this.timeoutMs = TimeUnit.NANOSECONDS.toMillis(timeoutNs);
        final ClientDriver[] clientDriver = new ClientDriver[1];
        // Resources close in reverse order: the client sessions first, while their servers still run.
        try (Target target = observed(newTarget()); AutoCloseable closeClients = () -> closeQuietly(clientDriver[0])) {
            new TrialRunner(target, timeoutNs, holdNs, log, null).bootstrap();
            final List<HostClock> clocks = new ArrayList<>(target.hostClocks("start"));
            final List<Long> preloadMs = new ArrayList<>();
            if (preloadCount > 0) {
                final long startNs = System.nanoTime();
                try {
                    // A generous bound: the trial timeout, plus a millisecond per value.
                    target.preload(preloadCount, preloadValueBytes, timeoutNs
                        + TimeUnit.MILLISECONDS.toNanos(preloadCount));
                } catch (final UnsupportedOperationException ex) {
                    return new CellOutcome(List.of(), List.of(), List.of(), ex.getMessage());
                }
                preloadMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                if (log != null) {
                    log.printf("preloaded %d values of %d bytes in %d ms%n", preloadCount, preloadValueBytes,
                        preloadMs.get(0));
                }
            }
            final WriteDriver writes = writeRate > 0 ? target.writes(writeRate, answerTimeoutNs(timing)) : null;
            final ClientTransport transport = clientLoad.isActive() ? target.clients(clientLoad) : null;
            clientDriver[0] = transport == null ? null : new ClientDriver(clientLoad, transport);
            final TrialRunner runner = new TrialRunner(target, timeoutNs, holdNs, log, writes).settle(settleNs)
                .clients(clientDriver[0]);
            final List<ClientTrial> clientTrials = new ArrayList<>();
            final List<TrialRunner.Sample> samples = new ArrayList<>();
            final List<String> violations = new ArrayList<>();
            final List<TrialWrites> trialWrites = new ArrayList<>();
            final List<SyncSummary> syncs = new ArrayList<>();
            final List<String> failures = new ArrayList<>();
            final List<ServerReports> reported = new ArrayList<>();
            target.drainReports(); // the bootstrap's and the preload's
            target.drainFaultUncertaintyNs();
            final List<Long> uncertainties = new ArrayList<>();
            for (int t = 0; t < warmup + trials; t++) {
                final TrialRunner.Trial trial = runner.trial(pattern);
                final ServerReports reportedNow = target.drainReports();
                final long uncertaintyNs = target.drainFaultUncertaintyNs();
                if (t >= warmup && uncertaintyNs >= 0) {
                    uncertainties.add(uncertaintyNs);
                }
                if (t >= warmup && !reportedNow.isEmpty()) {
                    reported.add(reportedNow);
                }
                final String name = t >= warmup ? "trial " + (t - warmup + 1) : "warm-up trial " + (t + 1);
                if (trial.writeViolation() != null) {
                    violations.add(name + ": " + trial.writeViolation()); // a lost write counts, warm-up or not
                }
                if (t >= warmup) {
                    for (final TrialRunner.Sample s : trial.samples()) {
                        if (s.violation() != null) {
                            violations.add(name + ": " + s.violation());
                        }
                        if (s.outcome().isRecovered()) {
                            samples.add(s);
                        } else {
                            failures.add(name + ": " + (s.failure() != null ? s.failure() : "did not recover"));
                        }
                    }
                    if (trial.writes() != null) {
                        trialWrites.add(trial.writes());
                    }
                    if (trial.syncs() != null) {
                        syncs.add(trial.syncs());
                    }
                    if (trial.clients() != null) {
                        clientTrials.add(trial.clients());
                    }
                }
                onTrial.accept(t + 1);
            }
            clocks.addAll(target.hostClocks("end"));
            return new CellOutcome(samples, failures, violations, null, trialWrites, syncs, reported, preloadMs,
                clientTrials, uncertainties, clocks, target.faultMechanisms());
        }
    }

    private static void closeQuietly(final ClientDriver driver) {
        if (driver != null) {
            driver.close();
        }
    }

    /**
     * A node that holds writes and answers none for this long is given up on (its connection dropped,
     * its writes resent): two ticks, ZooKeeper's smallest session timeout, and at least a second.
     */
    static long answerTimeoutNs(final NodeTiming timing) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(1_000, 2L * timing.tickTimeMs()));
    }

    private Target observed(final Target target) {
        if (isPolled && target instanceof AdminTarget admin) {
            admin.observeByPolling();
        }
        return target;
    }

    private Target newTarget() throws Exception {
        if (targetFactory != null) {
            return targetFactory.call();
        }
        return switch (kind) {
            case SIM -> new SimTarget(size, policy, timing, seed);
            case INPROC -> new InprocTarget(Files.createDirectories(workDir), size, policy, timing, fsync);
            case PROCESS -> new ProcessTarget(Files.createDirectories(workDir), size, policy, timing, fsync, heap);
            case REMOTE -> {
                if (remoteConfig == null) {
                    throw new IllegalArgumentException(
                        "the remote target needs --remote-config FILE (the nodes' zoo.cfg with admin endpoints)");
                }
                yield RemoteTarget.open(remoteConfig, timeoutMs);
            }
            case ZOOKEEPER -> {
                if (zookeeper == null) {
                    throw new IllegalArgumentException(
                        "the zookeeper target needs a ZooKeeper release (--zookeeper or --zookeeper-home)");
                }
                yield new ZooKeeperTarget(Files.createDirectories(workDir), size, timing, zookeeperHeap, zookeeper,
                    zookeeperVariant);
            }
            case HOSTS -> {
                if (hosts == null) {
                    throw new IllegalArgumentException("the hosts target needs --hosts FILE (the inventory of its"
                        + " servers)");
                }
                yield hosts.runs().isZooKeeper() ? HostsZooKeeperTarget.open(hosts, zookeeper, zookeeperVariant, timing)
                    : HostsNodeTarget.open(hosts, Files.createDirectories(workDir), policy, timing, fsync);
            }
        };
    }
}
