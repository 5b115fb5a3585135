package io.electionbench.core.zab;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.log.CommittedWindow;
import io.electionbench.core.log.LogRecords;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.sync.SyncMode;

/**
 * A learner's side of ZAB, FOLLOWING or OBSERVING (ZooKeeper's {@code Learner} and {@code Follower}):
 * it announces itself until its leader answers, accepts the leader's epoch, applies the sync stream,
 * acknowledges NEWLEADER and serves from UPTODATE, then logs proposals and acknowledges them once
 * per duty cycle after one flush (group commit). Its own liveness too: it looks again when its
 * leader is silent for syncLimit ticks, unreachable for initLimit ticks, refuses it, or its quorum
 * link drops. The epochs are persisted in ZooKeeper's order: accepted before ACKEPOCH, the synced
 * history and then current before the NEWLEADER ACK. Its {@link Step} is published for observers.
 * One preallocated object per agent, entered when the member decides for another leader
 * ({@link #enter}); agent thread only. See docs/recovery.md.
 */
public final class Follower {
    /** A learner's own progress through recovery, one step at a time; NONE while the member is no learner. */
    public enum Step {
        /** Not a learner. */
        NONE,
        /** Announced itself (FOLLOWERINFO); waits for the leader's epoch (LEADERINFO). */
        AWAIT_LEADER_INFO,
        /** Accepted the epoch and answered ACKEPOCH; waits for the start of its sync. */
        AWAIT_SYNC,
        /** Receiving its sync stream (DIFF, TRUNC or SNAP). */
        SYNCING,
        /** Logged the stream and acknowledged NEWLEADER; waits for UPTODATE. */
        SYNCED,
        /** UPTODATE received: serves, logging and acknowledging proposals. */
        SERVING
    }

    private final Member member;
    /**
     * The member's committed window: every txn logged goes in; a SNAP empties it (ZooKeeper's
     * {@code ZKDatabase.deserializeSnapshot} clears the database), a TRUNC refills it from the log
     * ({@code ZKDatabase.truncateLog} reloads it).
     */
    private final CommittedWindow window;
    private final long mySid;
    private final boolean isParticipant;
    private final NodeTiming timing;
    private final ElectionPolicy policy;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final TxnLog log;
    private final ElectionObserver observer;
    private final NanoClock clock;

    private Step step = Step.NONE;
    private long leaderSid = -1;
    private boolean isLeaderContacted;
    private long leaderDeadlineNs;
    private long nextLearnerInfoNs;
    private long learnerRetryNs;
    /** Failed tries to reach the chosen leader before it answered: refusals and failed dials. */
    private int leaderRefusals;
    /** A dial to the chosen leader is due at {@link #nextConnectNs} (the try after a failed one). */
    private boolean isConnectDue;
    private long nextConnectNs;

    private SyncMode lastSyncMode;
    private long syncStartedNs;
    private long syncTxns;
    private long syncBytes;
    private long unackedZxid = -1;
    /**
     * Txns of the sync stream logged in runs ({@link #onRecords}) but not yet added to the committed
     * window: only the last {@link CommittedWindow#capacity()} of a stream can stay there, so they are
     * added once, from the log, when the stream ends or the role does ({@link #settleWindow}).
     */
    private long windowPending;
    private long lastAckSent;
    /** The SNAP being received (null when none), and the position its next chunk must start at. */
    private TxnLog.SnapshotReceiver snapshotReceiver;
    private long snapshotNext;
    private boolean isSnapshotExpected;

    /**
     * @param clock read once per sync, for the time its last txn was logged (the duty cycle's time may
     *              be before it)
     */
    public Follower(final Member member, final long mySid, final boolean isParticipant, final NodeTiming timing,
        final ElectionPolicy policy, final PeerPublisher publisher, final PersistentState storage,
        final CommittedWindow window, final ElectionObserver observer, final NanoClock clock) {
        this.member = member;
        this.window = window;
        this.mySid = mySid;
        this.isParticipant = isParticipant;
        this.timing = timing;
        this.policy = policy;
        this.publisher = publisher;
        this.storage = storage;
        this.log = storage.log();
        this.observer = observer;
        this.clock = clock;
    }

