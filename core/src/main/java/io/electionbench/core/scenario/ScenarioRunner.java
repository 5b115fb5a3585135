package io.electionbench.core.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.network.NetworkModel;

/**
 * Replays a {@link Scenario} in the {@link Simulator}. Every command but {@code run} and
 * {@code expect} is followed by running until the ensemble is stable, bounded by 60 s of virtual
 * time; {@code expect} is judged at that instant. At the end the simulator checks that the
 * ensemble converged (every serving member's history equals its leader's, which holds every
 * acknowledged write); a violation fails the scenario.
 */
public final class ScenarioRunner {
    /** How long a command may take to settle, in virtual time. */
    public static final long SETTLE_BOUND_NS = TimeUnit.SECONDS.toNanos(60);
    /** Write tags start here so a scenario's writes never look like a pre-set history's payloads. */
    private static final long FIRST_WRITE_TAG = 1L << 48;

    private final Scenario scenario;
    private final ElectionPolicy policyOverride;
    private final List<ScenarioResult.Expectation> expectations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Simulator sim;
    private Ensemble.Builder builder;
    private ElectionPolicy policy = ElectionPolicy.defaultPolicy();
    private long seed = 1;
    private final List<Command> setup = new ArrayList<>();
    /** Servers started at least once: only those can be restarted. */
    private final java.util.Set<Long> started = new java.util.HashSet<>();
    /** Each server's newest snapshot taken with {@code take-snapshot} (or {@code snapshot}), by sid. */
    private final Map<Long, Long> takenSnapshots = new TreeMap<>();
    private long nextWriteTag = FIRST_WRITE_TAG;
    /** False when the next command but expectations is a {@code run until}: the current one does not settle. */
    private boolean settleNext = true;
    /** When the command before the expectations being judged began, in virtual time, and its line. */
    private long commandStartNs;
    private int commandLine;
    /** The time-bounded expectations after the current command: since when each has held, -1 if it does not. */
    private final Map<Command.Expect, Long> trackers = new java.util.LinkedHashMap<>();

    private ScenarioRunner(final Scenario scenario, final ElectionPolicy policyOverride) {
        this.scenario = scenario;
        this.policyOverride = policyOverride;
    }

    /**
     * Runs a scenario.
     *
     * @param policyOverride a policy that replaces the file's {@code policy} line, or null
     * @throws ScenarioException when a command cannot be carried out (starting a running server, ...)
     */
    public static ScenarioResult run(final Scenario scenario, final ElectionPolicy policyOverride)
        throws ScenarioException {
        return new ScenarioRunner(scenario, policyOverride).runAll();
    }

    private ScenarioResult runAll() throws ScenarioException {
        final List<Command> commands = scenario.commands();
        for (int i = 0; i < commands.size(); i++) {
            final Command command = commands.get(i);
            try {
                if (!(command instanceof Command.Expect)) {
                    beginCommand(commands, i);
                }
                settleNext = !isFollowedByRunUntil(commands, i);
                execute(command);
            } catch (final SetupFailure ex) {
                throw new ScenarioException(scenario.file(), ex.line, ex.getMessage());
            } catch (final IllegalArgumentException | IllegalStateException ex) {
                throw new ScenarioException(scenario.file(), command.line(), ex.getMessage());
            }
        }
        simulator().checkConverged();
        for (final Violation v : sim.violations()) {
            notes.add("invariant violated: " + v);
        }
        final boolean passed =
            sim.violations().isEmpty() && expectations.stream().allMatch(ScenarioResult.Expectation::ok);
        if (expectations.isEmpty()) {
            notes.add("no expectations: only the invariants were checked");
        }
        return new ScenarioResult(scenario.file(), policy.name(), seed, sim.nowNs(), passed, expectations, notes,
            finalState());
    }

