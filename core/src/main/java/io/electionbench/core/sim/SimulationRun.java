package io.electionbench.core.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.check.Violations;
import io.electionbench.core.sim.fault.Fault;
import io.electionbench.core.sim.fault.RandomFaults;
import io.electionbench.core.sim.network.SendFailure;

/**
 * One randomized simulation: from a seed, random persisted histories (many ties, so the vote order
 * matters), a random network, a staggered or simultaneous start, then a random schedule of crashes,
 * restarts, partitions, heals ({@link RandomFaults}), writes and pauses. At the end everything is
 * healed and restarted, loss, duplication and backpressure stop, and within {@link #LIVENESS_BOUND_NS}
 * of virtual time a serving leader must be followed by a quorum (liveness) and, under the fast policy,
 * by every server (convergence). The {@link Simulator}'s checkers run throughout. Everything derives
 * from the seed, so {@link #replayCommand()} reproduces a failure exactly.
 */
public final class SimulationRun {
    /** After the last fault heals, a connected ensemble must have a serving leader within this much virtual time. */
    public static final long LIVENESS_BOUND_NS = TimeUnit.SECONDS.toNanos(120);

    private final int size;
    private final long seed;
    private final ElectionPolicy policy;
    private final Set<Fault> faults;
    private final RandomFaults randomFaults;
    private final List<String> schedule = new ArrayList<>();
    private Simulator sim;
    private long settleNs = -1;
    private boolean isSlowToConverge;

    public SimulationRun(final int size, final long seed, final ElectionPolicy policy, final Set<Fault> faults) {
        this.size = size;
        this.seed = seed;
        this.policy = policy;
        this.faults = faults;
        this.randomFaults = new RandomFaults(faults, seed, size);
    }

    /** Runs the schedule; returns this for chaining. */
    public SimulationRun run(final boolean isTraced) {
        final SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + size);
        sim = new Simulator(Ensemble.majority(size), policy, NodeTiming.DEFAULT, randomFaults.network(rnd), seed);
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
                randomFaults.crashOrRestart(rnd, sim, this::log);
                break;
            case 2:
                randomFaults.partitionOrHeal(rnd, sim, this::log);
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

    private void finish() {
        log("heal; restart all; stop loss, duplication and backpressure; settle");
        sim.heal();
        for (int sid = 1; sid <= size; sid++) {
            if (!sim.isUp(sid)) {
                sim.start(sid);
            }
        }
        sim.network(RandomFaults.calm(sim.network()));
        final long before = sim.nowNs();
        if (sim.runUntilStable(LIVENESS_BOUND_NS)) {
            settleNs = sim.nowNs() - before;
            final int acked = sim.writesAcknowledged().size();
            int offered = 0;
            while (offered < 5 && sim.write(nextTag++)) {
                offered++;
            }
            log("write " + offered + " after settling");
            if (!sim.runUntilStable(LIVENESS_BOUND_NS) || sim.writesAcknowledged().size() - acked < offered
                || offered < 5) {
                sim.addViolation(new Violation(sim.nowNs(), "liveness",
                    "after settling, " + offered + " of 5 writes offered, " + (sim.writesAcknowledged().size() - acked)
                        + " committed (" + sim.writesNotAcknowledged() + " writes refused or unknown in the run)"));
            }
            sim.checkConverged();
        } else if (!sim.hasEstablishedLeader()) {
            sim.addViolation(new Violation(sim.nowNs(), "liveness",
                "no serving leader followed by a quorum within " + LIVENESS_BOUND_NS / 1_000_000_000
                    + " s after the last fault healed"));
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

    /** Violations found but not listed: repeats of a listed one, or past the first {@value Violations#MAX_KEPT}. */
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
