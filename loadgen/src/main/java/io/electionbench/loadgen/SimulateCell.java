package io.electionbench.loadgen;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.sim.SimulationRun;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.network.SendFailure;

/**
 * One (policy, size) cell of {@code simulate}: runs, violations, slow runs, settle-time percentiles in
 * virtual time, messages, refused sends by kind and wall time. A cell is filled from runs as they finish or
 * merged from shard files ({@link #add(Result)}), and printed by the same code either way, so a merged sweep
 * reads exactly like one run. Settle times go into an HdrHistogram (3 significant digits, as every latency
 * here), which merges exactly; see docs/loadgen.md, "Randomized sweeps".
 */
final class SimulateCell {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String policy;
    private final int size;
    private final boolean isKeepingFailures;
    private final long startNs = System.nanoTime();
    private final Histogram settleNs = new Histogram(3);
    /** Refused sends by kind over every run: how often each of the agent's send-failure paths ran. */
    private final long[] sendFailures = new long[SendFailure.values().length];
    private final List<Failure> failures = new ArrayList<>();
    private long runs;
    private long bad;
    private long slow;
    private long messages;
    private long votesChecked;
    private long votesSkipped;
    private long wallMs;

    /**
     * @param isKeepingFailures keep every failed run for {@link #result()} (a shard file); a run printing
     *                          only its summary forgets them once printed.
     */
    SimulateCell(final String policy, final int size, final boolean isKeepingFailures) {
        this.policy = policy;
        this.size = size;
        this.isKeepingFailures = isKeepingFailures;
    }

    String policy() {
        return policy;
    }

    int size() {
        return size;
    }

    /** Counts one finished run; a run with violations is printed on stderr at once, as its failure. */
    void add(final SimulationRun run, final long seed) {
        runs++;
        messages += run.messages();
        votesChecked += run.completenessChecked();
        votesSkipped += run.completenessSkipped();
        for (final SendFailure kind : SendFailure.values()) {
            sendFailures[kind.ordinal()] += run.sendFailures(kind);
        }
        if (run.isSlowToConverge()) {
            slow++;
        }
        if (run.settleNs() >= 0) {
            settleNs.recordValue(run.settleNs());
        }
        if (!run.isClean()) {
            bad++;
            final Failure failure = new Failure(seed, run.violations().stream().map(Violation::toString).toList(),
                run.violationsDropped(), run.replayCommand());
            failure.print(policy, size, System.err);
            if (isKeepingFailures) {
                failures.add(failure);
            }
        }
    }

    /** The runs are done: the wall time since this cell was made is its own. */
    void finish() {
        wallMs += (System.nanoTime() - startNs) / 1_000_000;
    }

    /** Adds a shard's share of this cell, failures included (not printed: see {@link #printFailures()}). */
    void add(final Result shard) {
        runs += shard.runs();
        bad += shard.violations();
        slow += shard.slowToConverge();
        messages += shard.messages();
        votesChecked += shard.completenessVotesChecked();
        votesSkipped += shard.completenessVotesSkipped();
        for (final SendFailure kind : SendFailure.values()) {
            sendFailures[kind.ordinal()] += shard.sendFailures().get(kind.label());
        }
        settleNs.add(decode(shard.settleNsHistogram()));
        wallMs += shard.wallMs();
        failures.addAll(shard.failures());
    }

    /** Prints the failures kept, as the runs printed them when they failed. */
    void printFailures() {
        failures.forEach(f -> f.print(policy, size, System.err));
    }

    long runs() {
        return runs;
    }

    long violations() {
        return bad;
    }

    long wallMs() {
        return wallMs;
    }

    long sendFailures(final SendFailure kind) {
        return sendFailures[kind.ordinal()];
    }

