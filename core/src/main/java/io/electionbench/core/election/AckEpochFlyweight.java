package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * ACK_EPOCH: a learner accepts the leader's new epoch and says where its log ends.
 *
 * <pre>
 *  0 fromSid       long
 *  8 currentEpoch  long   the learner's current epoch before this one
 * 16 lastZxid      long   its last logged zxid
 * 24 snapshotZxid  long   its newest snapshot's zxid (-1: none, or not told)
 * 32
 * </pre>
 */
final class AckEpochFlyweight extends InboundFlyweight {
    static final int CURRENT_EPOCH_OFFSET = 8;
    static final int LAST_ZXID_OFFSET = 16;
    static final int SNAPSHOT_ZXID_OFFSET = 24;
    static final int LENGTH = 32;

    long currentEpoch() {
        return buffer.getLong(offset + CURRENT_EPOCH_OFFSET);
    }

    long lastZxid() {
        return buffer.getLong(offset + LAST_ZXID_OFFSET);
    }

    long snapshotZxid() {
        return buffer.getLong(offset + SNAPSHOT_ZXID_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid,
        final long currentEpoch, final long lastZxid, final long snapshotZxid) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + CURRENT_EPOCH_OFFSET, currentEpoch);
        buffer.putLong(index + LAST_ZXID_OFFSET, lastZxid);
        buffer.putLong(index + SNAPSHOT_ZXID_OFFSET, snapshotZxid);
    }
}
