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
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.loadgen.sync.FollowerSync;
import io.electionbench.loadgen.sync.SyncEnsemble;
import io.electionbench.loadgen.sync.SyncHistory;
import io.electionbench.loadgen.sync.SyncMemory;
import io.electionbench.loadgen.sync.SyncTrial;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Metric;
import io.electionbench.results.RunWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code electionbench sync-bench}: how fast lagging followers catch up, with real nodes in this JVM
 * over loopback (Netty, the agent's sync stream, the follower's txn log). See docs/loadgen.md, "Sync
 * throughput".
 */
@Command(name = "sync-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Measure how fast empty followers catch up with a leader holding N txns (DIFF) or a snapshot (SNAP).",
        "A quorum of pre-loaded members elects the one with the largest sid; the empty followers then start and"
        + " are synced.",
        "Figures come from the followers: SYNC_START to the NEWLEADER ACK, and node start to serving.",
        "Results go to results/runs/<commit>/ (see docs/results.md); exit 1 if a trial timed out or a follower ended",
        "with another history than the leader's, 2 on a bad flag or too little heap."})
final class SyncBenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "sync-bench";
    private static final int MAX_FOLLOWERS = 7;
    private static final long MAX_TXNS = 100_000_000;
    private static final int MAX_SNAPSHOT_MIB = 2047;

    @Option(names = "--txns", paramLabel = "N",
        description = "Txns in the pre-loaded history (default: ${DEFAULT-VALUE}).", defaultValue = "1000000")
    long txns;

    @Option(names = "--txn-bytes", paramLabel = "B",
        description = "Payload bytes per txn (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int txnBytes;

    @Option(names = "--snapshot-mib", paramLabel = "MIB", defaultValue = "0", description = "0: followers get a DIFF"
        + " of every txn; otherwise the pre-loaded members compact their log into a snapshot of this many MiB of"
        + " state and followers get a SNAP (default: ${DEFAULT-VALUE}).")
    int snapshotMib;

    @Option(names = "--followers", paramLabel = "F",
        description = "Lagging followers; the ensemble has 2F+1 members (default: ${DEFAULT-VALUE}).",
        defaultValue = "1")
    int followers;

    @Option(names = "--trials", paramLabel = "N",
        description = "Trials, each on freshly started nodes (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int trials;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Unmeasured trials first: the JIT"
        + " compiles the sync path and the heap grows during the first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--fsync", paramLabel = "P",
        description = "The nodes' fsync policy: never, batch or always (default: ${DEFAULT-VALUE}).",
        defaultValue = "batch")
    String fsync;

    @Option(names = "--timeout", paramLabel = "S",
        description = "Seconds each stage of a trial may take (default: ${DEFAULT-VALUE}).", defaultValue = "300")
    int timeoutS;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--json", description = "Print the result as one JSON object and nothing else on stdout.")
    boolean isJson;

    @Override
    public Integer call() throws Exception {
        final FsyncPolicy policy;
        try {
            policy = validate();
        } catch (final IllegalArgumentException ex) {
            return Cli.fail(NAME, ex.getMessage());
        }
        final long snapshotBytes = (long)snapshotMib << 20;
        final long needed = SyncMemory.requiredHeapBytes(followers, txns, snapshotBytes);
        final long max = Runtime.getRuntime().maxMemory();
        if (max < needed) {
            return Cli.fail(NAME, String.format(Locale.ROOT,
                "needs about %d MiB of heap for %d follower(s), %d txns and a %d MiB snapshot, but the JVM may use"
                + " %d MiB: run it as java -Xmx%s -jar loadgen/target/electionbench.jar %s ...", needed >> 20,
                followers, txns, snapshotMib, max >> 20, SyncMemory.xmx(needed), NAME));
        }
        final Path root = store.root();
        final RunWriter writer = store.open(config(policy));
        final Outcome o = measure(policy, snapshotBytes);
        final String pattern = snapshotMib > 0 ? "sync-snap" : "sync-diff";
        final String policyLabel = "fsync-" + policy.name().toLowerCase(Locale.ROOT);
        if (writer != null) {
            writer.addCell(cell(o.size(), pattern, policyLabel, o.done(), o.failures().size()));
            if (!isJson) {
                System.out.println("stored " + root.relativize(writer.file()));
            }
        }
        if (isJson) {
            System.out.println(JSON.writeValueAsString(json(o.size(), pattern, policyLabel, o.done(), o.failures())));
        } else {
            printTable(o.size(), pattern, policyLabel, o.done(), o.failures());
        }
        return o.failures().isEmpty() ? 0 : 1;
    }

    /** The measured trials, and one line per failed one (warm-ups included). */
    private record Outcome(int size, List<SyncTrial> done, List<String> failures) {
    }

    /** Writes the history into a temporary directory, runs warm-up and measured trials, deletes the directory. */
    private Outcome measure(final FsyncPolicy policy, final long snapshotBytes) throws Exception {
        final Path work = Files.createTempDirectory("electionbench-sync");
        try {
            progress("writing the history: %,d txns of %d bytes%s", txns, txnBytes,
                snapshotMib > 0 ? String.format(Locale.ROOT, ", compacted into a %d MiB snapshot", snapshotMib) : "");
            final SyncHistory history = SyncHistory.write(work.resolve("template"), txns, txnBytes, snapshotBytes);
            try (SyncEnsemble ensemble = new SyncEnsemble(work.resolve("ensemble"), followers, policy, history)) {
                final List<SyncTrial> done = new ArrayList<>();
                final List<String> failures = new ArrayList<>();
                for (int trial = 1 - warmup; trial <= trials; trial++) {
                    final String label = trial < 1 ? String.format(Locale.ROOT, "warm-up %d/%d", trial + warmup, warmup)
                        : String.format(Locale.ROOT, "trial %d/%d", trial, trials);
                    try {
                        final SyncTrial t = ensemble.runTrial(TimeUnit.SECONDS.toNanos(timeoutS));
                        if (trial >= 1) {
                            done.add(t);
                        }
                        progress("%s: %s", label, describe(t));
                    } catch (final SyncEnsemble.SyncFailure ex) {
                        failures.add(label + ": " + ex.getMessage());
                        progress("%s FAILED: %s", label, ex.getMessage());
                    }
                }
                return new Outcome(ensemble.size(), done, failures);
            }
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    private FsyncPolicy validate() {
        if (txns < 1 || txns > MAX_TXNS) {
            throw new IllegalArgumentException("--txns " + txns + " is out of range 1.." + MAX_TXNS);
        }
        if (txnBytes < 1 || txnBytes > MemberAgent.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("--txn-bytes " + txnBytes + " is out of range 1.."
                + MemberAgent.MAX_WRITE_BYTES);
        }
        if (snapshotMib < 0 || snapshotMib > MAX_SNAPSHOT_MIB) {
            throw new IllegalArgumentException("--snapshot-mib " + snapshotMib + " is out of range 0.."
                + MAX_SNAPSHOT_MIB + " (a snapshot's state is one Java array)");
        }
        if (followers < 1 || followers > MAX_FOLLOWERS) {
            throw new IllegalArgumentException("--followers " + followers + " is out of range 1.." + MAX_FOLLOWERS);
        }
        if (trials < 1) {
            throw new IllegalArgumentException("--trials " + trials + " must be at least 1");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup " + warmup + " must be at least 0");
        }
        if (timeoutS < 1) {
            throw new IllegalArgumentException("--timeout " + timeoutS + " must be at least 1");
        }
        switch (fsync.trim().toLowerCase(Locale.ROOT)) {
            case "never":
                return FsyncPolicy.NEVER;
            case "batch":
                return FsyncPolicy.BATCH;
            case "always":
                return FsyncPolicy.ALWAYS;
            default:
                throw new IllegalArgumentException("--fsync '" + fsync + "' is not never, batch or always");
        }
    }

    private Cell cell(final int size, final String pattern, final String policyLabel, final List<SyncTrial> done,
        final int failed) {
        final Cell.Builder cell = Cell.loadgen("inproc", size, pattern, policyLabel);
        if (!done.isEmpty()) {
            final boolean hasTxns = done.stream().allMatch(t -> t.totalTxns() > 0);
            if (hasTxns) {
                cell.metric("sync_txns_per_s", metric("txns/s", Better.HIGHER, done, SyncTrial::txnsPerSecond));
            }
            cell.metric("sync_bytes_per_s", metric("B/s", Better.HIGHER, done, SyncTrial::bytesPerSecond))
                .metric("sync_ms", metric("ms", Better.LOWER, done, t -> t.windowNs() / 1e6))
                .metric("ready_ms", metric("ms", Better.LOWER, done, t -> t.readyNs() / 1e6));
            if (followers > 1) {
                if (hasTxns) {
                    cell.metric("follower_sync_txns_per_s",
                        followerMetric("txns/s", done, FollowerSync::txnsPerSecond));
                }
                cell.metric("follower_sync_bytes_per_s", followerMetric("B/s", done, FollowerSync::bytesPerSecond));
            }
        }
        return cell.metric("failed_trials", Metric.perRun("trials", Better.LOWER, failed)).build();
    }

    private static Metric metric(final String unit, final Better better, final List<SyncTrial> done,
        final ToDoubleFunction<SyncTrial> f) {
        final Metric.Builder b = Metric.builder(unit, better);
        done.forEach(t -> b.add(f.applyAsDouble(t)));
        return b.build();
    }

    /** Every follower of every trial, trial by trial. */
    private static Metric followerMetric(final String unit, final List<SyncTrial> done,
        final ToDoubleFunction<FollowerSync> f) {
        final Metric.Builder b = Metric.builder(unit, Better.HIGHER);
        done.forEach(t -> t.followers().forEach(x -> b.add(f.applyAsDouble(x))));
        return b.build();
    }

    private Map<String, Object> config(final FsyncPolicy policy) {
        final Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", NAME);
        c.put("target", "inproc");
        c.put("txns", txns);
        c.put("txn_bytes", txnBytes);
        c.put("snapshot_mib", snapshotMib);
        c.put("followers", followers);
        c.put("trials", trials);
        c.put("warmup", warmup);
        c.put("fsync", policy.name().toLowerCase(Locale.ROOT));
        c.put("timeout_s", timeoutS);
        c.put("tickTime", 2000);
        c.put("initLimit", 10);
        c.put("syncLimit", 5);
        c.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        return c;
    }

    private static String describe(final SyncTrial t) {
        return String.format(Locale.ROOT,
            "%s %,d txns %,.1f MB in %.1f ms: %,.0f txns/s %,.1f MB/s; serving %.1f ms after start",
            t.followers().get(0).mode(), t.totalTxns(), t.totalBytes() / 1e6, t.windowNs() / 1e6, t.txnsPerSecond(),
            t.bytesPerSecond() / 1e6, t.readyNs() / 1e6);
    }

    private void printTable(final int size, final String pattern, final String policyLabel, final List<SyncTrial> done,
        final List<String> failures) {
        System.out.printf(Locale.ROOT, "%ninproc n=%d %s %s: %,d txns of %d bytes%s, %d follower(s), leader sid %d%n",
            size, pattern, policyLabel, txns, txnBytes, snapshotMib > 0 ? ", " + snapshotMib + " MiB snapshot" : "",
            followers, size);
        System.out.printf(Locale.ROOT, "%-7s %-9s %-5s %12s %12s %10s %14s %10s %10s%n", "trial", "follower", "mode",
            "txns", "MB", "sync ms", "txns/s", "MB/s", "ready ms");
        for (int i = 0; i < done.size(); i++) {
            final SyncTrial t = done.get(i);
            for (final FollowerSync f : t.followers()) {
                System.out.printf(Locale.ROOT, "%-7d %-9d %-5s %,12d %,12.1f %,10.1f %,14.0f %,10.1f %,10.1f%n", i + 1,
                    f.sid(), f.mode(), f.txns(), f.bytes() / 1e6, f.syncNs() / 1e6, f.txnsPerSecond(),
                    f.bytesPerSecond() / 1e6, f.readyNs() / 1e6);
            }
            if (t.followers().size() > 1) {
                System.out.printf(Locale.ROOT, "%-7d %-9s %-5s %,12d %,12.1f %,10.1f %,14.0f %,10.1f %,10.1f%n", i + 1,
                    "all", "", t.totalTxns(), t.totalBytes() / 1e6, t.windowNs() / 1e6, t.txnsPerSecond(),
                    t.bytesPerSecond() / 1e6, t.readyNs() / 1e6);
            }
        }
        if (!done.isEmpty()) {
            System.out.printf(Locale.ROOT, "%-7s %-9s %-5s %12s %12s %,10.1f %,14.0f %,10.1f %,10.1f%n", "median",
                "all", "", "", "", median(done, t -> t.windowNs() / 1e6), median(done, SyncTrial::txnsPerSecond),
                median(done, t -> t.bytesPerSecond() / 1e6), median(done, t -> t.readyNs() / 1e6));
        }
        System.out.println("sync: SYNC_START to NEWLEADER ACK on the follower; MB = 10^6 bytes of payload and"
            + " snapshot state; ready: node start to serving");
        if (!done.isEmpty()) {
            printCpu(done);
        }
        failures.forEach(f -> System.out.println("FAILED " + f));
    }

    /** Median CPU time per txn (per MB when no txns were streamed) of each thread role, over the trials. */
    private static void printCpu(final List<SyncTrial> done) {
        final boolean perTxn = done.stream().allMatch(t -> t.totalTxns() > 0);
        final StringBuilder sb = new StringBuilder(perTxn ? "cpu us per txn (median):" : "cpu ms per MB (median):");
        for (final String role : done.get(0).cpuNs().keySet()) {
            final double v = median(done, t -> perTxn ? t.cpuNs().get(role) / 1e3 / t.totalTxns()
                : t.cpuNs().get(role) / 1e6 / (t.totalBytes() / 1e6));
            sb.append(String.format(Locale.ROOT, " %s %.3f", role, v));
        }
        System.out.println(sb.append(" (Java threads from the followers' start until they serve; GC threads not"
            + " counted)"));
    }

    private Map<String, Object> json(final int size, final String pattern, final String policyLabel,
        final List<SyncTrial> done, final List<String> failures) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", "inproc");
        m.put("size", size);
        m.put("pattern", pattern);
        m.put("policy", policyLabel);
        m.put("txns", txns);
        m.put("txn_bytes", txnBytes);
        m.put("snapshot_bytes", (long)snapshotMib << 20);
        m.put("followers", followers);
        final List<Map<String, Object>> ts = new ArrayList<>();
        for (final SyncTrial t : done) {
            final Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("leader", t.leaderSid());
            tm.put("sync_ms", t.windowNs() / 1e6);
            tm.put("txns", t.totalTxns());
            tm.put("bytes", t.totalBytes());
            tm.put("txns_per_s", t.txnsPerSecond());
            tm.put("bytes_per_s", t.bytesPerSecond());
            tm.put("ready_ms", t.readyNs() / 1e6);
            final Map<String, Object> cpu = new LinkedHashMap<>();
            t.cpuNs().forEach((role, ns) -> cpu.put(role, ns / 1e6));
            tm.put("cpu_ms", cpu);
            final List<Map<String, Object>> fs = new ArrayList<>();
            for (final FollowerSync f : t.followers()) {
                final Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("sid", f.sid());
                fm.put("mode", f.mode());
                fm.put("txns", f.txns());
                fm.put("bytes", f.bytes());
                fm.put("sync_ms", f.syncNs() / 1e6);
                fm.put("txns_per_s", f.txnsPerSecond());
                fm.put("bytes_per_s", f.bytesPerSecond());
                fm.put("ready_ms", f.readyNs() / 1e6);
                fs.add(fm);
            }
            tm.put("followers", fs);
            ts.add(tm);
        }
        m.put("trials", ts);
        if (!done.isEmpty()) {
            m.put("median_sync_ms", median(done, t -> t.windowNs() / 1e6));
            m.put("median_txns_per_s", median(done, SyncTrial::txnsPerSecond));
            m.put("median_bytes_per_s", median(done, SyncTrial::bytesPerSecond));
            m.put("median_ready_ms", median(done, t -> t.readyNs() / 1e6));
        }
        m.put("failed", failures.size());
        m.put("failures", failures);
        return m;
    }

    private static double median(final List<SyncTrial> done, final ToDoubleFunction<SyncTrial> f) {
        return Metric.of("x", Better.LOWER, done.stream().mapToDouble(f).toArray()).p50();
    }

    private void progress(final String format, final Object... args) {
        System.err.println(NAME + ": " + String.format(Locale.ROOT, format, args));
    }

}
