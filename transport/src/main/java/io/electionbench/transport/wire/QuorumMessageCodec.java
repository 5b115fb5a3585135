package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

/**
 * electionbench's quorum-port messages: one message per length-framed frame (see {@link FrameCodec};
 * same 512 KiB limit). The sender is the connection's authenticated peer, so no message repeats its
 * sid. Big-endian payload:
 *
 * <pre>
 * offset size field
 *  0     1    magic    0xEB
 *  1     1    version  1
 *  2     2    type     see below
 *  4     ..   fields of the type
 *
 * type 1  LEARNER_INFO    acceptedEpoch:long@4 lastZxid:long@12 flags:int@20 (bit 0 = observer)   24 bytes
 * type 2  LEARNER_REJECT  (no fields)                                                          4 bytes
 * type 3  PING            zxid:long@4 (the leader's last zxid)                                 12 bytes
 * type 4  PING_ACK        zxid:long@4 (the learner's last zxid)                                12 bytes
 * types 16..63            reserved for epoch negotiation, sync and broadcast (a later version)
 * </pre>
 *
 * A frame shorter than its type's fields is {@link WireError#BAD_MESSAGE_LENGTH}; trailing bytes past
 * the fields are ignored, so version 1 may grow fields at the end. A wrong magic, another version or
 * an unknown type closes the connection: both ends are electionbench nodes, so these mean a broken
 * or hostile peer. A codec instance is a reusable flyweight.
 */
public final class QuorumMessageCodec {
    public static final int MAGIC = 0xEB;
    public static final int VERSION = 1;
    public static final int LEARNER_INFO = 1;
    public static final int LEARNER_REJECT = 2;
    public static final int PING = 3;
    public static final int PING_ACK = 4;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int TYPE_OFFSET = 2;
    public static final int HEADER_LENGTH = 4;
    public static final int LI_ACCEPTED_EPOCH_OFFSET = 4;
    public static final int LI_LAST_ZXID_OFFSET = 12;
    public static final int LI_FLAGS_OFFSET = 20;
    public static final int LEARNER_INFO_LENGTH = 24;
    public static final int ZXID_OFFSET = 4;
    public static final int PING_LENGTH = 12;
    public static final int FLAG_OBSERVER = 1;

    private int type;
    private long acceptedEpoch;
    private long zxid;
    private int flags;

    /** Writes a LEARNER_INFO frame (length prefix included). */
    public static void encodeLearnerInfo(final ByteBuf out, final long acceptedEpoch, final long lastZxid, final boolean isObserver) {
        out.writeInt(LEARNER_INFO_LENGTH);
        writeHeader(out, LEARNER_INFO);
        out.writeLong(acceptedEpoch);
        out.writeLong(lastZxid);
        out.writeInt(isObserver ? FLAG_OBSERVER : 0);
    }

    /** Writes a LEARNER_REJECT frame. */
    public static void encodeLearnerReject(final ByteBuf out) {
        out.writeInt(HEADER_LENGTH);
        writeHeader(out, LEARNER_REJECT);
    }

    /** Writes a PING or PING_ACK frame. */
    public static void encodePing(final ByteBuf out, final int type, final long zxid) {
        out.writeInt(PING_LENGTH);
        writeHeader(out, type);
        out.writeLong(zxid);
    }

    private static void writeHeader(final ByteBuf out, final int type) {
        out.writeByte(MAGIC);
        out.writeByte(VERSION);
        out.writeShort(type);
    }

    /** Decodes the payload of {@code length} bytes at {@code index} (the frame without its length prefix). */
    public WireError decode(final ByteBuf buf, final int index, final int length) {
        type = 0;
        if (length < HEADER_LENGTH) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        if (buf.getUnsignedByte(index + MAGIC_OFFSET) != MAGIC) {
            return WireError.BAD_MAGIC;
        }
        if (buf.getUnsignedByte(index + VERSION_OFFSET) != VERSION) {
            return WireError.UNSUPPORTED_VERSION;
        }
        final int t = buf.getUnsignedShort(index + TYPE_OFFSET);
        switch (t) {
            case LEARNER_INFO:
                if (length < LEARNER_INFO_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                acceptedEpoch = buf.getLong(index + LI_ACCEPTED_EPOCH_OFFSET);
                zxid = buf.getLong(index + LI_LAST_ZXID_OFFSET);
                flags = buf.getInt(index + LI_FLAGS_OFFSET);
                break;
            case LEARNER_REJECT:
                break;
            case PING:
            case PING_ACK:
                if (length < PING_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                zxid = buf.getLong(index + ZXID_OFFSET);
                break;
            default:
                return WireError.UNKNOWN_TYPE;
        }
        type = t;
        return WireError.NONE;
    }

    /** The decoded type, 0 after a failed decode. */
    public int type() {
        return type;
    }

    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    /** LEARNER_INFO's lastZxid or PING/PING_ACK's zxid. */
    public long zxid() {
        return zxid;
    }

    public boolean isObserver() {
        return (flags & FLAG_OBSERVER) != 0;
    }
}
