package io.electionbench.core.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;

/**
 * One randomized simulation: from a seed, random persisted histories (many ties, so the vote order
 * matters), a random network, a staggered or simultaneous start, then a random schedule of crashes,
 * restarts, partitions, heals and pauses. At the end everything is healed and restarted, loss,
 * duplication and backpressure stop, and within {@link #LIVENESS_BOUND_NS} of virtual time a serving leader must be
 * followed by a quorum (liveness) and, under the fast policy, by every server (convergence). The safety invariants of {@link Simulator} are checked throughout. Everything derives
 * from the seed, so {@link #replayCommand()} reproduces a failure exactly.
 */
public final class SimulationRun {
    /** After the last fault heals, a connected ensemble must have a serving leader within this much virtual time. */
    public static final long LIVENESS_BOUND_NS = TimeUnit.SECONDS.toNanos(120);

    private final int size;
    private final long seed;
    private final ElectionPolicy policy;
    private final Set<Fault> faults;
    private final List<String> schedule = new ArrayList<>();
    private Simulator sim;
    private long settleNs = -1;
    private boolean isSlowToConverge;

    public SimulationRun(final int size, final long seed, final ElectionPolicy policy, final Set<Fault> faults) {
        this.size = size;
        this.seed = seed;
        this.policy = policy;
        this.faults = faults;
    }

