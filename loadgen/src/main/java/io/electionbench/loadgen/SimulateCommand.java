package io.electionbench.loadgen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.sim.SimulationRun;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.fault.Fault;
import io.electionbench.core.sim.network.SendFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code electionbench simulate}: randomized fault schedules on the deterministic simulator, with the
 * safety and liveness invariants checked throughout. Any violation prints its seed and the command
 * that replays it.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {
        "Run randomized fault schedules in the deterministic simulator and check the invariants.",
        "Faults: crashes, restarts, partitions, loss, duplication, reordering. Invariants: never two leaders each"
            + " followed by a quorum; a leader elected in its round has the greatest vote of its quorum; observers and"
            + " zero-weight servers never lead; within 120 s of virtual time after the last fault heals, a serving"
            + " leader followed by a quorum (and, under the fast policy, by every server). 'slow' counts"
            + " zookeeper-policy runs where a quorum elected in time but some server had not yet joined (ZooKeeper's"
            + " resend backoff reaches 60 s).",
        "Exit 0 when every run is clean, 1 on any violation, 2 on bad arguments."})
final class SimulateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--sizes", paramLabel = "N,N", description = "Ensemble sizes (default: ${DEFAULT-VALUE}).",
        defaultValue = "3,5,7,9")
    String sizes;

    @Option(names = "--seeds", paramLabel = "N",
        description = "Seeds per size and policy (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    long seeds;

    @Option(names = "--first-seed", paramLabel = "S", description = "First seed (default: ${DEFAULT-VALUE}).",
        defaultValue = "1")
    long firstSeed;

    @Option(names = "--seed", paramLabel = "S",
        description = "Run this one seed and print its schedule and trace (replay).")
    Long seed;

    @Option(names = "--policy", paramLabel = "P", description = "fast, zookeeper or all (default: ${DEFAULT-VALUE}).",
        defaultValue = "all")
    String policy;

    @Option(names = "--faults", paramLabel = "F,F", defaultValue = "all", description = "crash, partition, loss,"
        + " duplicate, reorder, backpressure (links that fill up and refuse sends), one-way (some partitions cut"
        + " only the links into one server), all, none (default:"
        + " ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--trace", description = "Print each run's schedule and state-change trace.")
    boolean isTrace;

    @Option(names = "--json", description = "Print one JSON summary object per size and policy, one per line.")
    boolean isJson;

    @Override
    public Integer call() throws JsonProcessingException {
        final List<Integer> sizeList;
        final Set<Fault> faultSet;
        final List<ElectionPolicy> policies;
        try {
            sizeList = Cli.intList(sizes, "ensemble size", 1, 64);
            faultSet = Fault.parse(faults);
            policies = policy.equalsIgnoreCase("all") ? List.of(ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER)
                : List.of(ElectionPolicy.byName(policy));
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be at least 1");
            }
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("simulate", ex.getMessage());
        }
        final long first = seed != null ? seed : firstSeed;
        final long count = seed != null ? 1 : seeds;
        final boolean trace = isTrace || seed != null;
        final Progress progress = new Progress("simulate", count * sizeList.size() * policies.size(), isJson);
        long done = 0;
        boolean isClean = true;
        if (!isJson) {
            System.out.printf("%-10s %5s %8s %6s %6s %12s %12s %10s %10s %9s%n", "policy", "size", "runs", "bad",
                "slow", "settle p50", "settle p99", "msgs/run", "checked", "wall ms");
        }
        for (final ElectionPolicy p : policies) {
            for (final int size : sizeList) {
                final Summary summary = new Summary(p.name(), size);
                for (long s = first; s < first + count; s++) {
                    final SimulationRun run = new SimulationRun(size, s, p, faultSet).run(trace);
                    summary.add(run);
                    if (trace) {
                        printTrace(run, size, s);
                    }
                    if (!run.isClean()) {
                        isClean = false;
                        printViolation(run, p, size, s);
                    }
                    progress.update(++done);
                }
                summary.print(isJson);
            }
        }
        return isClean ? 0 : 1;
    }

    private void printViolation(final SimulationRun run, final ElectionPolicy p, final int size, final long s) {
        System.err.printf("VIOLATION policy %s size %d seed %d%n", p.name(), size, s);
        for (final Violation v : run.violations()) {
            System.err.println("  " + v);
        }
        if (run.violationsDropped() > 0) {
            System.err.println("  ... and " + run.violationsDropped()
                + " more (repeats of those above, or past the first " + Simulator.MAX_VIOLATIONS_KEPT + ")");
        }
        System.err.println("  replay: " + run.replayCommand());
    }

    private static void printTrace(final SimulationRun run, final int size, final long s) {
        System.out.printf("-- size %d seed %d, network %s%n   schedule:%n", size, s, run.network());
        run.schedule().forEach(line -> System.out.println("     " + line));
        System.out.println("   trace:");
        System.out.print(run.trace().indent(5));
    }

    /** Per (policy, size): runs, violations, settle-time percentiles in virtual time, messages, wall time. */
    private static final class Summary {
        private final String policy;
        private final int size;
        private final long startNs = System.nanoTime();
        private final List<Long> settleNs = new ArrayList<>();
        private long runs;
        private long bad;
        private long slow;
        private long messages;
        private long votesChecked;
        private long votesSkipped;
        /** Refused sends by kind over every run: how often each of the agent's send-failure paths ran. */
        private final long[] sendFailures = new long[SendFailure.values().length];

        Summary(final String policy, final int size) {
            this.policy = policy;
            this.size = size;
        }

        void add(final SimulationRun run) {
            runs++;
            messages += run.messages();
            votesChecked += run.completenessChecked();
            votesSkipped += run.completenessSkipped();
            for (final SendFailure kind : SendFailure.values()) {
                sendFailures[kind.ordinal()] += run.sendFailures(kind);
            }
            if (!run.isClean()) {
                bad++;
            }
            if (run.isSlowToConverge()) {
                slow++;
            }
            if (run.settleNs() >= 0) {
                settleNs.add(run.settleNs());
            }
        }

        void print(final boolean isJson) throws JsonProcessingException {
            final long[] sorted = settleNs.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            final double p50 = percentileMs(sorted, 0.50);
            final double p99 = percentileMs(sorted, 0.99);
            final long wallMs = (System.nanoTime() - startNs) / 1_000_000;
            if (isJson) {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("policy", policy);
                m.put("size", size);
                m.put("runs", runs);
                m.put("violations", bad);
                m.put("slow_to_converge", slow);
                m.put("settle_p50_ms", p50);
                m.put("settle_p99_ms", p99);
                m.put("messages_per_run", runs == 0 ? 0 : messages / runs);
                m.put("completeness_votes_checked", votesChecked);
                m.put("completeness_votes_skipped", votesSkipped);
                final Map<String, Long> failures = new LinkedHashMap<>();
                for (final SendFailure kind : SendFailure.values()) {
                    failures.put(kind.label(), sendFailures[kind.ordinal()]);
                }
                m.put("send_failures", failures);
                m.put("wall_ms", wallMs);
                System.out.println(JSON.writeValueAsString(m));
            } else {
                System.out.printf("%-10s %5d %8d %6d %6d %10.2fms %10.2fms %10d %9.1f%% %9d%n", policy, size, runs,
                    bad, slow, p50, p99, runs == 0 ? 0 : messages / runs, checkedPct(), wallMs);
                final String failures = sendFailureSummary();
                if (!failures.isEmpty()) {
                    System.out.printf("%-10s %5s refused sends: %s%n", "", "", failures);
                }
            }
        }

        /** The kinds of send the links refused at least once, with counts, in protocol order. */
        private String sendFailureSummary() {
            final StringBuilder out = new StringBuilder();
            for (final SendFailure kind : SendFailure.values()) {
                final long n = sendFailures[kind.ordinal()];
                if (n > 0) {
                    out.append(out.length() == 0 ? "" : ", ").append(kind.label()).append(' ').append(n);
                }
            }
            return out.toString();
        }

        /**
         * Of the quorum members behind every decision, the share whose LOOKING vote the completeness check compared.
         */
        private double checkedPct() {
            final long all = votesChecked + votesSkipped;
            return all == 0 ? Double.NaN : 100.0 * votesChecked / all;
        }

        private static double percentileMs(final long[] sorted, final double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            final int index = (int)Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }
    }
}
