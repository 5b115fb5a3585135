package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

/**
 * The quorum-port connection header, written once by the initiator before any frame: a peer (always
 * the larger sid) or a write client. This port speaks electionbench's own protocol, not ZooKeeper's
 * jute packets. Big-endian:
 *
 * <pre>
 * offset size field
 *  0     4    magic     0x45425150 ("EBQP")
 *  4     2    version   1
 *  6     2    flags     peer: 0; write client: {@link #FLAG_CLIENT} (1); any other value is refused
 *  8     8    sid       peer: its server id (&gt; 0); write client: {@link #CLIENT_SID} (0)
 * </pre>
 *
 * A peer never sets a flag, so a client is told apart by its header alone; with peer authentication
 * configured it then runs the same HMAC challenge-response as a peer, with sid 0 in the MACs.
 */
public final class QuorumHeaderCodec {
    public static final int MAGIC = 0x45425150;
    public static final short VERSION = 1;
    public static final int LENGTH = 16;
    /** The header flag of a write client's connection. */
    public static final int FLAG_CLIENT = 1;
    /** The sid a write client sends, and the one its authentication MACs name. */
    public static final long CLIENT_SID = 0;

    private long sid;
    private int version;
    private int flags;

    /** Writes a peer's header. */
    public static void encode(final ByteBuf out, final long sid) {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeShort(0);
        out.writeLong(sid);
    }

    /** Writes a write client's header. */
    public static void encodeClient(final ByteBuf out) {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeShort(FLAG_CLIENT);
        out.writeLong(CLIENT_SID);
    }

    /** Decodes the header at {@code index}; on {@link WireError#NONE} it is {@link #LENGTH} bytes long. */
    public WireError decode(final ByteBuf buf, final int index, final int readable) {
        sid = 0;
        version = 0;
        flags = 0;
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
        final int f = buf.getUnsignedShort(index + 6);
        if (f != 0 && f != FLAG_CLIENT) {
            return WireError.BAD_HEADER_FLAGS;
        }
        flags = f;
        sid = buf.getLong(index + 8);
        if (f == FLAG_CLIENT) {
            return sid == CLIENT_SID ? WireError.NONE : WireError.BAD_SID;
        }
        return sid > 0 ? WireError.NONE : WireError.BAD_SID;
    }

    public long sid() {
        return sid;
    }

    public int version() {
        return version;
    }

    /** True if the last decoded header was a write client's. */
    public boolean isClient() {
        return flags == FLAG_CLIENT;
    }
}
