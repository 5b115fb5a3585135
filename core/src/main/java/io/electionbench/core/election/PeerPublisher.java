package io.electionbench.core.election;

import java.nio.file.Path;

import org.agrona.DirectBuffer;

/**
 * Outbound messages of one node. Implementations encode into per-peer buffers (the transport) or
 * schedule deliveries (the simulator). Every argument is a primitive or a buffer slice that is only
 * read during the call, so sending allocates nothing.
 *
 * <p>The election messages ({@link #sendNotification}) go on the election port and may be lost; the
 * agent resends them. Everything else goes on the quorum port, in order per peer, and must not be
 * lost silently: a send that returns false means the link to that peer is down or hopelessly
 * backed up, and the agent ends the relationship (a learner looks again, a leader drops the learner,
 * which announces itself again and is synced afresh). A bulk stream (sync txns and snapshot chunks)
 * is paced with {@link #isWritable}, so it never fills the outbound buffer.
 */
public interface PeerPublisher {
    /** A ZooKeeper election notification (election port). */
    boolean sendNotification(long toSid, int state, long leader, long zxid, long electionEpoch, long peerEpoch);

    /**
     * ZooKeeper's {@code QuorumCnxManager.haveDelivered}: true when, of the peers this node has sent
     * notifications to, at least one holds nothing unsent (its election connection is up and took
     * everything), false when each such peer's latest notification still waits for a connection. A
     * LOOKING node under the zookeeper policy resends its vote on a timeout only when this is true,
     * and otherwise dials every voter instead ({@code lookForLeader}'s {@code connectAll}).
     * <p>
     * The default is true: a publisher that never holds a message back (a test double).
     */
    default boolean haveDelivered() {
        return true;
    }

    /** A learner announces itself to the leader it decided for (ZooKeeper's FOLLOWERINFO/OBSERVERINFO). */
    boolean sendLearnerInfo(long toSid, long acceptedEpoch, long lastZxid, int flags);

    /** The addressee is not leading, or the relationship is over (a closed learner connection in ZooKeeper). */
    boolean sendLearnerReject(long toSid);

    /** Leader to learner heartbeat carrying the leader's last zxid. */
    boolean sendPing(long toSid, long zxid);

    /** Learner's answer to a ping. */
    boolean sendPingAck(long toSid, long zxid);

    /** Leader to learner: the epoch it proposes (ZooKeeper's LEADERINFO). */
    boolean sendLeaderInfo(long toSid, long newEpoch);

    /**
     * Learner to leader (ACKEPOCH): its current epoch, or -1 when it had already accepted this epoch
     * (then it does not count towards the epoch quorum), its last logged zxid, and the zxid its
     * snapshot covers up to (-1: none), so the leader never plans a TRUNC below what it compacted.
     */
    boolean sendAckEpoch(long toSid, long currentEpoch, long lastZxid, long snapshotZxid);

    /**
     * Leader to learner: how it is synced. {@code mode} is a {@link io.electionbench.core.sync.SyncMode}
     * wire code (DIFF 13, TRUNC 14, SNAP 15); DIFF: the learner's last zxid, TRUNC: the zxid the learner
     * truncates after, SNAP: the zxid the snapshot that follows covers.
     */
    boolean sendSyncStart(long toSid, int mode, long zxid);

    /**
     * Leader to learner, after a SNAP sync start: bytes {@code [position, position + length)} of a
     * snapshot of {@code totalLength} bytes that covers every txn up to {@code zxid} and has history
     * digest {@code digest}. Chunks arrive in order; the last one ends at {@code totalLength}.
     */
    boolean sendSnapshotChunk(long toSid, long zxid, long digest, long totalLength, long position,
        DirectBuffer buffer, int offset, int length);

