package io.electionbench.core.election;

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
 * PEER_DISCONNECTED  sid:long
 * </pre>
 */
public final class InboundMessages {
    public static final int NOTIFICATION = 1;
    public static final int LEARNER_INFO = 2;
    public static final int LEARNER_REJECT = 3;
    public static final int PING = 4;
    public static final int PING_ACK = 5;
    public static final int PEER_CONNECTED = 6;
    public static final int PEER_DISCONNECTED = 7;

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
    static final int LI_OBSERVER_OFFSET = 24;
    static final int LEARNER_INFO_LENGTH = 32;

    static final int PING_ZXID_OFFSET = 8;
    static final int PING_LENGTH = 16;
    static final int SID_LENGTH = 8;

    private InboundMessages() {
    }

    /** Hands over a decoded election notification; false when the ring is full (the caller drops it, as ZooKeeper's full queue does). */
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

    public static boolean offerLearnerInfo(
        final RingBuffer ring, final long fromSid, final long acceptedEpoch, final long lastZxid, final boolean isObserver) {
        final int index = ring.tryClaim(LEARNER_INFO, LEARNER_INFO_LENGTH);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + LI_ACCEPTED_EPOCH_OFFSET, acceptedEpoch);
        buffer.putLong(index + LI_LAST_ZXID_OFFSET, lastZxid);
        buffer.putInt(index + LI_OBSERVER_OFFSET, isObserver ? 1 : 0);
        buffer.putInt(index + LI_OBSERVER_OFFSET + 4, 0);
        ring.commit(index);
        return true;
    }

    public static boolean offerPing(final RingBuffer ring, final int type, final long fromSid, final long zxid) {
        if (type != PING && type != PING_ACK) {
            throw new IllegalArgumentException("not a ping type: " + type);
        }
        final int index = ring.tryClaim(type, PING_LENGTH);
        if (index <= 0) {
            return false;
        }
        ring.buffer().putLong(index + FROM_OFFSET, fromSid);
        ring.buffer().putLong(index + PING_ZXID_OFFSET, zxid);
        ring.commit(index);
        return true;
    }

    /** LEARNER_REJECT, PEER_CONNECTED and PEER_DISCONNECTED carry only a sid. */
    public static boolean offerSidOnly(final RingBuffer ring, final int type, final long sid) {
        if (type != LEARNER_REJECT && type != PEER_CONNECTED && type != PEER_DISCONNECTED) {
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
}
