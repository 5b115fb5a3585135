package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * PROPOSAL: a txn from the leader, in a sync stream or in broadcast.
 *
 * <pre>
 *  0 fromSid  long
 *  8 zxid     long
 * 16 length   int
 * 20 pad      int
 * 24 payload  byte[length]
 * </pre>
 */
final class ProposalFlyweight extends InboundFlyweight {
    static final int ZXID_OFFSET = 8;
    static final int LENGTH_OFFSET = 16;
    static final int PAYLOAD_OFFSET = 24;

    long zxid() {
        return buffer.getLong(offset + ZXID_OFFSET);
    }

    int payloadOffset() {
        return offset + PAYLOAD_OFFSET;
    }

    int payloadLength() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid, final long zxid,
        final DirectBuffer payload, final int payloadOffset, final int length) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + ZXID_OFFSET, zxid);
        buffer.putInt(index + LENGTH_OFFSET, length);
        buffer.putInt(index + LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + PAYLOAD_OFFSET, payload, payloadOffset, length);
    }
}