    /**
     * As {@link #sendSnapshotChunk(long, long, long, long, long, DirectBuffer, int, int)}, for a snapshot
     * the log keeps in a file ({@link io.electionbench.core.log.TxnLog#snapshotFile()}): the chunk's
     * bytes are {@code buffer[offset, offset + length)} and equally bytes
     * {@code [fileOffset + position, fileOffset + position + length)} of {@code file}, so a transport
     * may send them straight from the file (zero-copy) instead of copying them. {@code file} (by
     * identity) and {@code zxid} name one snapshot version: a transport may keep the file open across
     * chunks and must reopen it when either changes. The receiver sees exactly the same message.
     * <p>
     * The default sends the bytes from {@code buffer}, as the copy path does.
     */
    default boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final Path file, final long fileOffset, final DirectBuffer buffer, final int offset,
        final int length) {
        return sendSnapshotChunk(toSid, zxid, digest, totalLength, position, buffer, offset, length);
    }

    /** Leader to learner: one txn, in a sync stream or as a broadcast proposal. */
    boolean sendProposal(long toSid, long zxid, DirectBuffer payload, int offset, int length);

    /**
     * Leader to learners: one broadcast proposal to each of {@code toSids[0, count)} (at most 64), as
     * {@link #sendProposal} to each in turn. A transport encodes the frame once and shares it between
     * the learners (reference-counted), instead of copying the payload once per learner. The payload
     * is only read during the call.
     *
     * @return bit {@code i} set for each {@code toSids[i]} the proposal could not be sent to (the
     *         agent drops those learners); 0 when it went to all
     */
    default long broadcastProposal(final long[] toSids, final int count, final long zxid, final DirectBuffer payload,
        final int offset, final int length) {
        long failed = 0;
        for (int i = 0; i < count; i++) {
            if (!sendProposal(toSids[i], zxid, payload, offset, length)) {
                failed |= 1L << i;
            }
        }
        return failed;
    }

    /**
     * True if this publisher implements {@link #sendRecords}; a leader whose log keeps its records in
     * files ({@link io.electionbench.core.log.TxnLog#recordSpan}) then streams syncs as record batches.
     */
    default boolean canSendRecords() {
        return false;
    }

    /**
     * Leader to learner, in a sync stream: {@code count} whole txn log records, {@code firstZxid} to
     * {@code lastZxid}, which are bytes {@code [position, position + length)} of the log file
     * {@code file} (a {@link io.electionbench.core.log.RecordSpan}). They are sent as they are, from
     * the file, without entering the JVM's memory where the transport allows; the receiving transport
     * checks each record's CRC and hands each to its agent as a PROPOSAL. The file may be deleted or
     * replaced after the call; what was queued is still sent.
     *
     * @throws UnsupportedOperationException unless {@link #canSendRecords()}
     */
    default boolean sendRecords(final long toSid, final Path file, final long position, final int length,
        final int count, final long firstZxid, final long lastZxid) {
        throw new UnsupportedOperationException("this publisher cannot send records from a file");
    }

    /** Leader to learner: the end of the sync stream; {@code zxid} is the new epoch's zxid (epoch, 0). */
    boolean sendNewLeader(long toSid, long zxid);

    /** Learner to leader: NEWLEADER (its zxid) or every proposal up to {@code zxid} is logged. */
    boolean sendAck(long toSid, long zxid);

    /** Leader to learner: every txn up to {@code zxid} is committed. */
    boolean sendCommit(long toSid, long zxid);

    /** Leader to learner: the epoch is established and the learner may serve; txns up to {@code zxid} are committed. */
    boolean sendUpToDate(long toSid, long zxid);

    /**
     * Ends the quorum connection to {@code toSid} after a send on it failed: what is queued for the
     * peer is dropped and the connection closed, so the peer sees it drop (QUORUM_DISCONNECTED) and
     * starts afresh; the link is then dialled again as after any drop. A refusal sent instead might
     * never arrive: a link that refused one send because it is backed up refuses the next one too, and
     * the peer would go on as if nothing it was sent had been lost. ZooKeeper's
     * {@code LearnerHandler.shutdown} closes the learner's socket for the same reason.
     * <p>
     * The default sends {@link #sendLearnerReject}, which is all a publisher without connections can do.
     */
    default void resetQuorumLink(final long toSid) {
        sendLearnerReject(toSid);
    }

    /**
     * Dials {@code toSid} now: for a learner that needs its chosen leader (one try of ZooKeeper's
     * {@code Learner.connectToLeader}), or a LOOKING node whose notifications wait for connections
     * ({@code QuorumCnxManager.connectAll}). Each link to the peer that this side dials and that is
     * neither up nor being set up is dialled at once, whatever its reconnect backoff: the election link
     * (from the smaller sid a prompt, which makes the peer dial back) and, from the larger sid, the
     * quorum link. If the attempt on the link that stands for the peer (the quorum link from the larger
     * sid, the election link from the smaller) fails before it connects (nothing listening, a connect
     * timeout), the agent receives one {@link InboundMessages#PEER_UNREACHABLE} for the peer; a
     * connection that comes up is reported as any other, and one already up is left alone (its drop is
     * reported when it happens). Each call is at most one report.
     * <p>
     * The default does nothing: a publisher without connections (a test double) has nothing to dial.
     */
    default void connect(final long toSid) {
    }

    /**
     * Whether a bulk stream to {@code toSid} may send more now (Netty's channel writability). The agent
     * resumes the stream on a later duty cycle when this is false.
     */
    default boolean isWritable(long toSid) {
        return true;
    }
}
