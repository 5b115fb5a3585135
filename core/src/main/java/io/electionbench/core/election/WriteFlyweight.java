package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * WRITE: a client write handed to the agent by the transport. The only record that does not start
 * with a sid: {@code requestId} is opaque to the agent and comes back in
 * {@link WriteListener#onWriteResult}.
 *
 * <pre>
 *  0 requestId  long
 *  8 length     int
 * 12 pad        int
 * 16 payload    byte[length]
 * </pre>
 */
final class WriteFlyweight extends InboundFlyweight {
    static final int REQUEST_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int PAYLOAD_OFFSET = 16;

    long requestId() {
        return buffer.getLong(offset + REQUEST_OFFSET);
    }

    int payloadOffset() {
        return offset + PAYLOAD_OFFSET;
    }

    int payloadLength() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long requestId,
        final DirectBuffer payload, final int payloadOffset, final int length) {
        buffer.putLong(index + REQUEST_OFFSET, requestId);
        buffer.putInt(index + LENGTH_OFFSET, length);
        buffer.putInt(index + LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + PAYLOAD_OFFSET, payload, payloadOffset, length);
    }
}