    /**
     * A command other than an expectation begins: the expectations after it with a time bound are
     * tracked from now, as its run steps, until it ends.
     */
    private void beginCommand(final List<Command> commands, final int i) {
        commandStartNs = sim == null ? 0 : sim.nowNs();
        commandLine = commands.get(i).line();
        trackers.clear();
        for (int j = i + 1; j < commands.size() && commands.get(j) instanceof Command.Expect e; j++) {
            if (e.withinNs() >= 0) {
                trackers.put(e, -1L);
            }
        }
    }

    /** True when the next command but expectations is a {@code run until}. */
    private static boolean isFollowedByRunUntil(final List<Command> commands, final int i) {
        for (int j = i + 1; j < commands.size(); j++) {
            if (!(commands.get(j) instanceof Command.Expect)) {
                return commands.get(j) instanceof Command.RunUntil;
            }
        }
        return false;
    }

    private void execute(final Command command) {
        if (command instanceof Command.Ensemble c) {
            builder = Ensemble.builder();
            for (int sid = 1; sid <= c.size(); sid++) {
                builder.participant(sid);
            }
            for (final long sid : c.observers()) {
                builder.observer(sid);
            }
        } else if (command instanceof Command.Group c) {
            builder.group(c.group(), c.sids());
        } else if (command instanceof Command.Weight c) {
            builder.weight(c.sid(), c.weight());
        } else if (command instanceof Command.Policy c) {
            policy = ElectionPolicy.byName(c.name());
        } else if (command instanceof Command.Seed c) {
            seed = c.seed();
        } else if (command instanceof Command.State c) {
            if (sim != null) {
                throw new IllegalStateException(
                    "'state' sets a server's history before the ensemble runs; put it before the first action");
            }
            setup.add(c);
        } else if (command instanceof Command.Snapshot c) {
            if (sim == null) {
                setup.add(c);
            } else {
                snapshot(sim, c);
                takenSnapshots.put(c.sid(), c.uptoZxid());
                if (sim.isUp(c.sid())) {
                    // A snapshot, the purge of the log before it and a window that starts after it: what a
                    // restart from that snapshot leaves, and what this command has always meant.
                    sim.agent(c.sid()).committedWindow().dropBefore(c.uptoZxid() + 1);
                }
            }
        } else if (command instanceof Command.TakeSnapshot c) {
            if (sim == null) {
                setup.add(c);
            } else {
                takeSnapshot(sim, c);
            }
        } else if (command instanceof Command.Purge c) {
            if (sim == null) {
                setup.add(c);
            } else {
                purge(sim, c);
            }
        } else if (command instanceof Command.Window c) {
            window(c);
        } else if (command instanceof Command.Expect c) {
            expect(c);
        } else {
            act(command);
        }
    }

    private void act(final Command command) {
        final Simulator s = simulator();
        if (command instanceof Command.Run c) {
            if (trackers.isEmpty()) {
                s.runFor(c.durationNs());
            } else {
                runTracked(() -> false, c.durationNs());
            }
            return;
        }
        if (command instanceof Command.Fault c) {
            s.faultMessages(c.fault());
            track();
            return;
        }
        if (command instanceof Command.RunUntil c) {
            runUntil(s, c);
            return;
        }
        if (command instanceof Command.Start c) {
            for (final long sid : c.sids()) {
                s.start(sid);
                started.add(sid);
                windowAfterTakenSnapshot(s, sid);
            }
        } else if (command instanceof Command.Crash c) {
            for (final long sid : c.sids()) {
                s.crash(sid);
            }
        } else if (command instanceof Command.Restart c) {
            for (final long sid : c.sids()) {
                if (s.isUp(sid)) {
                    throw new IllegalStateException("server " + sid + " is running; crash it before restarting it");
                }
                if (!started.contains(sid)) {
                    throw new IllegalStateException(
                        "server " + sid + " was never started; 'start " + sid + "' starts it");
                }
                s.start(sid);
                windowAfterTakenSnapshot(s, sid);
            }
        } else if (command instanceof Command.Partition c) {
            s.partition(c.groups());
        } else if (command instanceof Command.Heal) {
            s.heal();
        } else if (command instanceof Command.Write c) {
            write(s, c);
        }
        if (!settleNext) {
            track();
        } else if (!runTracked(s::isStable, SETTLE_BOUND_NS)) {
            notes.add("line " + command.line() + ": not stable within 60 s of virtual time after '"
                + command.text() + "'");
        }
    }