    /**
     * The member decided for {@code leader}: dial it (ZooKeeper's {@code Learner.connectToLeader}),
     * announce ourselves, and give it initLimit to answer.
     */
    public void enter(final long leader) {
        final long nowNs = member.nowNs();
        leaderSid = leader;
        isLeaderContacted = false;
        leaderRefusals = 0;
        leaderDeadlineNs = nowNs + timing.initLimitNs();
        step = Step.AWAIT_LEADER_INFO;
        unackedZxid = -1;
        isSnapshotExpected = false;
        abortSnapshot();
        learnerRetryNs = policy.learnerRetryNs();
        nextLearnerInfoNs = nowNs + learnerRetryNs;
        isConnectDue = false;
        publisher.connect(leaderSid);
        publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), learnerInfoFlags());
    }

    /** The role ends: a SNAP in progress is dropped, and the leader is told at once. */
    public void leave() {
        settleWindow();
        if (leaderSid >= 0) {
            abortSnapshot();
            publisher.sendLearnerReject(leaderSid);
        }
        step = Step.NONE;
    }

    /**
     * The liveness timers: the leader's deadline, the next dial after a failed one, and the announcement
     * resent until the leader answers.
     */
    public int doWork(final long nowNs) {
        if (nowNs - leaderDeadlineNs >= 0) {
            member.lookAgain(isLeaderContacted ? "leader silent for syncLimit" : "leader unreachable within initLimit");
            return 1;
        }
        if (isConnectDue && nowNs - nextConnectNs >= 0) {
            isConnectDue = false;
            publisher.connect(leaderSid);
            return 1;
        }
        if (!isLeaderContacted && nowNs - nextLearnerInfoNs >= 0) {
            publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), learnerInfoFlags());
            learnerRetryNs = Math.min(learnerRetryNs * 2, timing.tickNs() / 2);
            nextLearnerInfoNs = nowNs + learnerRetryNs;
            return 1;
        }
        return 0;
    }

    /** Group commit, once per duty cycle: the proposals logged since the last ACK are flushed, then acked in one. */
    public int acknowledge() {
        if (unackedZxid <= lastAckSent || step.compareTo(Step.SYNCED) < 0) {
            return 0;
        }
        if (!flushLog()) {
            return 1;
        }
        lastAckSent = unackedZxid;
        if (!publisher.sendAck(leaderSid, unackedZxid)) {
            member.lookAgain("cannot reach the leader");
        }
        return 1;
    }

    private boolean flushLog() {
        try {
            log.flush();
            return true;
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot flush the log", e);
            return false;
        }
    }

    /** The earliest time {@link #doWork} has timer work. */
    public long deadlineNs() {
        if (isLeaderContacted) {
            return leaderDeadlineNs;
        }
        final long next = earliest(leaderDeadlineNs, nextLearnerInfoNs);
        return isConnectDue ? earliest(next, nextConnectNs) : next;
    }

    private static long earliest(final long a, final long b) {
        return a - b <= 0 ? a : b;
    }

    private int learnerInfoFlags() {
        return isParticipant ? 0 : InboundMessages.LEARNER_OBSERVER;
    }

    // ------------------------------------------------------------------------------------------------
    // Liveness: the links to the leader, its pings and refusals.

    /** Any message from our leader proves the link: stop announcing, and give it syncLimit more. */
    private void heardFromLeader() {
        isLeaderContacted = true;
        isConnectDue = false;
        leaderDeadlineNs = member.nowNs() + timing.syncLimitNs();
    }

    /** A ping from our leader (the caller checked the sender) proves the link; answered with our last zxid. */
    public void onPing(final long from) {
        heardFromLeader();
        publisher.sendPingAck(from, storage.lastLoggedZxid());
    }

    /**
     * Our leader refused us or closed the relationship (ZooKeeper closes the learner socket): the node
     * we chose is not leading, or has stopped leading. Before it has answered, the policy decides how
     * many refusals it takes.
     */
    public void onRejected() {
        if (isLeaderContacted) {
            member.lookAgain("leader closed the connection");
        } else if (++leaderRefusals >= policy.learnerRefusals()) {
            member.lookAgain("chosen leader is not leading");
        }
    }

    /**
     * A dial to our chosen leader failed before it connected: one failed try of ZooKeeper's
     * {@code Learner.connectToLeader}, which tries 5 times, 100 ms apart, within initLimit, and then
     * the follower looks again ({@code QuorumPeer.run}). The tries count with refusals, as
     * ZooKeeper's refused connect to a peer that does not lead is the same failed try; the policy says
     * how many it takes ({@link ElectionPolicy#learnerRefusals}) and how far apart they are
     * ({@link ElectionPolicy#learnerRetryNs}). Without this a learner that chose a leader whose links
     * had already dropped (the voters still reported it) waited initLimit: only the drop of an
     * established link was ever reported.
     */
    public void onUnreachable() {
        if (isLeaderContacted) {
            return;
        }
        if (++leaderRefusals >= policy.learnerRefusals()) {
            member.lookAgain("chosen leader unreachable");
        } else {
            isConnectDue = true;
            nextConnectNs = member.nowNs() + policy.learnerRetryNs();
        }
    }

    /**
     * A new election link to our leader: announce again, and the leader either takes us back or, if it
     * stopped leading while we could not hear it, refuses at once. Synced into its epoch, we ask to
     * resume: a leader that also has us synced keeps the session instead of restarting discovery with a
     * learner that serves.
     */
    public void onLinkUp() {
        final boolean isResume = step.compareTo(Step.SYNCED) >= 0 && storage.currentEpoch() == storage.acceptedEpoch();
        publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), learnerInfoFlags()
            | (isResume ? InboundMessages.LEARNER_RESUME : 0));
    }

    /**
     * The election link to our leader dropped. Until the chosen leader has answered on the quorum link
     * there is no quorum link whose loss could tell us it died: a leader killed just after the decision
     * would otherwise hold its followers until initLimit. An impostor gets only this window of milliseconds.
     */
    public void onLinkDown() {
        if (!isLeaderContacted) {
            member.lookAgain("connection to chosen leader lost before it answered");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Recovery: epoch, sync stream, NEWLEADER, UPTODATE; then proposals and commits.

    private boolean isFromLeader(final long from) {
        if (member.isLearner() && from == leaderSid) {
            heardFromLeader();
            return true;
        }
        member.messageDropped();
        return false;
    }

    /**
     * LEADERINFO: accept the proposed epoch (persisted first) and answer ACKEPOCH; an epoch below the
     * one already accepted means the leader is stale, so look again. A second LEADERINFO restarts the
     * session (the leader forgot us and starts over).
     */
    public void onLeaderInfo(final long from, final long epoch) {
        if (!isFromLeader(from)) {
            return;
        }
        if (!Zxid.isValidEpoch(epoch)) {
            member.epochRefused();
            member.lookAgain("leader proposed an epoch outside the epoch space");
            return;
        }
        final long accepted = storage.acceptedEpoch();
        if (epoch < accepted) {
            member.lookAgain("leader proposed an epoch below the accepted one");
            return;
        }
        long ackedEpoch = -1;
        if (epoch > accepted) {
            try {
                storage.acceptedEpoch(epoch);
            } catch (final RuntimeException e) {
                member.cannotUseStorage("cannot persist the accepted epoch", e);
                return;
            }
            ackedEpoch = storage.currentEpoch();
        }
        step = Step.AWAIT_SYNC;
        unackedZxid = -1;
        isSnapshotExpected = false;
        abortSnapshot();
        if (!publisher.sendAckEpoch(from, ackedEpoch, storage.lastLoggedZxid(), log.snapshotZxid())) {
            member.lookAgain("cannot reach the leader");
        }
    }

    /** The start of the sync stream: TRUNC truncates now; DIFF must continue our own history; SNAP awaits chunks. */
    public void onSyncStart(final long from, final int modeCode, final long zxid) {
        if (!isFromLeader(from)) {
            return;
        }
        final SyncMode mode = SyncMode.ofCode(modeCode);
        if (step != Step.AWAIT_SYNC || mode == null) {
            member.lookAgain("unexpected sync start from the leader");
            return;
        }
        lastSyncMode = mode;
        syncStartedNs = member.nowNs();
        syncTxns = 0;
        syncBytes = 0;
        if (mode == SyncMode.TRUNC) {
            try {
                log.truncateAfter(zxid);
                windowPending = 0;
                window.load(log);
            } catch (final RuntimeException e) {
                member.cannotUseStorage("cannot truncate the log as the leader asked", e);
                return;
            }
        } else if (mode == SyncMode.DIFF && zxid != storage.lastLoggedZxid()) {
            member.lookAgain("leader's DIFF does not continue this history");
            return;
        }
        step = Step.SYNCING;
        if (mode == SyncMode.SNAP) {
            isSnapshotExpected = true;
        }
    }

    /**
     * A chunk of the SNAP: written to the snapshot file as it arrives (the log keeps the state in one
     * array of its size), so the transfer and the disk write overlap; the history is replaced only when
     * the last chunk is in. Chunks must follow each other from position 0.
     */
    public void onSnapshotChunk(final long from, final long zxid, final long digest, final long total,
        final long position, final DirectBuffer bytes, final int offset, final int length) {
        if (!isFromLeader(from)) {
            return;
        }
        if (step != Step.SYNCING || !isSnapshotExpected || total > Integer.MAX_VALUE - 8 || position + length > total) {
            member.lookAgain("unexpected snapshot chunk from the leader");
            return;
        }
        try {
            if (position == 0) {
                abortSnapshot();
                snapshotReceiver = log.receiveSnapshot(zxid, digest, (int)total);
                snapshotNext = 0;
            } else if (snapshotReceiver == null || position != snapshotNext) {
                member.lookAgain("snapshot chunk out of order from the leader");
                return;
            }
            snapshotReceiver.write((int)position, bytes, offset, length);
            snapshotNext = position + length;
            syncBytes += length;
            if (snapshotNext == total) {
                isSnapshotExpected = false;
                final TxnLog.SnapshotReceiver done = snapshotReceiver;
                snapshotReceiver = null;
                done.finish();
                windowPending = 0;
                window.clear();
            }
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot install the leader's snapshot", e);
        }
    }

    /** Drops a SNAP in progress (the relationship ended or a new one started); the history is unchanged. */
    private void abortSnapshot() {
        if (snapshotReceiver != null) {
            final TxnLog.SnapshotReceiver receiver = snapshotReceiver;
            snapshotReceiver = null;
            receiver.abort();
        }
    }

    /**
     * A txn: in the sync stream it is logged (NEWLEADER's ACK covers it); after NEWLEADER it is a
     * proposal, logged and acknowledged at the end of the duty cycle. A txn must continue the log: the
     * next counter of its epoch, or the first of a later epoch (ZOOKEEPER-4925); a gap means a lost
     * message, and the learner starts over.
     */
    public void onProposal(final long from, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        if (!isFromLeader(from)) {
            return;
        }
        if (step.compareTo(Step.SYNCING) < 0 || isSnapshotExpected) {
            member.lookAgain("unexpected txn from the leader");
            return;
        }
        final long last = storage.lastLoggedZxid();
        if (zxid < 0 || Zxid.epoch(zxid) > storage.acceptedEpoch()) {
            member.epochRefused();
            member.lookAgain("txn from the leader beyond the accepted epoch");
            return;
        }
        if (!follows(last, zxid)) {
            member.lookAgain("txn from the leader does not follow the log");
            return;
        }
        settleWindow();
        try {
            if (step == Step.SYNCING) {
                // Acknowledged only as a whole, after NEWLEADER's flush: no force per txn even under ALWAYS.
                log.appendDeferred(zxid, payload, offset, length);
            } else {
                log.append(zxid, payload, offset, length);
            }
            window.add(zxid, payload, offset, length);
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot append to the log", e);
            return;
        }
        if (step == Step.SYNCING) {
            syncTxns++;
            syncBytes += length;
        } else {
            unackedZxid = zxid;
        }
    }

    /**
     * A run of consecutive txns of the sync stream as log records, checked by the transport: each must
     * pass {@link #onProposal}'s checks (within the accepted epoch, continuing the log or the record before
     * it), and then the run is logged with one append and one write ({@link TxnLog#appendRecordsDeferred};
     * after NEWLEADER, {@link TxnLog#appendRecords}, acknowledged as proposals are). A run with one txn that
     * fails is refused whole: nothing of it is logged, and the learner looks again, as it would at that txn.
     */
    public void onRecords(final long from, final DirectBuffer records, final int offset, final int length,
        final int count) {
        if (!isFromLeader(from)) {
            return;
        }
        if (step.compareTo(Step.SYNCING) < 0 || isSnapshotExpected) {
            member.lookAgain("unexpected txn from the leader");
            return;
        }
        final long lastZxid = checkRun(records, offset, length, count);
        if (lastZxid < 0) {
            return;
        }
        try {
            if (step == Step.SYNCING) {
                log.appendRecordsDeferred(records, offset, length);
            } else {
                log.appendRecords(records, offset, length);
            }
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot append to the log", e);
            return;
        }
        if (step == Step.SYNCING) {
            windowPending += count;
            syncTxns += count;
            syncBytes += length - (long)count * LogRecords.HEADER_BYTES;
        } else {
            int at = offset;
            while (at < offset + length) {
                final int payloadBytes = LogRecords.length(records, at);
                window.add(LogRecords.zxid(records, at), records, at + LogRecords.HEADER_BYTES, payloadBytes);
                at += LogRecords.HEADER_BYTES + payloadBytes;
            }
            unackedZxid = lastZxid;
        }
    }

    /**
     * {@link #onProposal}'s checks for every txn of a run, and its layout (the transport's, so a failure
     * here is a bug rather than a hostile peer; it is still refused).
     *
     * @return the run's last zxid, or -1 after looking again
     */
    private long checkRun(final DirectBuffer records, final int offset, final int length, final int count) {
        final long accepted = storage.acceptedEpoch();
        final int end = offset + length;
        long last = storage.lastLoggedZxid();
        int seen = 0;
        for (int at = offset; at < end; seen++) {
            final int payloadBytes = end - at < LogRecords.HEADER_BYTES ? -1 : LogRecords.length(records, at);
            if (payloadBytes < 0 || payloadBytes > end - at - LogRecords.HEADER_BYTES) {
                member.lookAgain("malformed run of txns from the leader");
                return -1;
            }
            final long zxid = LogRecords.zxid(records, at);
            if (zxid < 0 || Zxid.epoch(zxid) > accepted) {
                member.epochRefused();
                member.lookAgain("txn from the leader beyond the accepted epoch");
                return -1;
            }
            if (!follows(last, zxid)) {
                member.lookAgain("txn from the leader does not follow the log");
                return -1;
            }
            last = zxid;
            at += LogRecords.HEADER_BYTES + payloadBytes;
        }
        if (seen != count || seen == 0) {
            member.lookAgain("malformed run of txns from the leader");
            return -1;
        }
        return last;
    }

    /** The next counter of the last zxid's epoch, or the first of a later epoch (ZOOKEEPER-4925). */
    private static boolean follows(final long last, final long zxid) {
        return zxid == last + 1 || Zxid.counter(zxid) == 1 && Zxid.epoch(zxid) > Zxid.epoch(last);
    }

    /**
     * Adds the sync stream's txns logged in runs to the committed window: the last of them, up to its
     * capacity, read back from the log. Adding a window's capacity of txns drops every older one (it drops
     * oldest first, and a txn too large for it only empties it), so this leaves the window as adding every
     * txn of the stream would have. If the log cannot be read the window is emptied: a smaller window
     * only makes a later leader send a SNAP where it could have sent a DIFF.
     */
    private void settleWindow() {
        if (windowPending == 0) {
            return;
        }
        final int entries = log.entryCount();
        final int added = (int)Math.min(windowPending, Math.min(window.capacity(), entries));
        windowPending = 0;
        if (added == 0) {
            return;
        }
        try {
            window.addFrom(log, log.entryZxid(entries - added));
        } catch (final RuntimeException e) {
            window.clear();
        }
    }

    /**
     * NEWLEADER: the sync stream is complete. Make the history durable, then persist the new current
     * epoch (ZOOKEEPER-4643/4785: in that order), then acknowledge.
     */
    public void onNewLeader(final long from, final long zxid) {
        if (!isFromLeader(from)) {
            return;
        }
        if (step != Step.SYNCING || isSnapshotExpected) {
            member.lookAgain("unexpected NEWLEADER from the leader");
            return;
        }
        if (zxid < 0 || Zxid.counter(zxid) != 0 || Zxid.epoch(zxid) != storage.acceptedEpoch()) {
            // ZooKeeper's Learner.syncWithLeader makes the epoch of LEADERINFO current, never another one.
            member.epochRefused();
            member.lookAgain("NEWLEADER names an epoch other than the accepted one");
            return;
        }
        settleWindow();
        try {
            log.flush();
            storage.currentEpoch(Zxid.epoch(zxid));
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot persist the synced history", e);
            return;
        }
        step = Step.SYNCED;
        lastAckSent = storage.lastLoggedZxid();
        if (!publisher.sendAck(from, zxid)) {
            member.lookAgain("cannot reach the leader");
            return;
        }
        // Read the clock again: this duty cycle may have logged the stream's last txns or installed its
        // snapshot since nowNs.
        observer.onSynced(mySid, leaderSid, Zxid.epoch(zxid), lastSyncMode, storage.lastLoggedZxid(), log.digest(),
            syncTxns, syncBytes, syncStartedNs, clock.nanoTime());
    }

    /** UPTODATE: the epoch is established; serve. */
    public void onUpToDate(final long from, final long zxid) {
        if (!isFromLeader(from)) {
            return;
        }
        if (step != Step.SYNCED) {
            member.lookAgain("unexpected UPTODATE from the leader");
            return;
        }
        step = Step.SERVING;
        member.commitZxid(zxid);
        member.serving(storage.currentEpoch());
    }

    public void onCommit(final long from, final long zxid) {
        if (!isFromLeader(from)) {
            return;
        }
        // Every PROPOSAL precedes its COMMIT on the one connection, so a COMMIT past the log's end is forged
        // or broken: commit what is logged, count the rest as dropped. ZooKeeper's follower ignores a COMMIT
        // with no pending txn and exits on one that does not match its next (FollowerZooKeeperServer.commit).
        final long logged = storage.lastLoggedZxid();
        if (zxid > logged) {
            member.messageDropped();
        }
        final long upTo = Math.min(zxid, logged);
        if (upTo > member.commitZxid()) {
            member.commitZxid(upTo);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Read by the agent's accessors.

    /** Where this learner is in recovery; NONE while the member is no learner. */
    public Step step() {
        return step;
    }

    /** The leader this learner follows (-1 before its first role). */
    public long leaderSid() {
        return leaderSid;
    }

    /** How this member was last synced by a leader (null if never). */
    public SyncMode lastSyncMode() {
        return lastSyncMode;
    }
}
