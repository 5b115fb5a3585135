package io.electionbench.transport.net;

import org.agrona.DirectBuffer;

import io.electionbench.core.election.InboundMessages;

/**
 * One record read off an agent's inbound ring, copied out for assertions. The offsets are those of
 * the layout documented on {@link InboundMessages} (package-private there).
 */
public final class InboundRecord {
    public final int type;
    public final long from;
    public final long[] longs;
    public final int mode;
    public final byte[] payload;

    private InboundRecord(final int type, final long from, final long[] longs, final int mode, final byte[] payload) {
        this.type = type;
        this.from = from;
        this.longs = longs;
        this.mode = mode;
        this.payload = payload;
    }

    /** Copies the record of {@code type} at {@code index}. */
    public static InboundRecord read(final int type, final DirectBuffer buffer, final int index) {
        final long from = buffer.getLong(index);
        switch (type) {
            case InboundMessages.LEARNER_INFO:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8), buffer.getLong(index + 16)},
                    buffer.getInt(index + 24), null);
            case InboundMessages.ACK_EPOCH:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8), buffer.getLong(index + 16),
                    buffer.getLong(index + 24)}, 0, null);
            case InboundMessages.SYNC_START:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8)},
                    buffer.getInt(index + 16), null);
            case InboundMessages.PROPOSAL:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8)}, 0,
                    bytes(buffer, index + 24, buffer.getInt(index + 16)));
            case InboundMessages.RECORDS:
                return new InboundRecord(type, from, new long[] {buffer.getInt(index + 12)}, 0,
                    bytes(buffer, index + InboundMessages.RECORDS_HEADER_BYTES, buffer.getInt(index + 8)));
            case InboundMessages.SNAPSHOT_CHUNK:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8), buffer.getLong(index + 16),
                    buffer.getLong(index + 24), buffer.getLong(index + 32)}, 0,
                    bytes(buffer, index + 48, buffer.getInt(index + 40)));
            case InboundMessages.WRITE:
                return new InboundRecord(type, from, new long[0], 0,
                    bytes(buffer, index + 16, buffer.getInt(index + 8)));
            case InboundMessages.LEARNER_REJECT:
            case InboundMessages.PEER_CONNECTED:
            case InboundMessages.PEER_DISCONNECTED:
            case InboundMessages.QUORUM_DISCONNECTED:
            case InboundMessages.PEER_UNREACHABLE:
                return new InboundRecord(type, from, new long[0], 0, null);
            case InboundMessages.NOTIFICATION:
                return new InboundRecord(type, from, new long[0], 0, null);
            default:
                return new InboundRecord(type, from, new long[] {buffer.getLong(index + 8)}, 0, null);
        }
    }

    private static byte[] bytes(final DirectBuffer buffer, final int index, final int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        return bytes;
    }

    @Override
    public String toString() {
        return "type " + type + " from " + from + " " + java.util.Arrays.toString(longs) + " mode " + mode
            + (payload == null ? "" : " payload " + payload.length);
    }
}
