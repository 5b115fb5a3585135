package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

/**
 * The quorum-port connection header, written once by the initiator (always the larger sid) before
 * any frame. This port speaks electionbench's own protocol, not ZooKeeper's jute packets. Big-endian:
 *
 * <pre>
 * offset size field
 *  0     4    magic     0x45425150 ("EBQP")
 *  4     2    version   1
 *  6     2    flags     0 (reserved)
 *  8     8    sid       the initiator's server id (&gt; 0)
 * </pre>
 */
public final class QuorumHeaderCodec {
    public static final int MAGIC = 0x45425150;
    public static final short VERSION = 1;
    public static final int LENGTH = 16;

    private long sid;
    private int version;

    public static void encode(final ByteBuf out, final long sid) {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeShort(0);
        out.writeLong(sid);
    }

    /** Decodes the header at {@code index}; on {@link WireError#NONE} it is {@link #LENGTH} bytes long. */
    public WireError decode(final ByteBuf buf, final int index, final int readable) {
        sid = 0;
        version = 0;
        if (readable < LENGTH) {
            return readable >= 4 && buf.getInt(index) != MAGIC ? WireError.BAD_MAGIC : WireError.INCOMPLETE;
        }
        if (buf.getInt(index) != MAGIC) {
            return WireError.BAD_MAGIC;
        }
        version = buf.getUnsignedShort(index + 4);
        if (version != VERSION) {
            return WireError.UNSUPPORTED_VERSION;
        }
        sid = buf.getLong(index + 8);
        return sid > 0 ? WireError.NONE : WireError.BAD_SID;
    }

    public long sid() {
        return sid;
    }

    public int version() {
        return version;
    }
}