    /** The cell as a shard file holds it. */
    Result result() {
        final Map<String, Long> refused = new LinkedHashMap<>();
        for (final SendFailure kind : SendFailure.values()) {
            refused.put(kind.label(), sendFailures[kind.ordinal()]);
        }
        final ByteBuffer buffer = ByteBuffer.allocate(settleNs.getNeededByteBufferCapacity());
        final int length = settleNs.encodeIntoCompressedByteBuffer(buffer);
        final String histogram = Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
        return new Result(policy, size, runs, bad, slow, messages, votesChecked, votesSkipped, refused, histogram,
            wallMs, runsPerSecond(runs, wallMs), List.copyOf(failures));
    }

    /** Runs per second of wall time, 0 when no time was measured. */
    static double runsPerSecond(final long runs, final long wallMs) {
        return wallMs <= 0 ? 0 : Math.round(runs * 10_000.0 / wallMs) / 10.0;
    }

    /** The column heads of the text summary, once per run (nothing with {@code --json}). */
    static void printHeader(final boolean isJson) {
        if (!isJson) {
            System.out.printf("%-10s %5s %8s %6s %6s %12s %12s %10s %10s %9s%n", "policy", "size", "runs", "bad",
                "slow", "settle p50", "settle p99", "msgs/run", "checked", "wall ms");
        }
    }

    /** One table row (and a line of refused sends if any), or one JSON object on a line. */
    void print(final boolean isJson) throws JsonProcessingException {
        final double p50 = percentileMs(0.50);
        final double p99 = percentileMs(0.99);
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
            final Map<String, Long> refused = new LinkedHashMap<>();
            for (final SendFailure kind : SendFailure.values()) {
                refused.put(kind.label(), sendFailures[kind.ordinal()]);
            }
            m.put("send_failures", refused);
            m.put("wall_ms", wallMs);
            System.out.println(JSON.writeValueAsString(m));
        } else {
            System.out.printf("%-10s %5d %8d %6d %6d %10.2fms %10.2fms %10d %9.1f%% %9d%n", policy, size, runs,
                bad, slow, p50, p99, runs == 0 ? 0 : messages / runs, checkedPct(), wallMs);
            final String refused = sendFailureSummary();
            if (!refused.isEmpty()) {
                System.out.printf("%-10s %5s refused sends: %s%n", "", "", refused);
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

    /** Of the quorum members behind every decision, the share whose LOOKING vote the completeness check compared. */
    private double checkedPct() {
        final long all = votesChecked + votesSkipped;
        return all == 0 ? Double.NaN : 100.0 * votesChecked / all;
    }

    private double percentileMs(final double q) {
        return settleNs.getTotalCount() == 0 ? Double.NaN : settleNs.getValueAtPercentile(100 * q) / 1e6;
    }

    /** A histogram as {@link #result()} encodes it (base64 of HdrHistogram's compressed form). */
    static Histogram decode(final String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (final DataFormatException | IllegalArgumentException | java.nio.BufferUnderflowException ex) {
            throw new IllegalArgumentException("settle_ns_histogram is not an encoded HdrHistogram", ex);
        }
    }

    /**
     * A cell as a shard file holds it: the counts, the settle-time histogram (base64 of HdrHistogram's
     * compressed encoding, in ns of virtual time), the wall time and every failed run.
     */
    record Result(String policy, int size, long runs, long violations, long slowToConverge, long messages,
        long completenessVotesChecked, long completenessVotesSkipped, Map<String, Long> sendFailures,
        String settleNsHistogram, long wallMs, double runsPerS, List<Failure> failures) {
    }

    /** A run that broke an invariant: its seed, what it broke, and the command that replays it with a trace. */
    record Failure(long seed, List<String> violations, long dropped, String replay) {
        void print(final String policy, final int size, final PrintStream err) {
            err.printf("VIOLATION policy %s size %d seed %d%n", policy, size, seed);
            for (final String v : violations) {
                err.println("  " + v);
            }
            if (dropped > 0) {
                err.println("  ... and " + dropped + " more (repeats of those above, or past the first "
                    + Simulator.MAX_VIOLATIONS_KEPT + ")");
            }
            err.println("  replay: " + replay);
        }
    }
}
