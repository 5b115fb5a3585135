package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * NOTIFICATION: an election notification decoded from a peer's election connection.
 *
 * <pre>
 *  0 fromSid        long
 *  8 leader         long   the proposed leader
 * 16 zxid           long   its last zxid
 * 24 electionEpoch  long   the sender's logical clock (round)
 * 32 peerEpoch      long   the proposed leader's epoch
 * 40 state          int    the sender's ServerState code
 * 44 version        int    the notification's wire version
 * 48
 * </pre>
 */
final class NotificationFlyweight extends InboundFlyweight {
    static final int LEADER_OFFSET = 8;
    static final int ZXID_OFFSET = 16;
    static final int ELECTION_EPOCH_OFFSET = 24;
    static final int PEER_EPOCH_OFFSET = 32;
    static final int STATE_OFFSET = 40;
    static final int VERSION_OFFSET = 44;
    static final int LENGTH = 48;

    long leader() {
        return buffer.getLong(offset + LEADER_OFFSET);
    }

    long zxid() {
        return buffer.getLong(offset + ZXID_OFFSET);
    }

    long electionEpoch() {
        return buffer.getLong(offset + ELECTION_EPOCH_OFFSET);
    }

    long peerEpoch() {
        return buffer.getLong(offset + PEER_EPOCH_OFFSET);
    }

    int state() {
        return buffer.getInt(offset + STATE_OFFSET);
    }

    int version() {
        return buffer.getInt(offset + VERSION_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid, final int state,
        final long leader, final long zxid, final long electionEpoch, final long peerEpoch, final int version) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + LEADER_OFFSET, leader);
        buffer.putLong(index + ZXID_OFFSET, zxid);
        buffer.putLong(index + ELECTION_EPOCH_OFFSET, electionEpoch);
        buffer.putLong(index + PEER_EPOCH_OFFSET, peerEpoch);
        buffer.putInt(index + STATE_OFFSET, state);
        buffer.putInt(index + VERSION_OFFSET, version);
    }
}
