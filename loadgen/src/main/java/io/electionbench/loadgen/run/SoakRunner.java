package io.electionbench.loadgen.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.Tmpfs;
import io.electionbench.loadgen.write.LeaderLog;
import io.electionbench.loadgen.write.SocketWriteDriver;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.loadgen.write.WriteDriver;

/**
 * A soak (docs/loadgen.md, "Soak"): an ensemble of node processes ({@link ProcessTarget}) under
 * open-loop writes from one {@link SocketWriteDriver} for the whole duration, hurt by one
 * {@link SoakFault} at a time in {@link SoakSchedule} order. After each fault it waits, up to a
 * timeout, until the ensemble has recovered: every node that should run is alive, one leader serves
 * and every other live node follows it, and a write due after the fault was undone has committed.
 * A fault that does not recover ends the schedule and fails the soak. At the end every acknowledged
 * write is looked up in the serving leader's log and in every node's ({@link LeaderLog#countMissing}).
 * {@link #close} kills every node process and unmounts the tmpfs; it is safe to call from a shutdown
 * hook while the soak still runs.
 */
public final class SoakRunner implements AutoCloseable {
    /** The longest the end waits for the last writes to commit, and for every node to hold them. */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SLICE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PAUSE_MIN_MS = 1_000;
    private static final long PAUSE_SPREAD_MS = 1_000;
    /** The node whose dataDir is the tmpfs: the lowest sid, the one an election among equals picks last. */
    static final long DISK_SID = 1;

    /**
     * What to soak and how.
     *
     * @param durationNs       how long faults are injected; the fault under way when it ends finishes
     * @param maxCycles        stop after this many full cycles of the schedule, or 0 for no limit
     * @param settleNs         quiet time on the recovered ensemble between faults
     * @param recoverTimeoutNs the longest each recovery may take
     * @param diskHoldNs       how long a follower's disk stays full
     * @param diskBytes        the size of the tmpfs
     */
    public record Config(int size, ElectionPolicy policy, NodeTiming timing, FsyncPolicy fsync, String heap,
        double writeRate, long durationNs, int maxCycles, List<SoakFault> faults, long seed, long settleNs,
        long recoverTimeoutNs, long diskHoldNs, long diskBytes) {
    }

    /** Where the soak reports to, on the soak's thread. */
    public interface Listener {
        /**
         * A fault ended, recovered or not.
         *
         * @param elapsedNs  when it was injected, from the soak's first write
         * @param ackedSoFar writes acknowledged by the time it ended
         */
        void onFault(FaultRecord fault, long elapsedNs, long ackedSoFar);

        /** Something the operator should know, as one line. */
        void onNote(String line);

        /** About every 200 ms while faults run. */
        void onTick(long elapsedNs, int faultsDone, long ackedSoFar);
    }

    /**
     * One injected fault.
     *
     * @param startNs     when it was injected
     * @param undoneNs    when it was undone (restart, SIGCONT, filler deleted)
     * @param recoveredNs when the ensemble had recovered, or -1 when it did not in time
     * @param detail      what happened, one line
     * @param failure     why the ensemble did not recover, or null
     */
    public record FaultRecord(int number, SoakFault kind, long sid, long startNs, long undoneNs, long recoveredNs,
        String detail, String failure) {
        /** From undoing the fault to recovery, or -1. */
        public long recoveryNs() {
            return recoveredNs < 0 ? -1 : recoveredNs - undoneNs;
        }
    }

    /**
     * Every acknowledgement looked up in one node's log.
     *
     * @param state   the node's role when it was read (LEADING for the leader's check)
     * @param missing acknowledgements absent from the log or holding another write; -1 when it could not be read
     * @param first   the first of them described, or null
     * @param error   why the log could not be read, or null
     */
    public record LogCheck(long sid, String state, long missing, String first, String error) {
    }

