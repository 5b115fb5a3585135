package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.loadgen.write.WriteDriver;

/**
 * Runs the trials of one pattern on one target and collects samples. A trial that does not recover
 * within its timeout is counted as failed (and the ensemble is rebuilt by restoring every server),
 * never dropped silently.
 */
public final class TrialRunner {
    private static final long STAGGER_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Writes run at least this long before the fault and after the trial settled, so a trial's write
     * latencies show the steady state around the disruption, not only the disruption.
     */
    static final long WRITE_MARGIN_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest a trial's end waits for its last writes to commit. */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);

    private final Target target;
    private final Ensemble ensemble;
    private final TrialAnalysis analysis;
    private final long timeoutNs;
    private final long holdNs;
    private final java.io.PrintStream log;
    private final WriteDriver writes;
    private ClientDriver clients;
    private long settleNs;

    /**
     * One measured election (a trial has several when it measures several).
     *
     * @param wallMs                when the fault was injected, on the wall clock (for interval logs)
     * @param faultNs               when the trial's disruption began, on the target's clock: the crash, cut or pause
     *                              (for the start patterns, the stop of every server; for follower-crash, the crash,
     *                              although its outcome counts from the restart)
     * @param writeUnavailabilityNs the longest stretch without a committed write around that instant
     *                              ({@link TrialWrites#unavailabilityNs}), or -1 without writes
     * @param failure               why the ensemble did not recover, with what each node reported then; null
     *                              when it recovered
     */
    public record Sample(TrialAnalysis.Outcome outcome, long notifications, String violation, long wallMs, long faultNs,
        long writeUnavailabilityNs, String failure) {
        Sample withWriteUnavailability(final long ns) {
            return new Sample(outcome, notifications, violation, wallMs, faultNs, ns, failure);
        }
    }

    /**
     * One trial: its samples; what its writes did (null without writes); its syncs that moved data
     * after the fault (null when none did); a safety violation of its writes (null when none); and what
     * its client sessions lived through (null without them).
     */
    public record Trial(List<Sample> samples, TrialWrites writes, SyncSummary syncs, String writeViolation,
        ClientTrial clients) {
    }

    /**
     * @param writes the open-loop writer for every trial, or null for none
     */
    TrialRunner(final Target target, final long timeoutNs, final long holdNs, final java.io.PrintStream log,
        final WriteDriver writes) {
        this.log = log;
        this.target = target;
        this.ensemble = target.ensemble();
        this.analysis = new TrialAnalysis(ensemble);
        this.timeoutNs = timeoutNs;
        this.holdNs = holdNs;
        this.writes = writes;
    }

    /**
     * How long each trial leaves the stable ensemble alone before its fault: a server restarted by the
     * previous trial is stable long before its JVM has finished loading and compiling, and on a small
     * machine that work competes with the failover the trial measures. A failover in production meets
     * a settled ensemble.
     */
    TrialRunner settle(final long ns) {
        this.settleNs = ns;
        return this;
    }

    /**
     * Client sessions through every trial ({@code --clients}): they start before the fault, which waits until
     * every session had a read and a write succeed; after the trial settled, they go on until every session
     * had both succeed again (up to the timeout), then stop.
     */
    TrialRunner clients(final ClientDriver driver) {
        this.clients = driver;
        return this;
    }

    /** Starts every server and waits for a stable ensemble. */
    void bootstrap() throws Exception {
        target.startAll(ensemble.sidsOf(ensemble.allMask()));
        stable("the initial election");
    }

