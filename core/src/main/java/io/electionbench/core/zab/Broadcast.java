package io.electionbench.core.zab;

import org.agrona.DirectBuffer;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.log.CommittedWindow;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.CommitRule;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.zab.LearnerProgress.Phase;

/**
 * A leader's establishment and broadcast (ZooKeeper's {@code Leader.waitForNewLeaderAck},
 * {@code propose}, {@code processAck} and {@code commit}; Zab's phase 3): NEWLEADER acknowledged by the
 * leader and a quorum of voters establishes the epoch, and the synced learners get UPTODATE; then each
 * write is logged as the next zxid of the epoch and proposed to every learner past its NEWLEADER in
 * one broadcast, and the longest prefix that the leader (once flushed) and a quorum of synced voters
 * have logged is committed ({@link CommitRule}), each committed write answered through
 * {@link WriteListener} and one COMMIT sent per advance. A leader that stops leading answers its
 * outstanding writes UNKNOWN. Nothing on this path allocates in steady state (docs/recovery.md,
 * "Writes"). One preallocated object per agent; agent thread only.
 */
public final class Broadcast {
    /** The largest write payload accepted (larger ones get {@link WriteListener#TOO_LARGE}). */
    public static final int MAX_WRITE_BYTES = 16 * 1024;
    /** Proposals a leader keeps outstanding (not yet committed) before refusing writes with BUSY. */
    public static final int MAX_OUTSTANDING = 1 << 16;

    private final Member member;
    /** ZooKeeper's {@code FinalRequestProcessor} adds each committed txn to it; here each logged one. */
    private final CommittedWindow window;
    private final long mySid;
    private final int myIndex;
    private final long myBit;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final TxnLog log;
    private final Leadership leadership;
    private final Discovery discovery;
    /** Scratch for {@link #advanceCommit}: each counted member's acknowledged zxid, by member index. */
    private final long[] commitAcks;
    /** Scratch for {@link #propose}: the learners of one broadcast, by sid and by member index. */
    private final long[] broadcastSids;
    private final int[] broadcastIndexes;
    private WriteListener writeListener = WriteListener.NONE;

    private long proposedCounter;
    /** {@link Zxid#MAX_COUNTER}; lowered only by tests, which cannot write four billion txns. */
    private long maxCounter = Zxid.MAX_COUNTER;
    private long committedCounter;
    private long selfDurableZxid;
    /** Request ids of outstanding proposals, by counter modulo the length; doubles as needed up to MAX_OUTSTANDING. */
    private long[] pendingRequest = new long[16];
    private long writesCommitted;

    public Broadcast(final Member member, final long mySid, final Ensemble ensemble, final PeerPublisher publisher,
        final PersistentState storage, final CommittedWindow window, final Leadership leadership,
        final Discovery discovery) {
        this.member = member;
        this.window = window;
        this.mySid = mySid;
        this.myIndex = ensemble.indexOf(mySid);
        this.myBit = 1L << myIndex;
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.publisher = publisher;
        this.storage = storage;
        this.log = storage.log();
        this.leadership = leadership;
        this.discovery = discovery;
        this.commitAcks = new long[ensemble.size()];
        this.broadcastSids = new long[ensemble.size()];
        this.broadcastIndexes = new int[ensemble.size()];
    }

    /** Receives the outcome of every write. */
    public void writeListener(final WriteListener listener) {
        this.writeListener = listener;
    }

    /** Tests only: the counter at which a leader starts a new epoch instead of proposing. */
    public void maxCounter(final long counter) {
        maxCounter = counter;
    }

    /** The member leads from now: nothing proposed yet. */
    public void enter() {
        proposedCounter = 0;
        committedCounter = 0;
    }