    /**
     * What a soak did.
     *
     * @param elapsedNs from the first write to the end of the last fault
     * @param notRun    chosen faults that could not run, with why
     * @param writes    the writes, or null when the ensemble never formed
     * @param leader    the check against the serving leader's log, or null without writes
     * @param failure   why the soak failed (a fault that did not recover, a start that failed), or null
     */
    public record Result(long elapsedNs, List<FaultRecord> faults, Map<SoakFault, String> notRun, TrialWrites writes,
        LogCheck leader, List<LogCheck> nodes, String failure) {
        /** Acknowledged writes missing from the serving leader's log, or -1 when it could not be checked. */
        public long lost() {
            return leader == null ? -1 : leader.missing();
        }

        /** True when every fault recovered and every node holds every acknowledged write. */
        public boolean isClean() {
            return failure == null && lost() == 0 && nodes.stream().allMatch(n -> n.missing() == 0);
        }
    }

    private final Config config;
    private final Path dir;
    private final Listener listener;
    private final Random random;
    private final AtomicBoolean isClosed = new AtomicBoolean();
    private volatile ProcessTarget target;
    private volatile Tmpfs disk;
    private WriteDriver writes;
    private long startNs;
    private long lastTickNs;
    private int faultsDone;
    private long recoveredAtNs;

    /**
     * @param dir an empty scratch directory: the nodes' config, data and logs (node-N.log), and the tmpfs
     */
    public SoakRunner(final Config config, final Path dir, final Listener listener) {
        this.config = config;
        this.dir = dir;
        this.listener = listener;
        this.random = new Random(config.seed() * 31 + 7);
    }

