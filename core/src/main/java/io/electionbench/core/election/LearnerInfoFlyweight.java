package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * LEARNER_INFO: a learner announces itself to the leader it chose (ZooKeeper's FOLLOWERINFO or
 * OBSERVERINFO).
 *
 * <pre>
 *  0 fromSid        long
 *  8 acceptedEpoch  long   the learner's accepted epoch
 * 16 lastZxid       long   its last logged zxid
 * 24 flags          int    {@link InboundMessages#LEARNER_OBSERVER}, {@link InboundMessages#LEARNER_RESUME}
 * 28 pad            int
 * 32
 * </pre>
 */
final class LearnerInfoFlyweight extends InboundFlyweight {
    static final int ACCEPTED_EPOCH_OFFSET = 8;
    static final int LAST_ZXID_OFFSET = 16;
    static final int FLAGS_OFFSET = 24;
    static final int LENGTH = 32;

    long acceptedEpoch() {
        return buffer.getLong(offset + ACCEPTED_EPOCH_OFFSET);
    }

    int flags() {
        return buffer.getInt(offset + FLAGS_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid,
        final long acceptedEpoch, final long lastZxid, final int flags) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + ACCEPTED_EPOCH_OFFSET, acceptedEpoch);
        buffer.putLong(index + LAST_ZXID_OFFSET, lastZxid);
        buffer.putInt(index + FLAGS_OFFSET, flags);
        buffer.putInt(index + FLAGS_OFFSET + 4, 0);
    }
}