    /**
     * Runs until {@code condition} holds or {@code boundNs} passes, updating the tracked expectations
     * after every step when there are any.
     */
    private boolean runTracked(final java.util.function.BooleanSupplier condition, final long boundNs) {
        if (trackers.isEmpty()) {
            return sim.runUntil(condition, boundNs);
        }
        final boolean reached = sim.runUntil(() -> {
            track();
            return condition.getAsBoolean();
        }, boundNs);
        track();
        return reached;
    }

    /** For each tracked expectation: since when it has held without a break (-1 while it does not hold). */
    private void track() {
        for (final Map.Entry<Command.Expect, Long> t : trackers.entrySet()) {
            if (!holds(t.getKey())) {
                t.setValue(-1L);
            } else if (t.getValue() < 0) {
                t.setValue(sim.nowNs());
            }
        }
    }

    /** {@code run until}: a failed expectation naming the line when the event does not come within its bound. */
    private void runUntil(final Simulator s, final Command.RunUntil c) {
        final java.util.function.BooleanSupplier event;
        if (c.kind() == Command.UntilKind.SYNC) {
            event = () -> {
                final MemberAgent a = s.agent(c.sid());
                return a != null && a.learnerStep() == io.electionbench.core.zab.Follower.Step.SYNCING;
            };
        } else {
            event = () -> stateOf(s, c.sid()).equals(c.state());
        }
        if (!runTracked(event, c.boundNs())) {
            final MemberAgent a = s.agent(c.sid());
            final String now = c.kind() == Command.UntilKind.SYNC
                ? "server " + c.sid() + " is " + stateOf(s, c.sid())
                    + (a == null ? "" : ", learner step " + a.learnerStep())
                : describeLeadership(s);
            expectations.add(new ScenarioResult.Expectation(c.line(), c.text(), false,
                "not reached within " + formatNs(c.boundNs()) + " of virtual time; at the end " + now));
        }
    }

