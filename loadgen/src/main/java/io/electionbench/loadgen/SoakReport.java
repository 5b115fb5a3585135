package io.electionbench.loadgen;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import io.electionbench.loadgen.run.SoakFault;
import io.electionbench.loadgen.run.SoakRunner;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Metric;

/**
 * What a soak did, as the summary {@code electionbench soak} prints (docs/loadgen.md, "Soak") and
 * as the one cell of its run file.
 */
final class SoakReport {
    private final SoakRunner.Result result;
    private final SoakRunner.Config config;
    private final Map<SoakFault, List<SoakRunner.FaultRecord>> byKind = new EnumMap<>(SoakFault.class);

    SoakReport(final SoakRunner.Result result, final SoakRunner.Config config) {
        this.result = result;
        this.config = config;
        for (final SoakRunner.FaultRecord f : result.faults()) {
            byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f);
        }
    }

    void print(final PrintStream out) {
        out.println();
        out.printf("soak summary: %s of writes and faults on %d node processes (tickTime %d ms, heap %s, fsync %s,"
            + " policy %s), seed %d%n", clock(result.elapsedNs()), config.size(), config.timing().tickTimeMs(),
            config.heap(), config.fsync().name().toLowerCase(Locale.ROOT), config.policy().name(), config.seed());
        final StringJoiner counts = new StringJoiner(", ");
        for (final SoakFault k : config.faults()) {
            counts.add(k.flag() + " " + (result.notRun().containsKey(k) ? "not run" : faultsOf(k).size()));
        }
        out.printf("  faults: %d (%s)%n", result.faults().size(), counts);
        for (final SoakFault k : config.faults()) {
            if (result.notRun().containsKey(k)) {
                out.printf("    %-14s not run: %s%n", k.flag(), result.notRun().get(k));
            } else if (!faultsOf(k).isEmpty()) {
                out.printf("    %-14s %s%n", k.flag(), timings(faultsOf(k)));
            }
        }
        final TrialWrites w = result.writes();
        if (w == null) {
            out.println("  writes: none (the ensemble never served)");
        } else {
            out.printf("  writes: %,d sent at %s/s, %,d acknowledged, %,d unknown (%,d never acknowledged),"
                + " %,d refused%n", w.issued(), number(config.writeRate()), w.committed(), w.unknown(), w.unanswered(),
                w.refused());
            out.println("  check: " + leaderCheck(w));
            out.println("  every node: " + nodeChecks());
        }
        out.println("  result: " + (result.isClean() ? "ok" : "FAILED: " + (result.failure() != null ? result.failure()
            : result.lost() != 0 ? "acknowledged writes lost or not checked" : "a node misses acknowledged writes")));
    }

    private String leaderCheck(final TrialWrites w) {
        final SoakRunner.LogCheck leader = result.leader();
        if (leader.error() != null) {
            return "not checked against a leader: " + leader.error();
        }
        return String.format("%,d acknowledgements of %,d writes against leader %d's log: lost = %d%s",
            w.ackZxids().length, w.committed(), leader.sid(), leader.missing(),
            leader.first() == null ? "" : ", first: " + leader.first());
    }

    private String nodeChecks() {
        if (result.nodes().isEmpty()) {
            return "not checked";
        }
        final StringJoiner nodes = new StringJoiner(", ");
        for (final SoakRunner.LogCheck n : result.nodes()) {
            nodes.add("node " + n.sid() + " (" + n.state() + ") " + (n.error() != null ? "unreadable: " + n.error()
                : n.missing() + " missing" + (n.first() == null ? "" : ", first: " + n.first())));
        }
        return nodes.toString();
    }

    /** Recovery time (from undoing the fault) and longest write stall (from injecting it), p50 and max. */
    private String timings(final List<SoakRunner.FaultRecord> faults) {
        final long[] recovery = faults.stream().mapToLong(SoakRunner.FaultRecord::recoveryNs).filter(ns -> ns >= 0)
            .sorted().toArray();
        final long[] stalls = faults.stream().mapToLong(this::stallNs).filter(ns -> ns >= 0).sorted().toArray();
        final long failed = faults.stream().filter(f -> f.failure() != null).count();
        return String.format("%3d  recovered p50 %s max %s   write stall p50 %s max %s%s", faults.size(),
            p(recovery, 0.5), p(recovery, 1.0), p(stalls, 0.5), p(stalls, 1.0),
            failed == 0 ? "" : "   " + failed + " did not recover");
    }

    /** The longest time without an acknowledgement from this fault to the next one, or -1. */
    private long stallNs(final SoakRunner.FaultRecord f) {
        if (result.writes() == null) {
            return -1;
        }
        final int i = result.faults().indexOf(f);
        final long untilNs = i + 1 < result.faults().size() ? result.faults().get(i + 1).startNs() : Long.MAX_VALUE;
        return result.writes().unavailabilityNs(f.startNs(), untilNs);
    }

    /**
     * The run file's cell {@code process n=N soak POLICY}: every write's latency, each fault's write
     * stall and recovery, and the totals; null without writes.
     */
    Cell cell() {
        final TrialWrites w = result.writes();
        if (w == null) {
            return null;
        }
        final Metric.Builder latency = Metric.builder("ms", Better.LOWER);
        for (final long ns : w.latenciesNs()) {
            latency.add(ns / 1e6);
        }
        final Metric.Builder stalls = Metric.builder("ms", Better.LOWER);
        final Metric.Builder recovery = Metric.builder("ms", Better.LOWER);
        for (final SoakRunner.FaultRecord f : result.faults()) {
            if (stallNs(f) >= 0) {
                stalls.add(stallNs(f) / 1e6);
            }
            if (f.recoveryNs() >= 0) {
                recovery.add(f.recoveryNs() / 1e6);
            }
        }
        final long failed = result.faults().stream().filter(f -> f.failure() != null).count();
        return Cell.loadgen("process", config.size(), "soak", config.policy().name())
            .metric("write_latency_ms", latency.build())
            .metric("write_unavailability_ms", stalls.build())
            .metric("time_to_recover_ms", recovery.build())
            .metric("writes_committed", Metric.perRun("writes", Better.HIGHER, w.committed()))
            .metric("writes_unknown", Metric.perRun("writes", Better.LOWER, w.unknown()))
            .metric("writes_lost", Metric.perRun("writes", Better.LOWER, result.lost()))
            .metric("failed_faults", Metric.perRun("faults", Better.LOWER, failed))
            .build();
    }

    /** The soak's writes, or null. */
    TrialWrites writes() {
        return result.writes();
    }

    private List<SoakRunner.FaultRecord> faultsOf(final SoakFault kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    /** The nearest-rank quantile {@code q} of {@code sorted}, in ms or s. */
    private static String p(final long[] sorted, final double q) {
        if (sorted.length == 0) {
            return "-";
        }
        final long ns = sorted[Math.max(0, (int)Math.ceil(q * sorted.length) - 1)];
        return ns >= 1_000_000_000L ? String.format("%.2f s", ns / 1e9) : String.format("%d ms", ns / 1_000_000);
    }

    static String number(final double v) {
        return new java.text.DecimalFormat("0.###").format(v);
    }

    /** {@code m:ss}. */
    static String clock(final long ns) {
        final long s = TimeUnit.NANOSECONDS.toSeconds(ns);
        return s / 60 + ":" + String.format("%02d", s % 60);
    }
}