    /** Runs the schedule; returns this for chaining. */
    public SimulationRun run(final boolean isTraced) {
        final SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + size);
        sim = new Simulator(Ensemble.majority(size), policy, NodeTiming.DEFAULT, network(rnd), seed);
        if (isTraced) {
            sim.recordTrace();
        }
        histories(rnd);
        startAll(rnd);
        final int steps = 4 + rnd.nextInt(10);
        for (int i = 0; i < steps; i++) {
            step(rnd);
        }
        finish();
        sim.close();
        return this;
    }

    private NetworkModel network(final SplittableRandom rnd) {
        final long min = TimeUnit.MICROSECONDS.toNanos(20 + rnd.nextInt(500));
        final long max = min + TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(3000));
        final double loss = faults.contains(Fault.LOSS) ? pick(rnd, 0, 0.01, 0.05, 0.2) : 0;
        final double dup = faults.contains(Fault.DUPLICATE) ? pick(rnd, 0, 0.01, 0.1) : 0;
        final boolean fifo = !faults.contains(Fault.REORDER) || rnd.nextBoolean();
        return linkQueues(new NetworkModel(min, max, loss, dup, fifo));
    }

    /**
     * Under {@link Fault#BACKPRESSURE}, links that hold little: from one notification on its way and
     * quorum links full at 8 messages, to the defaults. Drawn from a generator of their own, so the
     * schedule of a seed is the same with and without this fault.
     */
    private NetworkModel linkQueues(final NetworkModel model) {
        if (!faults.contains(Fault.BACKPRESSURE)) {
            return model;
        }
        final SplittableRandom rnd = new SplittableRandom(seed * 0xC2B2AE3D27D4EB4FL + size);
        final int capacity = (int)pick(rnd, 8, 16, 64, NetworkModel.DEFAULT_QUORUM_LINK_CAPACITY);
        final int election = (int)pick(rnd, 1, 2, 4, NetworkModel.DEFAULT_ELECTION_LINK_CAPACITY);
        return model.withLinkQueues(election, Math.min(capacity / 2, NetworkModel.DEFAULT_QUORUM_HIGH_WATER), capacity);
    }

    /**
     * Histories a real ensemble could have left behind: one committed history of up to two epochs
     * (three txns at most in each), of which every server holds a prefix, having accepted its last
     * epoch. Unrelated random histories would not do: a lone server with an epoch the others never
     * accepted would win the election over acknowledged writes, which ZAB rules out (that epoch was
     * negotiated with a quorum, so every later epoch is higher).
     */
    private void histories(final SplittableRandom rnd) {
        final int epochs = rnd.nextInt(3);
        final int[] counters = {0, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3)};
        for (int sid = 1; sid <= size; sid++) {
            final int lastEpoch = epochs == 0 ? 0 : 1 + rnd.nextInt(epochs);
            long current = 0;
            for (int e = 1; e <= lastEpoch; e++) {
                final int upTo = e < lastEpoch ? counters[e] : rnd.nextInt(counters[e] + 1);
                sim.storage(sid).appendRange(e, 1, upTo);
                if (upTo > 0 || e < lastEpoch) {
                    current = e;
                }
            }
            sim.storage(sid).epochs(current, epochs);
        }
    }

    private void startAll(final SplittableRandom rnd) {
        final boolean staggered = rnd.nextBoolean();
        for (int sid = 1; sid <= size; sid++) {
            sim.start(sid);
            if (staggered) {
                final long gap = TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(400_000));
                log("start " + sid + "; run " + gap / 1000 + "us");
                sim.runFor(gap);
            }
        }
        if (!staggered) {
            log("start all");
        }
    }

    private void step(final SplittableRandom rnd) {
        switch (rnd.nextInt(7)) {
            case 0:
            case 1:
                crashOrRestart(rnd);
                break;
            case 2:
                partitionOrHeal(rnd);
                break;
            case 4:
                final int writes = 1 + rnd.nextInt(20);
                int offered = 0;
                while (offered < writes && sim.write(nextTag++)) {
                    offered++;
                }
                log("write " + offered + " of " + writes);
                break;
            case 3:
                final long pause = TimeUnit.MILLISECONDS.toNanos(rnd.nextInt(12_000));
                log("run " + pause / 1_000_000 + "ms");
                sim.runFor(pause);
                break;
            default:
                log("settle");
                sim.runUntilStable(LIVENESS_BOUND_NS);
        }
        sim.runFor(TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(50_000)));
    }

    private void crashOrRestart(final SplittableRandom rnd) {
        if (!faults.contains(Fault.CRASH)) {
            return;
        }
        final long sid = 1 + rnd.nextInt(size);
        if (sim.isUp(sid)) {
            log("crash " + sid);
            sim.crash(sid);
        } else {
            log("restart " + sid);
            sim.start(sid);
        }
    }

    private void partitionOrHeal(final SplittableRandom rnd) {
        if (!faults.contains(Fault.PARTITION)) {
            return;
        }
        if (sim.isPartitioned() && rnd.nextBoolean()) {
            log("heal");
            sim.heal();
            return;
        }
        final int sides = 2 + rnd.nextInt(2);
        final List<List<Long>> groups = new ArrayList<>();
        for (int g = 0; g < sides; g++) {
            groups.add(new ArrayList<>());
        }
        for (long sid = 1; sid <= size; sid++) {
            groups.get(rnd.nextInt(sides)).add(sid);
        }
        groups.removeIf(List::isEmpty);
        final long[][] arrays = new long[groups.size()][];
        final StringJoiner text = new StringJoiner(" | ", "partition ", "");
        for (int g = 0; g < arrays.length; g++) {
            arrays[g] = groups.get(g).stream().mapToLong(Long::longValue).toArray();
            final StringJoiner side = new StringJoiner(",");
            groups.get(g).forEach(s -> side.add(Long.toString(s)));
            text.add(side.toString());
        }
        log(text.toString());
        sim.partition(arrays);
    }

    private void finish() {
        log("heal; restart all; stop loss, duplication and backpressure; settle");
        sim.heal();
        for (int sid = 1; sid <= size; sid++) {
            if (!sim.isUp(sid)) {
                sim.start(sid);
            }
        }
        sim.network(sim.network().withLoss(0).withDuplicates(0).withLinkQueues(
            NetworkModel.DEFAULT_ELECTION_LINK_CAPACITY, NetworkModel.DEFAULT_QUORUM_HIGH_WATER,
            NetworkModel.DEFAULT_QUORUM_LINK_CAPACITY));
        final long before = sim.nowNs();
        if (sim.runUntilStable(LIVENESS_BOUND_NS)) {
            settleNs = sim.nowNs() - before;
            final int acked = sim.writesAcknowledged().size();
            int offered = 0;
            while (offered < 5 && sim.write(nextTag++)) {
                offered++;
            }
            log("write " + offered + " after settling");
            if (!sim.runUntilStable(LIVENESS_BOUND_NS) || sim.writesAcknowledged().size() - acked < offered || offered < 5) {
                sim.addViolation(new Violation(sim.nowNs(), "liveness",
                    "after settling, " + offered + " of 5 writes offered, " + (sim.writesAcknowledged().size() - acked)
                        + " committed (" + sim.writesNotAcknowledged() + " writes refused or unknown in the run)"));
            }
            sim.checkConverged();
        } else if (!sim.hasEstablishedLeader()) {
            sim.addViolation(new Violation(sim.nowNs(), "liveness",
                "no serving leader followed by a quorum within " + LIVENESS_BOUND_NS / 1_000_000_000 + " s after the last fault healed"));
        } else if (policy.isDecideWhenAllConnectedAgree()) {
            sim.addViolation(new Violation(sim.nowNs(), "convergence",
                "a quorum has a leader, but not every server follows it within " + LIVENESS_BOUND_NS / 1_000_000_000
                    + " s after the last fault healed: " + sim.describe()));
        } else {
            isSlowToConverge = true;
        }
    }

    /**
     * True when a quorum elected in time but some server had not joined by the bound. Only the
     * zookeeper policy may do this (its resends back off to 60 s, and any notification restarts the
     * wait, so a server whose replies were lost can sit out for minutes); it is reported, not a violation.
     */
    public boolean isSlowToConverge() {
        return isSlowToConverge;
    }

    private long nextTag = 1L << 48;

    private void log(final String what) {
        schedule.add(String.format("%.3fms %s", sim.nowNs() / 1e6, what));
    }

    private static double pick(final SplittableRandom rnd, final double... values) {
        return values[rnd.nextInt(values.length)];
    }

    public boolean isClean() {
        return sim.violations().isEmpty();
    }

    public List<Violation> violations() {
        return sim.violations();
    }

    /** See {@link Simulator#completenessChecked()}. */
    public long completenessChecked() {
        return sim.completenessChecked();
    }

    public long completenessSkipped() {
        return sim.completenessSkipped();
    }

    /** Violations found but not listed: repeats of a listed one, or beyond the first {@value Simulator#MAX_VIOLATIONS_KEPT}. */
    public long violationsDropped() {
        return sim.violationsDropped();
    }

    /** Virtual time from the final heal to a settled ensemble, or -1 if it never settled. */
    public long settleNs() {
        return settleNs;
    }

    public long messages() {
        return sim.messagesDelivered();
    }

    public long traceHash() {
        return sim.traceHash();
    }

    public String trace() {
        return sim.trace();
    }

    public List<String> schedule() {
        return schedule;
    }

    public String network() {
        return sim.network().toString();
    }

    /** How often the links refused a send of this kind in the run ({@link Simulator#sendFailures}). */
    public long sendFailures(final SendFailure kind) {
        return sim.sendFailures(kind);
    }

    /** The command line that replays exactly this run with its trace. */
    public String replayCommand() {
        final StringJoiner f = new StringJoiner(",");
        faults.forEach(x -> f.add(x.flag()));
        return "java -jar loadgen/target/electionbench.jar simulate --sizes " + size + " --seed " + seed
            + " --policy " + policy.name() + " --faults " + (faults.isEmpty() ? "none" : f.toString()) + " --trace";
    }
}
