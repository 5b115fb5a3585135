package io.electionbench.loadgen.write;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.check.Violation;

/**
 * Open-loop writes on the simulator's virtual time, through {@link Simulator#write}: the same
 * schedule and the same latency accounting as on real targets, with an omniscient client (a write
 * goes straight to the serving leader; with none, it waits and is offered again 100 us later).
 * Everything runs on the trial thread while the simulator target lets time pass, in steps that end at
 * the next due write, and every 10 us while writes are outstanding, so a commit's time is known to
 * 10 us (the simulated links take 100-300 us).
 *
 * <p>The simulator reports commits as a map from zxid to the write's tag, the sequence here. A leader
 * of epoch e commits its writes as a prefix of e's counters, so each leader's commits are found by
 * probing (e, 1), (e, 2), ... as time passes. Writes a leader took but never committed, because it
 * crashed or stepped down, count as lost and are offered again with their intended time.
 */
public final class SimWriteDriver implements WriteDriver {
    static final long FINE_STEP_NS = TimeUnit.MICROSECONDS.toNanos(10);
    static final long RETRY_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long STABLE_STEP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Simulator sim;
    private final double ratePerS;
    private final LongArrayQueue waiting = new LongArrayQueue(-1);
    private final List<Offer> offers = new ArrayList<>();
    private final LongArrayList scratch = new LongArrayList();
    private WriteLedger ledger;
    private long startNs;
    private long nextSeq = 1;
    private long issued;
    private boolean isStopping;
    private boolean hasGate;
    private long retryAtNs;
    private int violationsSeen;

    /** The writes offered to one leader in one epoch, and how far its commits were probed. */
    private static final class Offer {
        final long sid;
        final long epoch;
        final LongHashSet outstanding = new LongHashSet();
        long nextCounter = 1;

        Offer(final long sid, final long epoch) {
            this.sid = sid;
            this.epoch = epoch;
        }
    }

    public SimWriteDriver(final Simulator sim, final double ratePerS) {
        this.sim = sim;
        this.ratePerS = ratePerS;
    }

    @Override
    public void begin() {
        startNs = sim.nowNs();
        ledger = new WriteLedger(new OpenLoopSchedule(startNs, ratePerS), nextSeq, System.currentTimeMillis());
        issued = 0;
        isStopping = false;
        violationsSeen = sim.violations().size();
        poll();
    }

    @Override
    public long startNs() {
        return startNs;
    }

    @Override
    public long maxCommittedIntendedNs() {
        return ledger == null ? Long.MIN_VALUE : ledger.maxCommittedIntendedNs();
    }

    /** True while a trial's writes need time to pass in small steps. */
    public boolean isBusy() {
        return ledger != null && (!isStopping || !waiting.isEmpty() || hasOutstanding());
    }