    /** The leadership ends: what was proposed and not committed has an outcome unknown to its writer. */
    public void leave() {
        while (committedCounter < proposedCounter) {
            committedCounter++;
            writeListener.onWriteResult(pendingRequest[(int)(committedCounter & (pendingRequest.length - 1))],
                WriteListener.UNKNOWN, Zxid.make(discovery.newEpoch(), committedCounter), mySid);
        }
        proposedCounter = 0;
        committedCounter = 0;
    }

    /**
     * NEWLEADER acknowledged by a quorum (the leader counts itself): the epoch is established. Everything
     * the leader logged is committed; the synced learners get UPTODATE and writes are accepted.
     */
    public void checkEstablished() {
        if (leadership.isEstablished() || !discovery.isEpochAcked()
            || !quorum.containsQuorum(leadership.votersIn(Phase.SYNCED) | myBit)) {
            return;
        }
        leadership.established();
        final long commitZxid = storage.lastLoggedZxid();
        member.commitZxid(commitZxid);
        selfDurableZxid = commitZxid;
        proposedCounter = 0;
        committedCounter = 0;
        // ZooKeeper's updateElectionVote: the vote we answer LOOKING servers with carries the epoch
        // now established, so a joiner sees the leader and its followers agree (Vote.equals compares
        // leader and peer epoch outside an election).
        member.serving(discovery.newEpoch());
        long rest = leadership.learnerMask();
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(index).phase() == Phase.SYNCED
                && !publisher.sendUpToDate(ensemble.sid(index), commitZxid)) {
                leadership.dropUnreachable(index);
            }
        }
    }

    /** ACK of NEWLEADER (the learner is synced) or of proposals up to a zxid. */
    public void onAck(final long from, final long zxid) {
        final int index = ensemble.indexOf(from);
        if (!member.isLeading() || index < 0) {
            member.messageDropped();
            return;
        }
        final LearnerProgress learner = leadership.learner(index);
        learner.heardAt(member.nowNs());
        if (learner.phase() == Phase.NEWLEADER_SENT && zxid == Zxid.make(discovery.newEpoch(), 0)) {
            learner.phase(Phase.SYNCED);
            learner.syncSucceeded();
            learner.ackedZxid(learner.syncCursorZxid());
            if (leadership.isEstablished()) {
                if (!publisher.sendUpToDate(from, member.commitZxid())) {
                    leadership.dropUnreachable(index);
                    return;
                }
                advanceCommit();
            } else {
                checkEstablished();
            }
        } else if (learner.phase() == Phase.SYNCED && zxid > learner.ackedZxid()) {
            learner.ackedZxid(zxid);
            advanceCommit();
        }
    }

    /** A client write to this leader (the caller answers NOT_LEADER elsewhere): logged and proposed, or refused. */
    public void onWrite(final long requestId, final DirectBuffer payload, final int offset, final int length) {
        if (!leadership.isEstablished()) {
            writeListener.onWriteResult(requestId, WriteListener.NOT_READY, -1, mySid);
        } else if (length > MAX_WRITE_BYTES) {
            writeListener.onWriteResult(requestId, WriteListener.TOO_LARGE, -1, mySid);
        } else if (proposedCounter >= maxCounter) {
            // ZooKeeper's Leader.propose: the counter would roll over, so a new epoch starts.
            writeListener.onWriteResult(requestId, WriteListener.NOT_READY, -1, mySid);
            member.lookAgain("zxid counter exhausted: a new epoch starts");
        } else if (proposedCounter - committedCounter >= MAX_OUTSTANDING) {
            writeListener.onWriteResult(requestId, WriteListener.BUSY, -1, mySid);
        } else {
            final long zxid = Zxid.make(discovery.newEpoch(), proposedCounter + 1);
            try {
                log.append(zxid, payload, offset, length);
                window.add(zxid, payload, offset, length);
            } catch (final RuntimeException e) {
                writeListener.onWriteResult(requestId, WriteListener.UNKNOWN, zxid, mySid);
                member.cannotUseStorage("cannot append to the log", e);
                return;
            }
            proposedCounter++;
            if (proposedCounter - committedCounter > pendingRequest.length) {
                growPendingRequests();
            }
            pendingRequest[(int)(proposedCounter & (pendingRequest.length - 1))] = requestId;
            propose(zxid, payload, offset, length);
        }
    }

    /**
     * Sends a new txn to every learner past its NEWLEADER in one broadcast (the transport encodes it
     * once for all of them); learners still syncing get it through their stream. Drops the learners it
     * could not be sent to.
     */
    private void propose(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        int count = 0;
        long rest = leadership.learnerMask();
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(index).phase().isPastNewLeader()) {
                broadcastSids[count] = ensemble.sid(index);
                broadcastIndexes[count] = index;
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        long failed = publisher.broadcastProposal(broadcastSids, count, zxid, payload, offset, length);
        while (failed != 0) {
            final int i = Long.numberOfTrailingZeros(failed);
            failed &= failed - 1;
            leadership.dropUnreachable(broadcastIndexes[i]);
        }
    }

    /** Once per duty cycle while established: the leader's own log is flushed, and its flushed zxid counts. */
    public int flushOwnLog() {
        if (!leadership.isEstablished() || log.lastZxid() <= selfDurableZxid) {
            return 0;
        }
        try {
            log.flush();
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot flush the log", e);
            return 1;
        }
        selfDurableZxid = log.lastZxid();
        advanceCommit();
        return 1;
    }

    /**
     * Commits the longest prefix that the leader (once flushed) and a quorum of synced voters have
     * logged ({@link CommitRule#committedZxid}: the largest acknowledged zxid z such that the members
     * with acks of at least z form a quorum). Answers each newly committed write and tells the learners
     * once per advance.
     */
    private void advanceCommit() {
        if (!leadership.isEstablished()) {
            return;
        }
        long counted = myBit;
        commitAcks[myIndex] = selfDurableZxid;
        for (long rest = leadership.learnerMask() & quorum.votersMask(); rest != 0; rest &= rest - 1) {
            final LearnerProgress learner = leadership.learner(Long.numberOfTrailingZeros(rest));
            if (learner.phase() == Phase.SYNCED) {
                counted |= 1L << learner.index();
                commitAcks[learner.index()] = learner.ackedZxid();
            }
        }
        final long commitZxid = member.commitZxid();
        final long best = Math.max(commitZxid, CommitRule.committedZxid(commitAcks, counted, quorum));
        if (best == commitZxid) {
            return;
        }
        member.commitZxid(best);
        final long epoch = discovery.newEpoch();
        if (Zxid.epoch(best) == epoch) {
            final long upTo = Zxid.counter(best);
            while (committedCounter < upTo) {
                committedCounter++;
                writesCommitted++;
                writeListener.onWriteResult(pendingRequest[(int)(committedCounter & (pendingRequest.length - 1))],
                    WriteListener.COMMITTED, Zxid.make(epoch, committedCounter), mySid);
            }
        }
        long rest = leadership.learnerMask();
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(index).phase() == Phase.SYNCED && !publisher.sendCommit(ensemble.sid(index), best)) {
                leadership.dropUnreachable(index);
            }
        }
    }

    /** Doubles the outstanding-request ring, keeping each outstanding request id. Not on the steady-state path. */
    private void growPendingRequests() {
        final long[] grown = new long[pendingRequest.length * 2];
        for (long c = committedCounter + 1; c < proposedCounter; c++) {
            grown[(int)(c & (grown.length - 1))] = pendingRequest[(int)(c & (pendingRequest.length - 1))];
        }
        pendingRequest = grown;
    }

    /** A write was proposed and not yet committed. */
    public boolean hasOutstanding() {
        return committedCounter < proposedCounter;
    }

    /** Writes this node committed as leader. */
    public long writesCommitted() {
        return writesCommitted;
    }
}
