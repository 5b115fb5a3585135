package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * The quorum-port records that carry one zxid (or epoch) after the sender: PING and PING_ACK (the
 * sender's last zxid), LEADER_INFO (the new epoch), NEW_LEADER, ACK, COMMIT and UP_TO_DATE.
 *
 * <pre>
 *  0 fromSid  long
 *  8 zxid     long
 * 16
 * </pre>
 */
final class ZxidFlyweight extends InboundFlyweight {
    static final int ZXID_OFFSET = 8;
    static final int LENGTH = 16;

    long zxid() {
        return buffer.getLong(offset + ZXID_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid, final long zxid) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + ZXID_OFFSET, zxid);
    }
}
