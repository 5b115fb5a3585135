package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The messages that transport threads (or the simulator) hand to a node's agent through its
 * many-to-one ring buffer, and their layouts. Writers claim space and write fields in place
 * ({@code tryClaim}/{@code commit}, a release store); the agent reads them in place. Native byte
 * order: these never leave the process.
 *
 * Each kind's layout is its flyweight's ({@link NotificationFlyweight}, {@link LearnerInfoFlyweight},
 * {@link SidFlyweight}, {@link ZxidFlyweight}, {@link AckEpochFlyweight}, {@link SyncStartFlyweight},
 * {@link ProposalFlyweight}, {@link RecordsFlyweight}, {@link SnapshotChunkFlyweight}, {@link WriteFlyweight}),
 * documented there
 * once; the {@code offer} methods here claim a record of the kind's length and let the flyweight
 * encode it, and {@link InboundAdapter} reads it back through the same flyweight.
 *
 * <p>A message must fit the ring's {@code maxMsgLength()} (an eighth of its capacity): the agent's
 * writes are at most {@link MemberAgent#MAX_WRITE_BYTES} and its snapshot chunks
 * {@link MemberAgent#SNAPSHOT_CHUNK_BYTES}, so a ring of {@link MemberAgent#DEFAULT_INBOUND_CAPACITY}
 * takes any of them. A payload too large for the ring is refused with an exception.
 */
public final class InboundMessages {
    public static final int NOTIFICATION = 1;
    public static final int LEARNER_INFO = 2;
    public static final int LEARNER_REJECT = 3;
    public static final int PING = 4;
    public static final int PING_ACK = 5;
    /** The election connection to a peer came up. */
    public static final int PEER_CONNECTED = 6;
    /** The election connection to a peer dropped: it says who is reachable for votes, nothing about roles. */
    public static final int PEER_DISCONNECTED = 7;
    public static final int LEADER_INFO = 8;
    public static final int ACK_EPOCH = 9;
    public static final int SYNC_START = 10;
    public static final int SNAPSHOT_CHUNK = 11;
    public static final int PROPOSAL = 12;
    public static final int NEW_LEADER = 13;
    public static final int ACK = 14;
    public static final int COMMIT = 15;
    public static final int UP_TO_DATE = 16;
    public static final int WRITE = 17;
    /**
     * The established quorum connection to a peer dropped (EOF or RST): the learner or leader relationship
     * that rode on it is over, since messages may have been lost with it.
     */
    public static final int QUORUM_DISCONNECTED = 18;
    /**
     * An attempt to connect to a peer that the agent asked for ({@link PeerPublisher#connect}) failed
     * before it connected: nothing listens there (a refused connect) or the connect timed out. It is one
     * failed try of ZooKeeper's {@code Learner.connectToLeader}.
     */
    public static final int PEER_UNREACHABLE = 19;
    /** A run of a sync stream's txns as log records, checked by the transport: {@link RecordsFlyweight}. */
    public static final int RECORDS = 20;
    /** What a RECORDS record adds in front of its records. */
    public static final int RECORDS_HEADER_BYTES = RecordsFlyweight.RECORDS_OFFSET;

    private InboundMessages() {
    }

    /**
     * Hands over a decoded election notification; false when the ring is full (the caller drops it, as
     * ZooKeeper's full queue does).
     */
    public static boolean offerNotification(
        final RingBuffer ring, final long fromSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch, final int version) {
        final int index = ring.tryClaim(NOTIFICATION, NotificationFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        NotificationFlyweight.encode(ring.buffer(), index, fromSid, state, leader, zxid, electionEpoch, peerEpoch,
            version);
        ring.commit(index);
        return true;
    }

    /** LEARNER_INFO flag: the learner is an observer. */
    public static final int LEARNER_OBSERVER = 1;
    /**
     * LEARNER_INFO flag: the learner is synced with the addressee in the epoch it names and announces
     * itself again only because its election link came back; a leader that agrees keeps the session.
     */
    public static final int LEARNER_RESUME = 2;

    public static boolean offerLearnerInfo(
        final RingBuffer ring, final long fromSid, final long acceptedEpoch, final long lastZxid, final int flags) {
        final int index = ring.tryClaim(LEARNER_INFO, LearnerInfoFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        LearnerInfoFlyweight.encode(ring.buffer(), index, fromSid, acceptedEpoch, lastZxid, flags);
        ring.commit(index);
        return true;
    }

    /** LEARNER_REJECT, PEER_CONNECTED, PEER_DISCONNECTED, QUORUM_DISCONNECTED and PEER_UNREACHABLE carry only a sid. */
    public static boolean offerSidOnly(final RingBuffer ring, final int type, final long sid) {
        if (type != LEARNER_REJECT && type != PEER_CONNECTED && type != PEER_DISCONNECTED
            && type != QUORUM_DISCONNECTED && type != PEER_UNREACHABLE) {
            throw new IllegalArgumentException("not a sid-only type: " + type);
        }
        final int index = ring.tryClaim(type, SidFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        SidFlyweight.encode(ring.buffer(), index, sid);
        ring.commit(index);
        return true;
    }

    /**
     * The quorum-port messages that carry one zxid (or epoch): PING, PING_ACK, LEADER_INFO (the new
     * epoch), NEW_LEADER, ACK, COMMIT, UP_TO_DATE.
     */
    public static boolean offerZxid(final RingBuffer ring, final int type, final long fromSid, final long zxid) {
        if (type != PING && type != PING_ACK && type != LEADER_INFO && type != NEW_LEADER && type != ACK
            && type != COMMIT && type != UP_TO_DATE) {
            throw new IllegalArgumentException("not a one-zxid type: " + type);
        }
        final int index = ring.tryClaim(type, ZxidFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        ZxidFlyweight.encode(ring.buffer(), index, fromSid, zxid);
        ring.commit(index);
        return true;
    }

    /** ACKEPOCH, with the learner's snapshot zxid (-1: none, or not told). */
    public static boolean offerAckEpoch(final RingBuffer ring, final long fromSid, final long currentEpoch,
        final long lastZxid, final long snapshotZxid) {
        final int index = ring.tryClaim(ACK_EPOCH, AckEpochFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        AckEpochFlyweight.encode(ring.buffer(), index, fromSid, currentEpoch, lastZxid, snapshotZxid);
        ring.commit(index);
        return true;
    }

    public static boolean offerSyncStart(final RingBuffer ring, final long fromSid, final int mode, final long zxid) {
        final int index = ring.tryClaim(SYNC_START, SyncStartFlyweight.LENGTH);
        if (index <= 0) {
            return false;
        }
        SyncStartFlyweight.encode(ring.buffer(), index, fromSid, mode, zxid);
        ring.commit(index);
        return true;
    }

    /** A txn (sync or broadcast); the payload is copied into the ring. */
    public static boolean offerProposal(final RingBuffer ring, final long fromSid, final long zxid,
        final DirectBuffer payload, final int offset, final int length) {
        final int index = ring.tryClaim(PROPOSAL, ProposalFlyweight.PAYLOAD_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        ProposalFlyweight.encode(ring.buffer(), index, fromSid, zxid, payload, offset, length);
        ring.commit(index);
        return true;
    }

    /**
     * A run of {@code count} txns as log records (a sync stream's, each already checked, CRC included),
     * copied into the ring as one record; false when the ring lacks room for it.
     */
    public static boolean offerRecords(final RingBuffer ring, final long fromSid, final DirectBuffer records,
        final int offset, final int length, final int count) {
        final int index = ring.tryClaim(RECORDS, RecordsFlyweight.RECORDS_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        RecordsFlyweight.encode(ring.buffer(), index, fromSid, records, offset, length, count);
        ring.commit(index);
        return true;
    }

    public static boolean offerSnapshotChunk(final RingBuffer ring, final long fromSid, final long zxid,
        final long digest, final long totalLength, final long position, final DirectBuffer bytes, final int offset,
        final int length) {
        final int index = ring.tryClaim(SNAPSHOT_CHUNK, SnapshotChunkFlyweight.BYTES_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        SnapshotChunkFlyweight.encode(ring.buffer(), index, fromSid, zxid, digest, totalLength, position, bytes,
            offset, length);
        ring.commit(index);
        return true;
    }

    /**
     * A client write. {@code requestId} is opaque to the agent and comes back in
     * {@link WriteListener#onWriteResult}; the transport packs its connection and sequence into it.
     */
    public static boolean offerWrite(final RingBuffer ring, final long requestId, final DirectBuffer payload,
        final int offset, final int length) {
        final int index = ring.tryClaim(WRITE, WriteFlyweight.PAYLOAD_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        WriteFlyweight.encode(ring.buffer(), index, requestId, payload, offset, length);
        ring.commit(index);
        return true;
    }
}