    private static String formatNs(final long ns) {
        return ns % 1_000_000_000L == 0 ? ns / 1_000_000_000L + " s" : ns % 1_000_000 == 0 ? ns / 1_000_000 + " ms"
            : String.format(java.util.Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    private Simulator simulator() {
        if (sim == null) {
            if (policyOverride != null) {
                policy = policyOverride;
            }
            sim = new Simulator(builder.build(), policy, NodeTiming.DEFAULT, NetworkModel.LAN, seed);
            for (final Command c : setup) {
                try {
                    if (c instanceof Command.State st) {
                        for (final long[] range : st.ranges()) {
                            sim.storage(st.sid()).appendRange(
                                Zxid.epoch(range[0]), Zxid.counter(range[0]), Zxid.counter(range[1]));
                        }
                        sim.storage(st.sid()).epochs(st.epoch(), st.acceptedEpoch());
                        if (st.newEpochZxid()) {
                            newEpochSnapshot(sim, st);
                        }
                    } else if (c instanceof Command.TakeSnapshot tc) {
                        takeSnapshot(sim, tc);
                    } else if (c instanceof Command.Purge pc) {
                        purge(sim, pc);
                    } else {
                        final Command.Snapshot sc = (Command.Snapshot)c;
                        snapshot(sim, sc);
                        takenSnapshots.put(sc.sid(), sc.uptoZxid());
                    }
                } catch (final IllegalArgumentException | IllegalStateException ex) {
                    throw new SetupFailure(c.line(), ex.getMessage());
                }
            }
        }
        return sim;
    }

    /**
     * {@code take-snapshot N at Z}: N takes a snapshot at Z, which changes nothing it holds (ZooKeeper's
     * SNAP is serialized from the live database, and its log and committed window keep every txn) until
     * a {@code purge} deletes the log before it, or a restart fills the window from the log after it only.
     */
    private void takeSnapshot(final Simulator s, final Command.TakeSnapshot c) {
        final io.electionbench.core.log.TxnLog log = s.storage(c.sid()).log();
        if (c.atZxid() > log.lastZxid() || c.atZxid() < log.snapshotZxid() || c.atZxid() < 0) {
            throw new IllegalArgumentException("server " + c.sid() + " cannot take a snapshot at "
                + Zxid.toString(c.atZxid()) + ": its history ends at " + Zxid.toString(log.lastZxid())
                + (log.snapshotZxid() < 0 ? "" : " and its log starts after " + Zxid.toString(log.snapshotZxid())));
        }
        takenSnapshots.put(c.sid(), c.atZxid());
    }

    /** {@code purge N}: N's log before its newest snapshot taken is deleted (ZooKeeper's PurgeTxnLog). */
    private void purge(final Simulator s, final Command.Purge c) {
        final Long at = takenSnapshots.get(c.sid());
        if (at == null) {
            throw new IllegalArgumentException("server " + c.sid() + " has taken no snapshot to purge its log up to;"
                + " 'take-snapshot " + c.sid() + " at E:C' takes one");
        }
        snapshot(s, new Command.Snapshot(c.line(), c.text(), c.sid(), at));
    }

    /** {@code window N from Z}: N's in-memory committed window drops every txn before Z. */
    private void window(final Command.Window c) {
        if (sim == null || !sim.isUp(c.sid())) {
            throw new IllegalArgumentException("server " + c.sid() + " is not running: only a running server has an"
                + " in-memory committed window (a start fills it from its log)");
        }
        sim.agent(c.sid()).committedWindow().dropBefore(c.fromZxid());
    }

    /** A started server fills its window from its log; with a snapshot taken, only from the txns after it. */
    private void windowAfterTakenSnapshot(final Simulator s, final long sid) {
        final Long at = takenSnapshots.get(sid);
        if (at != null) {
            s.agent(sid).committedWindow().dropBefore(at + 1);
        }
    }

    /**
     * A history that ends in a new-epoch zxid E:0: its txns held in a snapshot taken at E:0, with the
     * history's digest, as a learner synced by SNAP from a leader at E:0 holds them.
     */
    private static void newEpochSnapshot(final Simulator s, final Command.State st) {
        final io.electionbench.core.log.TxnLog log = s.storage(st.sid()).log();
        final long digest = log.digest();
        final org.agrona.concurrent.UnsafeBuffer state = new org.agrona.concurrent.UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 8; i++) {
            state.putLong(i * 8, st.lastZxid() * (i + 1) ^ digest);
        }
        log.installSnapshot(st.lastZxid(), digest, state, 0, state.capacity());
    }

    /** Compacts a server's log up to a zxid it holds; the state bytes stand for the data tree at that point. */
    private static void snapshot(final Simulator s, final Command.Snapshot c) {
        final io.electionbench.core.log.TxnLog log = s.storage(c.sid()).log();
        if (c.uptoZxid() > log.lastZxid() || c.uptoZxid() < log.snapshotZxid()) {
            throw new IllegalArgumentException("server " + c.sid() + " cannot snapshot up to "
                + Zxid.toString(c.uptoZxid()) + ": its history ends at " + Zxid.toString(log.lastZxid())
                + (log.snapshotZxid() < 0
                    ? " and it has no snapshot"
                    : " and its snapshot covers up to " + Zxid.toString(log.snapshotZxid())));
        }
        final org.agrona.concurrent.UnsafeBuffer state = new org.agrona.concurrent.UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 8; i++) {
            state.putLong(i * 8, c.uptoZxid() * (i + 1) ^ log.digest());
        }
        log.snapshot(c.uptoZxid(), state, 0, state.capacity());
    }