    private boolean hasOutstanding() {
        for (final Offer o : offers) {
            if (!o.outstanding.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Lets {@code durationNs} of virtual time pass, writing as due. */
    public void runFor(final long durationNs) {
        final long end = sim.nowNs() + durationNs;
        poll();
        while (sim.nowNs() - end < 0) {
            final long next = Math.min(end, nextActionNs());
            sim.runFor(Math.max(0, next - sim.nowNs()));
            poll();
        }
    }

    /**
     * As {@link Simulator#runUntilStable}, writing as due; stability ({@link #isStable}) is checked at
     * least every millisecond.
     */
    public boolean runUntilStable(final long boundNs) {
        final long end = sim.nowNs() + boundNs;
        while (!isStable()) {
            if (sim.nowNs() - end >= 0) {
                return isStable();
            }
            if (!isBusy()) {
                return sim.runUntilStable(end - sim.nowNs());
            }
            runFor(Math.min(STABLE_STEP_NS, end - sim.nowNs()));
        }
        return true;
    }

    /**
     * {@link Simulator#isStable}, or the same without its demand that the leader have no proposal in
     * flight, which a steady stream of writes never meets: every live server that can reach a quorum
     * serves, as a leader followed by a quorum or as the follower of a serving leader it can reach,
     * and every other live server is LOOKING.
     */
    boolean isStable() {
        if (sim.isStable()) {
            return true;
        }
        final io.electionbench.core.quorum.Ensemble ensemble = sim.ensemble();
        for (int i = 0; i < ensemble.size(); i++) {
            final long sid = ensemble.sid(i);
            final MemberAgent a = sim.agent(sid);
            if (a != null && !isSettled(i, sid, a)) {
                return false;
            }
        }
        return true;
    }

    private boolean isSettled(final int i, final long sid, final MemberAgent a) {
        final io.electionbench.core.quorum.Ensemble ensemble = sim.ensemble();
        if (!ensemble.quorum().containsQuorum(sim.reachableLiveMask(i))) {
            return a.state() == ServerState.LOOKING;
        }
        if (a.state() == ServerState.LEADING) {
            long followers = 1L << i;
            for (int f = 0; f < ensemble.size(); f++) {
                final MemberAgent b = sim.agent(ensemble.sid(f));
                if (b != null && !sim.isBlocked(sid, ensemble.sid(f)) && b.state() == ServerState.FOLLOWING
                    && b.leader() == sid && b.isServing()) {
                    followers |= 1L << f;
                }
            }
            return a.isServing() && ensemble.quorum().containsQuorum(followers);
        }
        if (a.state() == ServerState.FOLLOWING || a.state() == ServerState.OBSERVING) {
            final MemberAgent l = ensemble.indexOf(a.leader()) < 0 ? null : sim.agent(a.leader());
            return a.isServing() && l != null && !sim.isBlocked(sid, a.leader()) && l.state() == ServerState.LEADING
                && l.isServing();
        }
        return false;
    }

    @Override
    public TrialWrites end(final long drainNs) {
        isStopping = true;
        final long deadline = sim.nowNs() + drainNs;
        while ((!waiting.isEmpty() || hasOutstanding()) && sim.nowNs() - deadline < 0) {
            runFor(Math.min(STABLE_STEP_NS, deadline - sim.nowNs()));
        }
        long unanswered = waiting.size();
        for (final Offer o : offers) {
            unanswered += o.outstanding.size();
        }
        waiting.clear();
        offers.clear();
        final TrialWrites out = ledger.finish(issued, unanswered);
        nextSeq += issued;
        ledger = null;
        return out;
    }

    /**
     * The serving leader must hold every write the simulator saw acknowledged, this trial's and all
     * before ({@link Simulator#missingAcknowledgedWrite}); and the simulator's own invariants (one
     * leader per epoch, no acknowledged write lost at establishment, ...) must not have fired.
     */
    @Override
    public String missingAcknowledged(final TrialWrites writes) {
        final List<Violation> violations = sim.violations();
        if (violations.size() > violationsSeen) {
            final Violation v = violations.get(violationsSeen);
            violationsSeen = violations.size();
            return "simulator invariant " + v;
        }
        final long leader = servingLeader();
        if (leader < 0) {
            return writes.ackZxids().length == 0 ? null
                : "the acknowledged writes could not be checked: no serving leader (" + sim.describe() + ")";
        }
        return sim.missingAcknowledgedWrite(leader);
    }

    @Override
    public void close() {
    }

    private long nextActionNs() {
        final long now = sim.nowNs();
        long next = Long.MAX_VALUE;
        if (ledger != null && !isStopping) {
            next = ledger.schedule().intendedNs(issued);
        }
        if (!waiting.isEmpty()) {
            next = Math.min(next, hasGate ? retryAtNs : now);
        }
        if (hasOutstanding()) {
            next = Math.min(next, now + FINE_STEP_NS);
        }
        return Math.max(now, next);
    }

    /** At the current virtual time: issue due writes, collect commits, give up on lost leaders, offer what waits. */
    private void poll() {
        if (ledger == null) {
            return;
        }
        final long now = sim.nowNs();
        if (!isStopping) {
            for (final long due = ledger.schedule().dueBy(now); issued < due; issued++) {
                waiting.addLong(ledger.firstSeq() + issued);
            }
        }
        collectCommits(now);
        if (!waiting.isEmpty() && (!hasGate || now - retryAtNs >= 0)) {
            hasGate = false;
            offer(now);
        }
    }

    private void collectCommits(final long now) {
        final org.agrona.collections.Long2LongHashMap acknowledged = sim.writesAcknowledged();
        for (int k = offers.size() - 1; k >= 0; k--) {
            final Offer o = offers.get(k);
            while (true) {
                final long zxid = Zxid.make(o.epoch, o.nextCounter);
                final long tag = acknowledged.get(zxid);
                if (tag == acknowledged.missingValue()) {
                    break;
                }
                o.nextCounter++;
                o.outstanding.remove(tag);
                ledger.onCommitted(tag, zxid, now);
            }
            if (!isLeading(o.sid, o.epoch)) {
                requeueLost(o);
                offers.remove(k);
            }
        }
    }

    /** The writes a leader took and never committed: lost, and offered again in sequence order. */
    private void requeueLost(final Offer o) {
        scratch.clear();
        final LongHashSet.LongIterator it = o.outstanding.iterator();
        while (it.hasNext()) {
            scratch.addLong(it.nextValue());
        }
        scratch.sort(null);
        final LongArrayQueue rest = new LongArrayQueue(-1);
        while (!waiting.isEmpty()) {
            rest.addLong(waiting.pollLong());
        }
        for (int i = 0; i < scratch.size(); i++) {
            ledger.onLost();
            waiting.addLong(scratch.getLong(i));
        }
        while (!rest.isEmpty()) {
            waiting.addLong(rest.pollLong());
        }
    }

    private void offer(final long now) {
        final long leader = servingLeader();
        if (leader < 0) {
            gate(now);
            return;
        }
        final long epoch = sim.agent(leader).newEpoch();
        Offer o = offers.isEmpty() ? null : offers.get(offers.size() - 1);
        if (o == null || o.sid != leader || o.epoch != epoch) {
            o = new Offer(leader, epoch);
            offers.add(o);
        }
        while (!waiting.isEmpty()) {
            final long seq = waiting.peekLong();
            if (!sim.write(seq)) {
                gate(now);
                return;
            }
            waiting.pollLong();
            o.outstanding.add(seq);
        }
        collectCommits(now); // a lone leader commits at once
    }

    /** The server {@link Simulator#write} offers to: the first live one leading a serving epoch. */
    private long servingLeader() {
        for (int i = 0; i < sim.ensemble().size(); i++) {
            final long sid = sim.ensemble().sid(i);
            final MemberAgent a = sim.agent(sid);
            if (a != null && a.state() == ServerState.LEADING && a.isServing()) {
                return sid;
            }
        }
        return -1;
    }

    private boolean isLeading(final long sid, final long epoch) {
        final MemberAgent a = sim.agent(sid);
        return a != null && a.state() == ServerState.LEADING && a.isServing() && a.newEpoch() == epoch;
    }

    private void gate(final long now) {
        hasGate = true;
        retryAtNs = now + RETRY_NS;
    }
}
