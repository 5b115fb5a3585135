package io.electionbench.loadgen.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.node.ElectionNode;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;
import io.electionbench.transport.node.NodeStatus;
import io.electionbench.transport.node.NodeStorage;

/**
 * An in-process ensemble of {@code 2f+1} real nodes on loopback for the sync benchmark: sids
 * {@code f+1..2f+1} hold the pre-loaded {@link SyncHistory} (a quorum), sids {@code 1..f} start empty.
 *
 * <p>A trial starts the pre-loaded members, largest sid first: votes order by (epoch, zxid, sid) and
 * their epochs and zxids are equal, so the largest sid wins and is the sync source every time. Once it
 * serves (its epoch established by the other pre-loaded members), the empty followers are started
 * together and the trial waits for each to serve. Then every node is closed, and every member's log
 * must end with the history's last zxid and digest: as its agent left it, and for the followers also
 * as read back from disk (recovery must find nothing to repair).
 * The pre-loaded members log nothing during a trial, so the next trial reuses their data directories
 * (only their epochs move on); the followers' directories are wiped before each trial.
 */
public final class SyncEnsemble implements AutoCloseable {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SERVING_POLL_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Path dir;
    private final int followers;
    private final int size;
    private final SyncHistory history;
    private final NodeConfig config;
    private final ElectionNode[] nodes;

    /**
     * Writes the ensemble's config into {@code dir} and copies the history into every pre-loaded
     * member's data directory.
     */
    public SyncEnsemble(final Path dir, final int followers, final FsyncPolicy fsync,
        final SyncHistory history) throws Exception {
        this.dir = dir;
        this.followers = followers;
        this.size = 2 * followers + 1;
        this.history = history;
        this.nodes = new ElectionNode[size + 1];
        final List<String> lines = new ArrayList<>(List.of("# written by electionbench sync-bench", "tickTime=2000",
            "initLimit=10", "syncLimit=5", "fsync=" + fsync.name().toLowerCase(Locale.ROOT),
            "dataDir=" + dir.resolve("node-%d")));
        final int[] ports = FreePorts.pick(3 * size);
        for (int sid = 1; sid <= size; sid++) {
            lines.add("server." + sid + "=127.0.0.1:" + ports[3 * (sid - 1)] + ":" + ports[3 * (sid - 1) + 1]
                + ":participant");
            lines.add("admin." + sid + "=127.0.0.1:" + ports[3 * (sid - 1) + 2]);
        }
        Files.createDirectories(dir);
        final Path configFile = dir.resolve("ensemble.cfg");
        Files.write(configFile, lines);
        this.config = NodeConfigParser.parse(configFile);
        for (int sid = followers + 1; sid <= size; sid++) {
            history.copyTo(config.dataDir(sid));
        }
    }

    public int size() {
        return size;
    }

    /** The sync source: the pre-loaded member with the largest sid. */
    public long leaderSid() {
        return size;
    }

    /**
     * Runs one trial (see the class comment).
     *
     * @throws SyncFailure if something does not happen within {@code timeoutNs} or a follower ends with
     *                     another history than the leader's
     */
    public SyncTrial runTrial(final long timeoutNs) throws IOException, SyncFailure {
        try {
            for (int sid = 1; sid <= followers; sid++) {
                FileTrees.delete(config.dataDir(sid));
            }
            for (long sid = size; sid > followers; sid--) {
                start(sid);
            }
            await(timeoutNs, "the pre-loaded members to elect sid " + leaderSid() + " and establish its epoch",
                this::isLeaderServing);
            final Map<Long, Long> cpuBefore = ThreadCpu.sample();
            final long startNs = System.nanoTime();
            for (long sid = 1; sid <= followers; sid++) {
                start(sid);
            }
            final long[] servingNs = awaitFollowersServing(timeoutNs);
            final Map<String, Long> cpuNs = ThreadCpu.byRole(cpuBefore, ThreadCpu.sample(), leaderSid(), followers);
            final List<FollowerSync> synced = new ArrayList<>();
            for (int sid = 1; sid <= followers; sid++) {
                synced.add(followerSync(nodes[sid], servingNs[sid], startNs));
            }
            stopAll();
            verifyHistories();
            Arrays.fill(nodes, null);
            verifyFollowerLogsOnDisk();
            return new SyncTrial(leaderSid(), synced, cpuNs);
        } finally {
            stopAll();
            Arrays.fill(nodes, null);
        }
    }

    private void start(final long sid) throws IOException {
        final ElectionNode node = new ElectionNode(config, sid);
        node.crashAction(node::close);
        nodes[(int)sid] = node;
        node.start();
    }

    /** True once every pre-loaded member serves under the expected leader; a failure if another one leads. */
    private boolean isLeaderServing() throws SyncFailure {
        boolean isServing = true;
        for (int sid = followers + 1; sid <= size; sid++) {
            final NodeStatus s = nodes[sid].status();
            if ("LEADING".equals(s.state()) && sid != leaderSid()) {
                throw new SyncFailure("sid " + sid + " was elected instead of " + leaderSid() + "; last seen: "
                    + describe());
            }
            isServing &= s.isServing() && s.leader() == leaderSid();
        }
        return isServing;
    }