    /**
     * {@code write N}: N writes offered to the serving leader, pipelined in batches the leader can
     * hold outstanding at once ({@link MemberAgent#MAX_OUTSTANDING}); all must commit.
     */
    private void write(final Simulator s, final Command.Write c) {
        final int before = s.writesAcknowledged().size();
        final long refusedBefore = s.writesNotAcknowledged();
        int offered = 0;
        while (offered < c.count()) {
            final int batchEnd = (int)Math.min(c.count(), (long)offered + WRITE_BATCH);
            final int batchStart = offered;
            while (offered < batchEnd && s.write(nextWriteTag)) {
                nextWriteTag++;
                offered++;
            }
            runTracked(s::isStable, SETTLE_BOUND_NS);
            if (offered == batchStart || s.writesNotAcknowledged() != refusedBefore) {
                break;
            }
        }
        final int committed = s.writesAcknowledged().size() - before;
        final long refused = s.writesNotAcknowledged() - refusedBefore;
        if (offered < c.count() || committed < c.count()) {
            final String actual;
            if (offered < c.count() && refused == 0) {
                actual = "no serving leader took the writes (" + offered + " of " + c.count() + " offered)";
            } else {
                actual = committed + " of " + c.count() + " committed"
                    + (refused > 0 ? ", " + refused + " refused by the leader" : "");
            }
            expectations.add(new ScenarioResult.Expectation(c.line(), c.text(), false, actual));
        }
    }

    /** Writes offered before the simulation runs again: well under what a leader holds outstanding. */
    private static final int WRITE_BATCH = MemberAgent.MAX_OUTSTANDING / 4;

    /** A setup command (state, snapshot) that failed when the ensemble was built at the first action. */
    private static final class SetupFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final int line;