    /** Runs the soak; call {@link #close} afterwards (also on an exception). */
    public Result run() throws Exception {
        final Map<SoakFault, String> notRun = new EnumMap<>(SoakFault.class);
        final List<SoakFault> faults = new ArrayList<>(config.faults());
        if (faults.contains(SoakFault.FULL_DISK)) {
            final String why = mountDisk();
            if (why != null) {
                notRun.put(SoakFault.FULL_DISK, why);
                faults.remove(SoakFault.FULL_DISK);
                listener.onNote("soak: no full-disk fault: " + why);
            }
        }
        if (faults.isEmpty()) {
            return new Result(0, List.of(), notRun, null, null, List.of(), "no fault left to run");
        }
        final String notStarted = start();
        if (notStarted != null) {
            return new Result(0, List.of(), notRun, null, null, List.of(), notStarted);
        }
        final List<FaultRecord> records = new ArrayList<>();
        String failure = awaitRecovered(startNs, "the first write", 0);
        if (failure == null) {
            failure = runFaults(new SoakSchedule(faults, config.seed()), records);
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final TrialWrites w = writes.end(DRAIN_NS);
        return new Result(elapsedNs, records, notRun, w, checkLeader(w), checkNodes(w), failure);
    }

    /** Starts every node, waits for a serving leader, starts the writes; null, or why not. */
    private String start() throws Exception {
        final ProcessTarget t = new ProcessTarget(dir, config.size(), config.policy(), config.timing(), config.fsync(),
            config.heap());
        target = t;
        if (isClosed.get()) {
            t.close();
            return "the soak was stopped";
        }
        t.startAll(t.sids());
        if (!t.awaitStable(config.recoverTimeoutNs())) {
            return "the ensemble did not elect a serving leader within " + seconds(config.recoverTimeoutNs())
                + " of its start; nodes then: " + t.describe();
        }
        writes = t.writes(config.writeRate(), CellRunner.answerTimeoutNs(config.timing()));
        writes.begin();
        startNs = writes.startNs();
        return null;
    }

    /**
     * Injects faults in {@code schedule}'s order, each after the last recovered and settled, until the
     * duration or the cycles are done or a fault does not recover.
     *
     * @return why a fault did not recover, or null
     */
    private String runFaults(final SoakSchedule schedule, final List<FaultRecord> records) throws Exception {
        while (System.nanoTime() - startNs < config.durationNs()
            && !(config.maxCycles() > 0 && schedule.cycles() >= config.maxCycles() && schedule.isCycleDone())) {
            String failure = null;
            for (final FaultRecord r : inject(schedule.next(), records.size() + 1)) {
                records.add(r);
                faultsDone++;
                listener.onFault(r, r.startNs() - startNs, writes.committedSoFar());
                if (failure == null) {
                    failure = r.failure();
                }
            }
            if (failure != null) {
                return failure;
            }
            idle(config.settleNs());
        }
        return null;
    }

    /** Mounts the tmpfs where node {@link #DISK_SID} keeps its data; null, or why it cannot. */
    private String mountDisk() throws IOException {
        if (!Tmpfs.isRoot()) {
            return "not root, and mounting a tmpfs needs root";
        }
        try {
            disk = Tmpfs.mount(dir.resolve("node-" + DISK_SID), config.diskBytes());
        } catch (final IOException ex) {
            return ex.getMessage();
        }
        if (isClosed.get()) {
            disk.close();
        }
        return null;
    }

    private List<FaultRecord> inject(final SoakFault kind, final int number) throws Exception {
        target.drainEvents();
        target.drainSyncs();
        switch (kind) {
            case LEADER_KILL:
                return List.of(leaderKill(number, servingLeader()));
            case LEADER_PAUSE:
                return List.of(leaderPause(number));
            case FOLLOWER_KILL:
                return List.of(followerKill(number));
            case FULL_DISK:
                if (servingLeader() != DISK_SID) {
                    return List.of(fullDisk(number));
                }
                // The disk must be a follower's: a killed leader rejoins as one.
                final FaultRecord kill = leaderKill(number, DISK_SID);
                if (kill.failure() != null) {
                    return List.of(kill);
                }
                idle(config.settleNs());
                return List.of(kill, fullDisk(number + 1));
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    private FaultRecord leaderKill(final int number, final long leader) throws Exception {
        final long faultNs = System.nanoTime();
        if (leader < 0) {
            return noLeader(number, SoakFault.LEADER_KILL, faultNs);
        }
        target.crash(leader);
        String failure = awaitRecovered(faultNs, "a new leader after node " + leader + " was killed", 0);
        final long electedNs = System.nanoTime();
        final long next = servingLeader();
        if (failure != null) {
            return new FaultRecord(number, SoakFault.LEADER_KILL, leader, faultNs, electedNs, -1,
                "node " + leader + " killed", failure);
        }
        final long undoneNs = System.nanoTime();
        failure = restart(leader);
        if (failure == null) {
            failure = awaitRecovered(undoneNs, "node " + leader + " rejoining after its restart", quietNs());
        }
        final long recoveredNs = failure == null ? recoveredAtNs : -1;
        final String detail = "node " + leader + " killed; leader " + next + " serving after " + ms(electedNs - faultNs)
            + ", node " + leader + " restarted"
            + (failure == null ? " and following " + ms(recoveredNs - undoneNs) + " after its restart" : "");
        return new FaultRecord(number, SoakFault.LEADER_KILL, leader, faultNs, undoneNs, recoveredNs, detail, failure);
    }

    private FaultRecord leaderPause(final int number) throws Exception {
        final long leader = servingLeader();
        final long holdNs = TimeUnit.MILLISECONDS.toNanos(PAUSE_MIN_MS + random.nextInt((int)PAUSE_SPREAD_MS + 1));
        final long faultNs = System.nanoTime();
        if (leader < 0) {
            return noLeader(number, SoakFault.LEADER_PAUSE, faultNs);
        }
        if (!target.pause(leader)) {
            return new FaultRecord(number, SoakFault.LEADER_PAUSE, leader, faultNs, faultNs, -1, "node " + leader
                + " not paused", "SIGSTOP to node " + leader + " failed");
        }
        long undoneNs;
        try {
            idle(holdNs);
        } finally {
            undoneNs = System.nanoTime();
            target.resume(leader);
        }
        final String failure = awaitRecovered(undoneNs, "the ensemble after node " + leader + " was resumed",
            quietNs());
        final long recoveredNs = failure == null ? recoveredAtNs : -1;
        final long after = failure == null ? servingLeader() : -1;
        return new FaultRecord(number, SoakFault.LEADER_PAUSE, leader, faultNs, undoneNs, recoveredNs, "node " + leader
            + " stopped for " + ms(undoneNs - faultNs) + (failure == null ? "; " + (after == leader ? "it still leads"
            : "leader " + after) + ", stable after " + ms(recoveredNs - undoneNs) : ""), failure);
    }

    private FaultRecord followerKill(final int number) throws Exception {
        final long leader = servingLeader();
        final List<Long> followers = new ArrayList<>();
        for (final NodeView v : target.snapshot().values()) {
            if (v.isUp() && v.sid() != leader) {
                followers.add(v.sid());
            }
        }
        followers.sort(null);
        final long faultNs = System.nanoTime();
        if (leader < 0 || followers.isEmpty()) {
            return noLeader(number, SoakFault.FOLLOWER_KILL, faultNs);
        }
        final long victim = followers.get(random.nextInt(followers.size()));
        target.crash(victim);
        String failure = awaitRecovered(faultNs, "the others serving without node " + victim, 0);
        final long servedNs = System.nanoTime();
        final long after = failure == null ? servingLeader() : -1;
        final long undoneNs = System.nanoTime();
        if (failure == null) {
            failure = restart(victim);
        }
        if (failure == null) {
            failure = awaitRecovered(undoneNs, "node " + victim + " rejoining after its restart", quietNs());
        }
        final long recoveredNs = failure == null ? recoveredAtNs : -1;
        final String detail = "node " + victim + " killed; " + (after == leader ? "leader " + leader + " kept serving"
            : after > 0 ? "leader " + after + " took over from " + leader + " after " + ms(servedNs - faultNs)
            : "leader " + leader + " not serving")
            + (failure == null ? ", node " + victim + " following " + ms(recoveredNs - undoneNs) + " after its restart"
            : "");
        return new FaultRecord(number, SoakFault.FOLLOWER_KILL, victim, faultNs, undoneNs, recoveredNs, detail,
            failure);
    }

    private FaultRecord fullDisk(final int number) throws Exception {
        final long sid = DISK_SID;
        target.drainEvents();
        final long ackedBefore = writes.committedSoFar();
        final long faultNs = System.nanoTime();
        final long filler;
        try {
            filler = disk.fill();
        } catch (final IOException ex) {
            disk.free();
            return new FaultRecord(number, SoakFault.FULL_DISK, sid, faultNs, faultNs, -1,
                "node " + sid + "'s disk not filled", "could not fill " + disk.dir() + ": " + ex.getMessage());
        }
        idle(config.diskHoldNs());
        final int changes = stateChanges(sid);
        final long ackedMeanwhile = writes.committedSoFar() - ackedBefore;
        final long undoneNs = System.nanoTime();
        disk.free();
        final StringBuilder detail = new StringBuilder("node ").append(sid).append("'s disk full for ")
            .append(ms(undoneNs - faultNs)).append(" (").append(filler >> 10)
            .append(" KiB of filler): it changed state ")
            .append(changes).append(changes == 1 ? " time, " : " times, ").append(ackedMeanwhile)
            .append(" writes acknowledged meanwhile");
        String failure = restartIfExited(sid, detail);
        if (failure == null) {
            failure = awaitRecovered(undoneNs, "node " + sid + " after its disk was freed", quietNs());
        }
        final long recoveredNs = failure == null ? recoveredAtNs : -1;
        if (failure == null) {
            detail.append("; stable ").append(ms(recoveredNs - undoneNs)).append(" after freeing it");
        }
        return new FaultRecord(number, SoakFault.FULL_DISK, sid, faultNs, undoneNs, recoveredNs, detail.toString(),
            failure);
    }

    /** State changes node {@code sid} reported since the events were last drained. */
    private int stateChanges(final long sid) {
        int changes = 0;
        for (final TrialEvent e : target.drainEvents()) {
            if (e.sid() == sid && !TrialEvent.SERVING.equals(e.state())) {
                changes++;
            }
        }
        return changes;
    }

    /**
     * A node whose process exited by itself (a full disk may make it stop) is restarted, as a
     * supervisor would, and {@code detail} says so.
     *
     * @return null, or why the restart failed
     */
    private String restartIfExited(final long sid, final StringBuilder detail) throws Exception {
        final Process p = target.process(sid);
        if (p == null || p.isAlive()) {
            return null;
        }
        detail.append("; it exited with status ").append(p.exitValue()).append(" (").append(target.logFile(sid))
            .append("), restarted as a supervisor would");
        target.crash(sid);
        return restart(sid);
    }

    /** A fault that found no serving leader to hurt (the views changed since the last recovery). */
    private FaultRecord noLeader(final int number, final SoakFault kind, final long atNs) {
        return new FaultRecord(number, kind, -1, atNs, atNs, -1, "no fault injected",
            "no serving leader before the fault; nodes then: " + target.describe());
    }

    /** Starts a killed node again; null, or why it did not come up. */
    private String restart(final long sid) throws Exception {
        if (isClosed.get()) {
            return "the soak was stopped";
        }
        try {
            target.start(sid);
            return null;
        } catch (final IOException ex) {
            return "node " + sid + " did not restart: " + ex.getMessage();
        }
    }

    /**
     * Waits up to the recovery timeout until every node that should run is alive, one leader serves
     * and every other live node follows it, without a state change for {@code quietNs}, and a write
     * due at or after {@code sinceNs} committed. The quiet stretch tells a recovered ensemble from
     * one that passes through a stable state between elections. Sets {@link #recoveredAtNs} to the
     * start of the stable stretch.
     *
     * @return null, or what did not happen, with every node's state then
     */
    private String awaitRecovered(final long sinceNs, final String what, final long quietNs) throws Exception {
        final long deadline = System.nanoTime() + config.recoverTimeoutNs();
        long stableSinceNs = 0;
        boolean wasStable = false;
        while (true) {
            final boolean hasChanged = !target.drainEvents().isEmpty();
            target.drainSyncs();
            final String dead = deadNode();
            if (dead != null) {
                return what + ": " + dead;
            }
            if (isClosed.get()) {
                return what + ": the soak was stopped";
            }
            final boolean isStable = target.awaitStable(SLICE_NS);
            final long now = System.nanoTime();
            if (isStable && (!wasStable || hasChanged)) {
                stableSinceNs = now;
            }
            wasStable = isStable;
            final long committed = writes == null ? sinceNs : writes.maxCommittedIntendedNs();
            final boolean hasCommitted = committed != Long.MIN_VALUE && committed - sinceNs >= 0;
            if (isStable && hasCommitted && now - stableSinceNs >= quietNs) {
                recoveredAtNs = stableSinceNs;
                return null;
            }
            if (now - deadline > 0) {
                final String missing = !isStable ? "no serving leader followed by every live node"
                    : !hasCommitted ? "no write due since then committed"
                    : "no " + ms(quietNs) + " without a state change";
                return what + ": not within " + seconds(config.recoverTimeoutNs()) + " (" + missing + "; nodes then: "
                    + target.describe() + ")";
            }
            tick();
            if (isStable) {
                LockSupport.parkNanos(POLL_NS);
            }
        }
    }

    /** How long a recovered ensemble must go without a state change: two ticks. */
    private long quietNs() {
        return 2 * config.timing().tickNs();
    }

    /** A node that should run but whose process has exited, described; or null. */
    private String deadNode() {
        for (final NodeView v : target.snapshot().values()) {
            if (!v.isUp()) {
                continue;
            }
            final Process p = target.process(v.sid());
            if (p == null || !p.isAlive()) {
                return "node " + v.sid() + " exited" + (p == null ? "" : " with status " + p.exitValue()) + " (see "
                    + target.logFile(v.sid()) + ")";
            }
        }
        return null;
    }

    /** The serving leader in the target's views, or -1. */
    private long servingLeader() {
        for (final NodeView v : target.snapshot().values()) {
            if (v.isUp() && "LEADING".equals(v.state()) && v.isServing()) {
                return v.sid();
            }
        }
        return -1;
    }

    private LogCheck checkLeader(final TrialWrites w) {
        final long[] zxids = w.ackZxids();
        if (zxids.length == 0) {
            return new LogCheck(-1, null, -1, null, "no write was acknowledged");
        }
        try {
            final LeaderLog log = target.leaderLog(min(zxids), max(zxids));
            final long[] seqs = w.ackSeqs();
            return new LogCheck(log.leaderSid(), "LEADING", log.countMissing(zxids, seqs), log.missing(zxids, seqs),
                null);
        } catch (final IOException | RuntimeException ex) {
            return new LogCheck(-1, null, -1, null, ex.getMessage());
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new LogCheck(-1, null, -1, null, "interrupted");
        }
    }

    /**
     * Every live node's log against every acknowledgement, once it holds the last acknowledged zxid
     * (a follower may still be logging the last proposals; the wait is bounded).
     */
    private List<LogCheck> checkNodes(final TrialWrites w) throws InterruptedException {
        final long[] zxids = w.ackZxids();
        final long[] seqs = w.ackSeqs();
        final List<LogCheck> out = new ArrayList<>();
        if (zxids.length == 0) {
            return out;
        }
        final long from = min(zxids);
        final long to = max(zxids);
        final long deadline = System.nanoTime() + DRAIN_NS;
        for (final long sid : target.sids()) {
            final NodeView v = target.snapshot().get(sid);
            if (!v.isUp()) {
                continue;
            }
            try {
                while (target.nodeLog(sid, to, to).lastZxid() < to && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                final LeaderLog log = target.nodeLog(sid, from, to);
                out.add(new LogCheck(sid, target.snapshot().get(sid).state(), log.countMissing(zxids, seqs),
                    log.missing(zxids, seqs, "node " + sid), null));
            } catch (final IOException | RuntimeException ex) {
                out.add(new LogCheck(sid, v.state(), -1, null, ex.getMessage()));
            }
        }
        return out;
    }

    /** Lets {@code ns} pass, reporting progress. */
    private void idle(final long ns) {
        final long end = System.nanoTime() + ns;
        long left;
        while ((left = end - System.nanoTime()) > 0 && !isClosed.get()) {
            LockSupport.parkNanos(Math.min(left, TICK_NS));
            tick();
        }
    }

    private void tick() {
        final long now = System.nanoTime();
        if (now - lastTickNs >= TICK_NS) {
            lastTickNs = now;
            listener.onTick(now - startNs, faultsDone, writes == null ? 0 : writes.committedSoFar());
        }
    }

    /**
     * Kills every node process this soak started (also any a racing restart spawned: every child of
     * this JVM that runs this soak's config) and unmounts the tmpfs. Idempotent; any thread.
     */
    @Override
    public void close() {
        if (!isClosed.compareAndSet(false, true)) {
            return;
        }
        final ProcessTarget t = target;
        if (t != null) {
            t.close();
            final String config = t.configFile.toString();
            ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(config)).orElse(false))
                .forEach(h -> {
                    h.destroyForcibly();
                    h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(ex -> h).join();
                });
        }
        final Tmpfs d = disk;
        if (d != null) {
            d.close();
        }
    }

    private static long min(final long[] values) {
        long m = Long.MAX_VALUE;
        for (final long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static long max(final long[] values) {
        long m = Long.MIN_VALUE;
        for (final long v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static String ms(final long ns) {
        return ns >= 10_000_000_000L ? String.format("%.1f s", ns / 1e9) : TimeUnit.NANOSECONDS.toMillis(ns) + " ms";
    }

    private static String seconds(final long ns) {
        return TimeUnit.NANOSECONDS.toSeconds(ns) + " s";
    }
}
