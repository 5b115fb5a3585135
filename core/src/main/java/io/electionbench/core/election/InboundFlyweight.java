package io.electionbench.core.election;

import org.agrona.DirectBuffer;

/**
 * A view of one inbound record in place, in Agrona's flyweight style: {@link #wrap} points it at a
 * record in the ring's buffer and the subclass's getters read its fields at the offsets its layout
 * names. Every subclass documents its layout once, as offsets from the start of the record; native
 * byte order, since the records never leave the process. The {@link InboundAdapter} owns one
 * preallocated instance per kind and rewraps it for every record, so reading allocates nothing; the
 * subclasses' static {@code encode} methods are the only writers and {@link InboundMessages} their
 * only caller.
 */
abstract class InboundFlyweight {
    /** Every record but WRITE starts with the sid of the peer it came from (or is about). */
    static final int FROM_OFFSET = 0;

    DirectBuffer buffer;
    int offset;

    final void wrap(final DirectBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
    }

    final long fromSid() {
        return buffer.getLong(offset + FROM_OFFSET);
    }
}