        SetupFailure(final int line, final String message) {
            super(message);
            this.line = line;
        }
    }

    private void expect(final Command.Expect c) {
        final Simulator s = simulator();
        final boolean holds = holds(c);
        String actual = actual(c);
        boolean ok = holds;
        if (c.withinNs() >= 0) {
            Long since = trackers.get(c);
            if (since == null || since < 0) {
                since = holds ? s.nowNs() : -1;
            }
            final long after = since - commandStartNs;
            if (holds && after > c.withinNs()) {
                ok = false;
                actual += "; holding only since " + formatNs(after) + " after line " + commandLine + " began, past "
                    + formatNs(c.withinNs());
            }
        }
        expectations.add(new ScenarioResult.Expectation(c.line(), c.text(), ok, actual));
    }

    /** Whether an expectation holds now; cheap enough to check after every step of a tracked run. */
    private boolean holds(final Command.Expect c) {
        final Simulator s = simulator();
        switch (c.kind()) {
            case LEADER:
                return isLeaderOf(s, c.sid());
            case NO_LEADER:
                return leaders(s).isEmpty();
            case STATE:
                return stateOf(s, c.sid()).equals(c.value());
            case ZXID:
                return s.storage(c.sid()).lastLoggedZxid() == Zxid.parse(c.value());
            case SYNC: {
                final MemberAgent a = s.agent(c.sid());
                return a != null && a.lastSyncMode() != null && a.lastSyncMode().name().equals(c.value());
            }
            case LOG_EQUAL: {
                for (final long sid : c.sids()) {
                    if (!s.logsEqual(c.sids()[0], sid)) {
                        return false;
                    }
                }
                return true;
            }
            case EPOCH:
                return s.storage(c.sid()).currentEpoch() == Long.parseLong(c.value());
            case ACCEPTED_EPOCH:
                return s.storage(c.sid()).acceptedEpoch() == Long.parseLong(c.value());
            case ROUND: {
                final MemberAgent a = s.agent(c.sid());
                return a != null && a.logicalClock() == Long.parseLong(c.value());
            }
            default:
                throw new IllegalStateException("unknown expectation " + c.kind());
        }
    }

    /** What was seen, in the expectation's terms. */
    private String actual(final Command.Expect c) {
        final Simulator s = simulator();
        switch (c.kind()) {
            case LEADER:
            case NO_LEADER:
                return describeLeadership(s);
            case STATE:
                return stateOf(s, c.sid());
            case ZXID:
                return Zxid.toString(s.storage(c.sid()).lastLoggedZxid());
            case SYNC: {
                final MemberAgent a = s.agent(c.sid());
                return a == null ? "DOWN" : a.lastSyncMode() == null ? "never synced" : a.lastSyncMode().name();
            }
            case LOG_EQUAL: {
                final StringBuilder text = new StringBuilder();
                for (final long sid : c.sids()) {
                    text.append(text.length() == 0 ? "" : ", ").append(sid).append(": ")
                        .append(Zxid.toString(s.storage(sid).lastLoggedZxid()))
                        .append(" #").append(Long.toHexString(s.storage(sid).log().digest()));
                }
                return text.toString();
            }
            case EPOCH:
                return Long.toString(s.storage(c.sid()).currentEpoch());
            case ACCEPTED_EPOCH:
                return Long.toString(s.storage(c.sid()).acceptedEpoch());
            case ROUND: {
                final MemberAgent a = s.agent(c.sid());
                return a == null ? "DOWN" : Long.toString(a.logicalClock());
            }
            default:
                throw new IllegalStateException("unknown expectation " + c.kind());
        }
    }

    /** Exactly one LEADING server, {@code sid}, and every live voter that can reach it follows it. */
    private static boolean isLeaderOf(final Simulator s, final long sid) {
        final List<Long> leaders = leaders(s);
        if (leaders.size() != 1 || leaders.get(0) != sid) {
            return false;
        }
        final Ensemble e = s.ensemble();
        for (int i = 0; i < e.size(); i++) {
            final long other = e.sid(i);
            final MemberAgent a = s.agent(other);
            if (other == sid || a == null || !e.quorum().isVoter(i) || s.isBlocked(other, sid)) {
                continue;
            }
            if (a.state() != ServerState.FOLLOWING || a.leader() != sid) {
                return false;
            }
        }
        return true;
    }

    private static List<Long> leaders(final Simulator s) {
        final List<Long> leaders = new ArrayList<>();
        final Ensemble e = s.ensemble();
        for (int i = 0; i < e.size(); i++) {
            final MemberAgent a = s.agent(e.sid(i));
            if (a != null && a.state() == ServerState.LEADING) {
                leaders.add(e.sid(i));
            }
        }
        return leaders;
    }

    private static String describeLeadership(final Simulator s) {
        final StringBuilder sb = new StringBuilder();
        final List<Long> leaders = leaders(s);
        sb.append(leaders.isEmpty() ? "no leader"
            : leaders.size() == 1 ? "leader " + leaders.get(0) : "leaders " + leaders);
        sb.append(" (");
        final Ensemble e = s.ensemble();
        for (int i = 0; i < e.size(); i++) {
            final long sid = e.sid(i);
            final MemberAgent a = s.agent(sid);
            sb.append(i == 0 ? "" : ", ").append(sid).append('=').append(stateOf(s, sid));
            if (a != null && a.leader() >= 0 && a.state() != ServerState.LEADING) {
                sb.append('>').append(a.leader());
            }
        }
        return sb.append(')').toString();
    }

    private static String stateOf(final Simulator s, final long sid) {
        final MemberAgent a = s.agent(sid);
        return a == null ? "DOWN" : a.state().name();
    }

    private Map<Long, ScenarioResult.NodeSummary> finalState() {
        final Map<Long, ScenarioResult.NodeSummary> out = new TreeMap<>();
        final Ensemble e = sim.ensemble();
        for (int i = 0; i < e.size(); i++) {
            final long sid = e.sid(i);
            final MemberAgent a = sim.agent(sid);
            out.put(sid, new ScenarioResult.NodeSummary(
                stateOf(sim, sid), a == null ? -1 : a.leader(), sim.storage(sid).currentEpoch(),
                Zxid.toString(sim.storage(sid).lastLoggedZxid())));
        }
        return out;
    }
}
