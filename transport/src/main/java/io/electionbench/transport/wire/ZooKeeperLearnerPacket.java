package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

/**
 * Recognises a real ZooKeeper learner on our quorum port from its first bytes: the jute
 * {@code QuorumPacket} FOLLOWERINFO or OBSERVERINFO that {@code Learner.registerWithLeader} writes
 * as soon as it has connected to the leader it elected. Big-endian:
 *
 * <pre>
 * offset size field
 *  0     4    type      FOLLOWERINFO 11, OBSERVERINFO 16 ({@code Leader.FOLLOWERINFO}, {@code OBSERVERINFO})
 *  4     8    zxid      the learner's accepted epoch, as a zxid (epoch, 0)
 * 12     4    dataLen   the LearnerInfo's length (20 in 3.9; -1: none)
 * 16     8    sid       LearnerInfo.serverid, the learner's myid
 * 24     4    protocolVersion (0x10000), then configVersion:long, then the authinfo vector
 * </pre>
 *
 * Our own header starts with the magic 0x45425150 ({@link QuorumHeaderCodec}), so the first int tells the
 * two apart. Reads only; allocates nothing.
 */
public final class ZooKeeperLearnerPacket {
    /** {@code Leader.FOLLOWERINFO}. */
    public static final int FOLLOWERINFO = 11;
    /** {@code Leader.OBSERVERINFO}. */
    public static final int OBSERVERINFO = 16;
    /** Bytes up to and including the learner's sid. */
    public static final int SID_END = 24;
    private static final int DATA_LENGTH_OFFSET = 12;
    private static final int SID_OFFSET = 16;

    private ZooKeeperLearnerPacket() {
    }

    /** True if the connection's first four bytes (present at {@code index}) are a ZooKeeper learner's packet type. */
    public static boolean isLearnerPacket(final ByteBuf buf, final int index, final int readable) {
        if (readable < 4) {
            return false;
        }
        final int type = buf.getInt(index);
        return type == FOLLOWERINFO || type == OBSERVERINFO;
    }

    /**
     * The learner's sid from a packet {@link #isLearnerPacket} recognised, once {@link #SID_END} bytes are
     * present; -1 when its LearnerInfo is absent or too short to hold one (ZooKeeper then assigns
     * the learner a counter of its own, {@code LearnerHandler.run}).
     */
    public static long sid(final ByteBuf buf, final int index) {
        return buf.getInt(index + DATA_LENGTH_OFFSET) >= 8 ? buf.getLong(index + SID_OFFSET) : -1;
    }

    /** "FOLLOWERINFO" or "OBSERVERINFO" for a recognised packet's type. */
    public static String typeName(final ByteBuf buf, final int index) {
        return buf.getInt(index) == FOLLOWERINFO ? "FOLLOWERINFO" : "OBSERVERINFO";
    }
}
