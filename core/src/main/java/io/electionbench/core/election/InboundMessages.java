package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The messages that transport threads (or the simulator) hand to a node's agent through its
 * many-to-one ring buffer, and their layouts. Writers claim space and write fields in place
 * ({@code tryClaim}/{@code commit}, a release store); the agent reads them in place. Native byte
 * order: these never leave the process.
 *
 * <pre>
 * NOTIFICATION       fromSid:long leader:long zxid:long electionEpoch:long peerEpoch:long state:int version:int
 * LEARNER_INFO       fromSid:long acceptedEpoch:long lastZxid:long isObserver:int pad:int
 * LEARNER_REJECT     fromSid:long
 * PING, PING_ACK     fromSid:long zxid:long
 * PEER_CONNECTED,
 * PEER_DISCONNECTED,
 * QUORUM_DISCONNECTED sid:long
 * LEADER_INFO        fromSid:long newEpoch:long
 * NEW_LEADER, ACK,
 * COMMIT, UP_TO_DATE fromSid:long zxid:long
 * ACK_EPOCH          fromSid:long currentEpoch:long lastZxid:long snapshotZxid:long
 * SYNC_START         fromSid:long zxid:long mode:int pad:int
 * PROPOSAL           fromSid:long zxid:long length:int pad:int payload:byte[length]
 * SNAPSHOT_CHUNK     fromSid:long zxid:long digest:long totalLength:long position:long length:int pad:int
 *                    bytes:byte[length]
 * WRITE              requestId:long length:int pad:int payload:byte[length]
 * </pre>
 *
 * The offsets below are these layouts, field by field; {@link InboundAdapter} is their only reader
 * and the {@code offer} methods here their only writers.
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

    static final int FROM_OFFSET = 0;
    static final int N_LEADER_OFFSET = 8;
    static final int N_ZXID_OFFSET = 16;
    static final int N_ELECTION_EPOCH_OFFSET = 24;
    static final int N_PEER_EPOCH_OFFSET = 32;
    static final int N_STATE_OFFSET = 40;
    static final int N_VERSION_OFFSET = 44;
    static final int NOTIFICATION_LENGTH = 48;

    static final int LI_ACCEPTED_EPOCH_OFFSET = 8;
    static final int LI_LAST_ZXID_OFFSET = 16;
    static final int LI_FLAGS_OFFSET = 24;
    static final int LEARNER_INFO_LENGTH = 32;

    /** The messages that carry one zxid (or epoch) after the sender: PING, PING_ACK, LEADER_INFO, NEW_LEADER, ... */
    static final int ZXID_OFFSET = 8;
    static final int ZXID_LENGTH = 16;
    static final int SID_LENGTH = 8;

    static final int AE_CURRENT_EPOCH_OFFSET = 8;
    static final int AE_LAST_ZXID_OFFSET = 16;
    static final int AE_SNAPSHOT_ZXID_OFFSET = 24;
    static final int ACK_EPOCH_LENGTH = 32;

    static final int SS_ZXID_OFFSET = 8;
    static final int SS_MODE_OFFSET = 16;
    static final int SYNC_START_LENGTH = 24;

    static final int P_ZXID_OFFSET = 8;
    static final int P_LENGTH_OFFSET = 16;
    static final int P_PAYLOAD_OFFSET = 24;

    static final int SC_ZXID_OFFSET = 8;
    static final int SC_DIGEST_OFFSET = 16;
    static final int SC_TOTAL_OFFSET = 24;
    static final int SC_POSITION_OFFSET = 32;
    static final int SC_LENGTH_OFFSET = 40;
    static final int SC_BYTES_OFFSET = 48;

    static final int W_REQUEST_OFFSET = 0;
    static final int W_LENGTH_OFFSET = 8;
    static final int W_PAYLOAD_OFFSET = 16;

    private InboundMessages() {
    }

    /**
     * Hands over a decoded election notification; false when the ring is full (the caller drops it, as
     * ZooKeeper's full queue does).
     */
    public static boolean offerNotification(
        final RingBuffer ring, final long fromSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch, final int version) {
        final int index = ring.tryClaim(NOTIFICATION, NOTIFICATION_LENGTH);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + N_LEADER_OFFSET, leader);
        buffer.putLong(index + N_ZXID_OFFSET, zxid);
        buffer.putLong(index + N_ELECTION_EPOCH_OFFSET, electionEpoch);
        buffer.putLong(index + N_PEER_EPOCH_OFFSET, peerEpoch);
        buffer.putInt(index + N_STATE_OFFSET, state);
        buffer.putInt(index + N_VERSION_OFFSET, version);
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
        final int index = ring.tryClaim(LEARNER_INFO, LEARNER_INFO_LENGTH);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + LI_ACCEPTED_EPOCH_OFFSET, acceptedEpoch);
        buffer.putLong(index + LI_LAST_ZXID_OFFSET, lastZxid);
        buffer.putInt(index + LI_FLAGS_OFFSET, flags);
        buffer.putInt(index + LI_FLAGS_OFFSET + 4, 0);
        ring.commit(index);
        return true;
    }

    /** LEARNER_REJECT, PEER_CONNECTED, PEER_DISCONNECTED and QUORUM_DISCONNECTED carry only a sid. */
    public static boolean offerSidOnly(final RingBuffer ring, final int type, final long sid) {
        if (type != LEARNER_REJECT && type != PEER_CONNECTED && type != PEER_DISCONNECTED
            && type != QUORUM_DISCONNECTED) {
            throw new IllegalArgumentException("not a sid-only type: " + type);
        }
        final int index = ring.tryClaim(type, SID_LENGTH);
        if (index <= 0) {
            return false;
        }
        ring.buffer().putLong(index + FROM_OFFSET, sid);
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
        final int index = ring.tryClaim(type, ZXID_LENGTH);
        if (index <= 0) {
            return false;
        }
        ring.buffer().putLong(index + FROM_OFFSET, fromSid);
        ring.buffer().putLong(index + ZXID_OFFSET, zxid);
        ring.commit(index);
        return true;
    }

    /** ACKEPOCH, with the learner's snapshot zxid (-1: none, or not told). */
    public static boolean offerAckEpoch(final RingBuffer ring, final long fromSid, final long currentEpoch,
        final long lastZxid, final long snapshotZxid) {
        final int index = ring.tryClaim(ACK_EPOCH, ACK_EPOCH_LENGTH);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + AE_CURRENT_EPOCH_OFFSET, currentEpoch);
        buffer.putLong(index + AE_LAST_ZXID_OFFSET, lastZxid);
        buffer.putLong(index + AE_SNAPSHOT_ZXID_OFFSET, snapshotZxid);
        ring.commit(index);
        return true;
    }

    public static boolean offerSyncStart(final RingBuffer ring, final long fromSid, final int mode, final long zxid) {
        final int index = ring.tryClaim(SYNC_START, SYNC_START_LENGTH);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + SS_ZXID_OFFSET, zxid);
        buffer.putInt(index + SS_MODE_OFFSET, mode);
        buffer.putInt(index + SS_MODE_OFFSET + 4, 0);
        ring.commit(index);
        return true;
    }

    /** A txn (sync or broadcast); the payload is copied into the ring. */
    public static boolean offerProposal(final RingBuffer ring, final long fromSid, final long zxid,
        final DirectBuffer payload, final int offset, final int length) {
        final int index = ring.tryClaim(PROPOSAL, P_PAYLOAD_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + P_ZXID_OFFSET, zxid);
        buffer.putInt(index + P_LENGTH_OFFSET, length);
        buffer.putInt(index + P_LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + P_PAYLOAD_OFFSET, payload, offset, length);
        ring.commit(index);
        return true;
    }

    public static boolean offerSnapshotChunk(final RingBuffer ring, final long fromSid, final long zxid,
        final long digest, final long totalLength, final long position, final DirectBuffer bytes, final int offset,
        final int length) {
        final int index = ring.tryClaim(SNAPSHOT_CHUNK, SC_BYTES_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + SC_ZXID_OFFSET, zxid);
        buffer.putLong(index + SC_DIGEST_OFFSET, digest);
        buffer.putLong(index + SC_TOTAL_OFFSET, totalLength);
        buffer.putLong(index + SC_POSITION_OFFSET, position);
        buffer.putInt(index + SC_LENGTH_OFFSET, length);
        buffer.putInt(index + SC_LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + SC_BYTES_OFFSET, bytes, offset, length);
        ring.commit(index);
        return true;
    }

    /**
     * A client write. {@code requestId} is opaque to the agent and comes back in
     * {@link WriteListener#onWriteResult}; the transport packs its connection and sequence into it.
     */
    public static boolean offerWrite(final RingBuffer ring, final long requestId, final DirectBuffer payload,
        final int offset, final int length) {
        final int index = ring.tryClaim(WRITE, W_PAYLOAD_OFFSET + length);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + W_REQUEST_OFFSET, requestId);
        buffer.putInt(index + W_LENGTH_OFFSET, length);
        buffer.putInt(index + W_LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + W_PAYLOAD_OFFSET, payload, offset, length);
        ring.commit(index);
        return true;
    }
}