    /**
     * Runs one trial. With writes: they start before the fault, and the fault waits (up to the
     * timeout) until one of them committed; after the trial settled, the writer goes on until a write
     * due after that point committed, then stops, waits for the rest, and the leader's history is
     * checked for every acknowledged write.
     */
    Trial trial(final Pattern pattern) throws Exception {
        if (settleNs > 0) {
            target.idle(settleNs);
        }
        target.drainEvents();
        target.drainSyncs();
        if (writes != null) {
            writes.begin();
        }
        if (clients != null) {
            clients.begin();
        }
        final long beganNs = target.nowNs();
        if (writes != null) {
            awaitCommitDueAfter(writes.startNs(), "a write before the fault");
        }
        awaitClientsAfter(beganNs, "before the fault");
        idleUntil(beganNs + WRITE_MARGIN_NS);
        final List<Sample> samples = samples(pattern);
        final long firstFaultNs = samples.isEmpty() ? target.nowNs() : samples.get(0).faultNs();
        final long settledNs = target.nowNs();
        awaitClientsAfter(settledNs, "after the trial settled");
        final ClientTrial clientTrial = clients == null ? null : endClients(firstFaultNs);
        if (writes == null) {
            return new Trial(samples, null, syncs(firstFaultNs), null, clientTrial);
        }
        awaitCommitDueAfter(settledNs, "a write after the trial settled");
        idleUntil(settledNs + WRITE_MARGIN_NS);
        final TrialWrites w = writes.end(Math.min(timeoutNs, DRAIN_NS));
        final String violation = writes.missingAcknowledged(w);
        final List<Sample> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            final long untilNs = i + 1 < samples.size() ? samples.get(i + 1).faultNs() : Long.MAX_VALUE;
            out.add(samples.get(i).withWriteUnavailability(w.unavailabilityNs(samples.get(i).faultNs(), untilNs)));
        }
        if (log != null) {
            log.printf("  writes: %d issued, %d committed, %d unknown%s%n", w.issued(), w.committed(), w.unknown(),
                violation == null ? "" : ", SAFETY " + violation);
            for (final Sample s : out) {
                final long end = w.longestGapEndNs(s.faultNs(), Long.MAX_VALUE);
                if (end != Long.MIN_VALUE) {
                    log.printf("    no commit from %+.3f ms to %+.3f ms after the fault%n",
                        (end - s.writeUnavailabilityNs() - s.faultNs()) / 1e6, (end - s.faultNs()) / 1e6);
                }
            }
        }
        return new Trial(out, w, syncs(firstFaultNs), violation, clientTrial);
    }

    /** The trial's syncs that moved data after its fault; each one logged in verbose mode. */
    private SyncSummary syncs(final long faultNs) throws Exception {
        final List<SyncEvent> events = target.drainSyncs();
        if (log != null) {
            for (final SyncEvent e : events) {
                if (e.tsNs() - faultNs >= 0) {
                    log.printf("    sync: %+.3f ms  %d %s %d txns %d bytes in %.3f ms%n", (e.tsNs() - faultNs) / 1e6,
                        e.sid(), e.mode(), e.txns(), e.bytes(), e.durationNs() / 1e6);
                }
            }
        }
        return SyncSummary.of(events, faultNs);
    }

    /** Lets time pass until every client session had a read and a write succeed at or after {@code sinceNs}. */
    private void awaitClientsAfter(final long sinceNs, final String when) throws Exception {
        if (clients == null) {
            return;
        }
        final long deadline = target.nowNs() + timeoutNs;
        while (clients.bothSucceededNs() == Long.MIN_VALUE || clients.bothSucceededNs() - sinceNs < 0) {
            if (target.nowNs() - deadline > 0) {
                if (log != null) {
                    log.println("  clients: not every session had a read and a write succeed " + when
                        + " within the timeout");
                }
                return;
            }
            target.idle(POLL_NS);
        }
    }

    private ClientTrial endClients(final long faultNs) {
        final ClientTrial c = clients.end(faultNs);
        if (log != null) {
            log.printf("  clients: %d sessions, %d expired, %d connection losses, %d session moved, %d other failures,"
                + " %d not recovered%n", c.sessions(), c.expired(), c.connectionLosses(), c.sessionMoves(),
                c.otherFailures(), c.unrecovered());
        }
        return c;
    }

    /** Lets time pass until a write due at or after {@code dueNs} committed, or the timeout. */
    private void awaitCommitDueAfter(final long dueNs, final String what) throws Exception {
        final long deadline = target.nowNs() + timeoutNs;
        while (writes.maxCommittedIntendedNs() == Long.MIN_VALUE || writes.maxCommittedIntendedNs() - dueNs < 0) {
            if (target.nowNs() - deadline > 0) {
                if (log != null) {
                    log.println("  writes: no commit of " + what + " within the timeout");
                }
                return;
            }
            target.idle(POLL_NS);
        }
    }

    private void idleUntil(final long untilNs) throws Exception {
        final long left = untilNs - target.nowNs();
        if (left > 0) {
            target.idle(left);
        }
    }

    private List<Sample> samples(final Pattern pattern) throws Exception {
        switch (pattern) {
            case COLD_START:
                return List.of(start(false));
            case STAGGERED_START:
                return List.of(start(true));
            case LEADER_CRASH:
                return List.of(crash(1, true));
            case LEADER_FOLLOWER_CRASH:
                return List.of(crash(2, true));
            case MINORITY_CRASH:
                return List.of(crash((ensemble.size() - 1) / 2, true));
            case FOLLOWER_CRASH:
                return List.of(followerCrash());
            case ROLLING_RESTART:
                return List.of(rollingRestart());
            case REPEATED_LEADER_KILLS:
                return repeatedKills();
            case PARTITION_LEADER:
                return List.of(partitionLeader());
            case SPLIT_HALVES:
                return List.of(splitHalves());
            case LEADER_PAUSE:
                return List.of(pauseLeader());
            case ONE_WAY_LEADER:
                return List.of(oneWayLeader());
            default:
                throw new IllegalStateException(pattern.name());
        }
    }

    private Sample start(final boolean isStaggered) throws Exception {
        final long stopNs = target.nowNs();
        for (int i = 0; i < ensemble.size(); i++) {
            target.crash(ensemble.sid(i));
        }
        target.idle(POLL_NS);
        target.drainEvents();
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        long faultNs = target.nowNs();
        final int quorum = ensemble.size() / 2 + 1;
        if (!isStaggered) {
            target.startAll(ensemble.sidsOf(ensemble.allMask()));
        }
        for (int i = 0; isStaggered && i < ensemble.size(); i++) {
            if (i > 0) {
                target.idle(STAGGER_NS);
            }
            if (i == quorum - 1) {
                faultNs = target.nowNs();
            }
            target.start(ensemble.sid(i));
        }
        return measure(before, faultNs, -1, msgs, true, stopNs);
    }

    private Sample crash(final int count, final boolean withLeader) throws Exception {
        final long leader = leader();
        final List<Long> victims = new ArrayList<>();
        if (withLeader) {
            victims.add(leader);
        }
        for (int i = ensemble.size() - 1; i >= 0 && victims.size() < count; i--) {
            if (ensemble.sid(i) != leader) {
                victims.add(ensemble.sid(i));
            }
        }
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        final long faultNs = target.nowNs();
        target.crashAll(victims.stream().mapToLong(Long::longValue).toArray());
        final Sample s = measure(before, faultNs, leader, msgs, false, faultNs);
        startIfDown(victims);
        stable("restarting " + victims);
        return s;
    }

    /** How long a stable ensemble's restarted follower may take to have its SERVING event drained. */
    static final long SERVING_EVENT_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    /** The leader must survive a follower's crash; the sample is the follower's rejoin after restart. */
    private Sample followerCrash() throws Exception {
        final long leader = leader();
        final long victim = ensemble.sid(ensemble.indexOf(leader) == ensemble.size() - 1 ? 0 : ensemble.size() - 1);
        final long crashNs = target.nowNs();
        target.crash(victim);
        target.idle(holdNs);
        final Map<Long, NodeView> mid = target.snapshot();
        final String violation = "LEADING".equals(mid.get(leader).state()) ? null
            : "the leader " + leader + " lost its role when follower " + victim + " crashed";
        target.drainEvents();
        final long msgs = target.notificationsSent();
        final long restartNs = target.nowNs();
        target.start(victim);
        final boolean ok = target.awaitStable(timeoutNs);
        long rejoin = -1;
        // A watcher publishes a server's new view before the event that says so: once the views are stable,
        // the victim's SERVING event may still be on its way, so it gets a moment to arrive.
        final long eventDeadline = System.nanoTime() + (ok ? SERVING_EVENT_GRACE_NS : 0);
        do {
            for (final TrialEvent e : target.drainEvents()) {
                if (e.sid() == victim && TrialEvent.SERVING.equals(e.state()) && rejoin < 0) {
                    rejoin = e.tsNs() - restartNs;
                }
            }
            if (rejoin < 0 && System.nanoTime() - eventDeadline < 0) {
                target.idle(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } while (rejoin < 0 && System.nanoTime() - eventDeadline < 0);
        String failure = null;
        if (!ok || rejoin < 0) {
            failure = describe("follower " + victim + (ok ? " settled without reporting serving"
                : " did not rejoin within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s"));
            if (!ok) {
                restore(failure);
            }
        }
        return new Sample(new TrialAnalysis.Outcome(-1, rejoin, rejoin, leader, 0),
            delta(target.notificationsSent(), msgs), violation, System.currentTimeMillis(), crashNs, -1, failure);
    }

    private Sample rollingRestart() throws Exception {
        final long leader = leader();
        for (int i = 0; i < ensemble.size(); i++) {
            final long sid = ensemble.sid(i);
            if (sid != leader) {
                target.crash(sid);
                target.start(sid);
                stable("restarting follower " + sid);
            }
        }
        return crash(1, true);
    }

    private List<Sample> repeatedKills() throws Exception {
        final List<Sample> samples = new ArrayList<>();
        final List<Long> killed = new ArrayList<>();
        for (int k = 0; k < (ensemble.size() - 1) / 2; k++) {
            target.drainEvents();
            final long leader = leader();
            final Map<Long, NodeView> before = target.snapshot();
            final long msgs = target.notificationsSent();
            final long faultNs = target.nowNs();
            target.crash(leader);
            killed.add(leader);
            final Sample s = measure(before, faultNs, leader, msgs, false, faultNs);
            samples.add(s);
            if (!s.outcome().isRecovered() || !target.awaitStable(timeoutNs)) {
                break;
            }
        }
        startIfDown(killed);
        stable("restarting " + killed);
        return samples;
    }

    private Sample partitionLeader() throws Exception {
        final long leader = leader();
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        final long faultNs = target.nowNs();
        target.partition(new long[][] {{leader}, othersThan(leader)});
        final Sample s = measure(before, faultNs, leader, msgs, false, faultNs);
        target.heal();
        stable("healing the partition");
        return s;
    }

    /** The leader stops hearing the others (a one-way cut on its side); measured like partition-leader. */
    private Sample oneWayLeader() throws Exception {
        final long leader = leader();
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        final long faultNs = target.nowNs();
        if (!target.cutOneWay(leader, othersThan(leader))) {
            throw new IllegalStateException("the " + target.name() + " target cannot cut a link one way");
        }
        final Sample s = measure(before, faultNs, leader, msgs, false, faultNs);
        target.heal();
        stable("healing the one-way cut");
        return s;
    }

    private Sample splitHalves() throws Exception {
        final long leader = leader();
        final long[] others = othersThan(leader);
        final int small = ensemble.size() / 2;
        final long[] minority = new long[small];
        final long[] majority = new long[ensemble.size() - small];
        minority[0] = leader;
        System.arraycopy(others, 0, minority, 1, small - 1);
        System.arraycopy(others, small - 1, majority, 0, majority.length);
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        final long splitNs = target.nowNs();
        target.partition(new long[][] {minority, majority});
        if (ensemble.size() % 2 == 1) {
            final Sample s = measure(before, splitNs, leader, msgs, false, splitNs);
            target.heal();
            stable("healing the split");
            return s;
        }
        target.idle(holdNs);
        final Map<Long, NodeView> split = target.snapshot();
        target.drainEvents();
        final long healNs = target.nowNs();
        target.heal();
        final Sample s = measure(split, healNs, -1, msgs, false, splitNs);
        stable("healing the split");
        return s;
    }

    private Sample pauseLeader() throws Exception {
        final long leader = leader();
        final Map<Long, NodeView> before = target.snapshot();
        final long msgs = target.notificationsSent();
        final long faultNs = target.nowNs();
        if (!target.pause(leader)) {
            throw new UnsupportedOperationException("the " + target.name() + " target cannot pause a server");
        }
        final Sample s = measure(before, faultNs, leader, msgs, false, faultNs);
        target.resume(leader);
        stable("resuming the paused leader");
        return s;
    }

    /**
     * Polls events until the analysis sees a ready leader or the timeout passes.
     *
     * @param faultNs     the instant the outcome's times count from
     * @param disruptedNs when the disruption began (the sample's {@link Sample#faultNs})
     */
    private Sample measure(final Map<Long, NodeView> before, final long faultNs, final long exclude, final long msgs,
        final boolean isStart, final long disruptedNs) throws Exception {
        final List<TrialEvent> events = new ArrayList<>();
        final long deadline = target.nowNs() + timeoutNs;
        TrialAnalysis.Outcome outcome;
        do {
            target.idle(POLL_NS);
            events.addAll(target.drainEvents());
            outcome = analysis.analyze(before, events, faultNs, exclude);
        } while (!outcome.isRecovered() && target.nowNs() - deadline < 0);
        final long notifications = delta(target.notificationsSent(), msgs);
        if (log != null) {
            log.printf("  trial: %s%n", outcome);
            events.stream().sorted(java.util.Comparator.comparingLong(TrialEvent::tsNs)).forEach(e ->
                log.printf("    %+10.3f ms  %d %s%s%n", (e.tsNs() - faultNs) / 1e6, e.sid(), e.state(),
                    e.leader() > 0 ? " leader " + e.leader() : ""));
        }
        if (!outcome.isRecovered()) {
            final String failure = describe((outcome.leaderNs() < 0 ? "no leader with a quorum of followers"
                : "leader " + outcome.leader() + " did not report serving") + " within "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s after " + events.size() + " events");
            restore(failure);
            return new Sample(outcome, notifications, null, System.currentTimeMillis(), disruptedNs, -1, failure);
        }
        if (isStart) {
            stable("the start");
        }
        return new Sample(outcome, notifications, null, System.currentTimeMillis(), disruptedNs, -1, null);
    }

    /** A counter's growth, or -1 when the target cannot count (ZooKeeper). */
    private static long delta(final long now, final long before) {
        return now < 0 || before < 0 ? -1 : now - before;
    }

    /** Restarts those of {@code sids} still down (a failed trial's restore may have started them already). */
    private void startIfDown(final List<Long> sids) throws Exception {
        final Map<Long, NodeView> now = target.snapshot();
        for (final long sid : sids) {
            if (!now.get(sid).isUp()) {
                target.start(sid);
            }
        }
    }

    private long leader() throws Exception {
        for (final NodeView v : target.snapshot().values()) {
            if (v.isUp() && "LEADING".equals(v.state())) {
                return v.sid();
            }
        }
        throw new IllegalStateException("no leader before the fault");
    }

    private long[] othersThan(final long sid) {
        final long[] out = new long[ensemble.size() - 1];
        int n = 0;
        for (int i = 0; i < ensemble.size(); i++) {
            if (ensemble.sid(i) != sid) {
                out[n++] = ensemble.sid(i);
            }
        }
        return out;
    }

    private void stable(final String after) throws Exception {
        if (!target.awaitStable(timeoutNs)) {
            restore("not stable after " + after);
        }
    }

    /** {@code why}, followed by what every node reports now (or that it cannot be asked). */
    private String describe(final String why) {
        final StringBuilder b = new StringBuilder(why).append("; nodes then:");
        try {
            for (final NodeView v : target.snapshot().values()) {
                b.append(' ').append(v.sid()).append('=');
                if (!v.isUp()) {
                    b.append("down");
                } else {
                    b.append(v.state());
                    if (v.leader() > 0 && !"LOOKING".equals(v.state())) {
                        b.append("(leader ").append(v.leader()).append(v.isServing() ? ", serving)" : ")");
                    }
                }
            }
        } catch (final Exception ex) {
            b.append(" unknown (").append(ex.getMessage()).append(')');
        }
        return b.toString();
    }

    /** Heals, resumes and (re)starts everything; fails the run if even that does not settle. */
    private void restore(final String why) throws Exception {
        if (log != null) {
            log.println("  restoring: " + why);
        }
        target.heal();
        for (final NodeView v : target.snapshot().values()) {
            if (!v.isUp()) {
                target.start(v.sid());
            } else {
                target.resume(v.sid());
            }
        }
        if (!target.awaitStable(timeoutNs)) {
            throw new IllegalStateException(why + ", and the ensemble did not settle after a full restore: "
                + target.snapshot());
        }
    }
}