    /**
     * Polls the followers' published status until each serves; returns, by sid, when this thread first
     * saw it serving. The agent publishes at the end of the duty cycle in which UPTODATE arrived, so this
     * is at most a poll interval late, and never early (the agent's own timestamps are those of the
     * cycle's start, which may precede a long snapshot install in the same cycle).
     */
    private long[] awaitFollowersServing(final long timeoutNs) throws SyncFailure {
        final long[] servingNs = new long[followers + 1];
        final long deadline = System.nanoTime() + timeoutNs;
        int serving = 0;
        while (serving < followers) {
            for (int sid = 1; sid <= followers; sid++) {
                final NodeStatus s = nodes[sid].status();
                if (servingNs[sid] == 0 && s.isServing() && "FOLLOWING".equals(s.state())) {
                    servingNs[sid] = System.nanoTime();
                    serving++;
                }
            }
            if (serving < followers && System.nanoTime() - deadline > 0) {
                throw new SyncFailure("timed out after " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs)
                    + " s waiting for the lagging followers to catch up and serve; last seen: " + describe());
            }
            LockSupport.parkNanos(SERVING_POLL_NS);
        }
        return servingNs;
    }

    private FollowerSync followerSync(final ElectionNode node, final long servingNs,
        final long startNs) throws SyncFailure {
        final NodeStatus s = node.status();
        if (s.syncsReceived() != 1) {
            throw new SyncFailure("follower " + node.sid() + " was synced " + s.syncsReceived()
                + " times before it served (a sync stream broke off and started over); last state " + s.toJson());
        }
        if (s.leader() != leaderSid()) {
            throw new SyncFailure("follower " + node.sid() + " follows " + s.leader()
                + ", not the expected sync source " + leaderSid());
        }
        return new FollowerSync(node.sid(), s.syncMode(), s.syncTxnsReceived(), s.syncBytesReceived(), s.lastSyncNs(),
            servingNs, servingNs - startNs);
    }

    /** After {@link #stopAll()}: every member's log ends with the history's last zxid and digest. */
    private void verifyHistories() throws SyncFailure {
        for (int sid = 1; sid <= size; sid++) {
            final FileTxnLog log = nodes[sid] == null ? null : nodes[sid].storage().log();
            if (log == null) {
                continue;
            }
            if (log.lastZxid() != history.lastZxid() || log.digest() != history.digest()) {
                throw new SyncFailure("sid " + sid + " ended with last zxid " + Zxid.toString(log.lastZxid())
                    + " digest " + Long.toHexString(log.digest()) + "; the leader's history ends at "
                    + Zxid.toString(history.lastZxid()) + " with digest " + Long.toHexString(history.digest())
                    + ": the sync lost or changed txns");
            }
        }
    }

    /** Reopens each follower's txn log from its files: what it synced must have reached the disk whole. */
    private void verifyFollowerLogsOnDisk() throws IOException, SyncFailure {
        for (int sid = 1; sid <= followers; sid++) {
            final Path logDir = config.dataDir(sid).resolve(NodeStorage.VERSION_DIR).resolve(NodeStorage.LOG_DIR);
            final List<String> repairs = new ArrayList<>();
            try (FileTxnLog log = FileTxnLog.open(logDir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER)
                .warnings(repairs::add))) {
                if (!repairs.isEmpty() || log.lastZxid() != history.lastZxid() || log.digest() != history.digest()) {
                    throw new SyncFailure("follower " + sid + "'s log as reopened from " + logDir + " ends at "
                        + Zxid.toString(log.lastZxid()) + " with digest " + Long.toHexString(log.digest())
                        + (repairs.isEmpty() ? "" : " after repairs " + repairs) + "; the leader's history ends at "
                        + Zxid.toString(history.lastZxid()) + " with digest " + Long.toHexString(history.digest()));
                }
            }
        }
    }

    /**
     * Closes every running node (each stops its agent thread before closing its log), followers first so
     * that none of them starts looking again. The closed nodes stay in place for {@link #verifyHistories()};
     * {@link #runTrial} drops them afterwards (a closed log still holds its snapshot's state).
     */
    private void stopAll() {
        for (int sid = 1; sid <= size; sid++) {
            if (nodes[sid] != null && !nodes[sid].isClosed()) {
                nodes[sid].close();
            }
        }
    }

    private void await(final long timeoutNs, final String what, final Condition condition) throws SyncFailure {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!condition.isMet()) {
            if (System.nanoTime() - deadline > 0) {
                throw new SyncFailure("timed out after " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs)
                    + " s waiting for " + what + "; last seen: " + describe());
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    private String describe() {
        final StringBuilder sb = new StringBuilder();
        for (int sid = 1; sid <= size; sid++) {
            final NodeStatus s = nodes[sid] == null ? null : nodes[sid].status();
            sb.append(sid).append('=').append(s == null ? "down"
                : s.state() + "->" + s.leader() + (s.isServing() ? "+" : "") + "@" + Zxid.toString(s.zxid()))
                .append(' ');
        }
        return sb.toString().trim();
    }

    /** Closes every node and deletes the ensemble's directory. */
    @Override
    public void close() throws IOException {
        stopAll();
        FileTrees.delete(dir);
    }

    /** A condition that may also find that the trial has failed. */
    @FunctionalInterface
    private interface Condition {
        boolean isMet() throws SyncFailure;
    }

    /** A trial that did not complete or lost data; the message says which and what was seen. */
    public static final class SyncFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SyncFailure(final String message) {
            super(message);
        }
    }
}
