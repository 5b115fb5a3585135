package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * SYNC_START: the leader tells a learner how it will sync it (DIFF, TRUNC or SNAP) and to which zxid.
 *
 * <pre>
 *  0 fromSid  long
 *  8 zxid     long   TRUNC: truncate to it; DIFF and SNAP: the stream's end
 * 16 mode     int    the sync mode's code
 * 20 pad      int
 * 24
 * </pre>
 */
final class SyncStartFlyweight extends InboundFlyweight {
    static final int ZXID_OFFSET = 8;
    static final int MODE_OFFSET = 16;
    static final int LENGTH = 24;

    long zxid() {
        return buffer.getLong(offset + ZXID_OFFSET);
    }

    int mode() {
        return buffer.getInt(offset + MODE_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid, final int mode,
        final long zxid) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + ZXID_OFFSET, zxid);
        buffer.putInt(index + MODE_OFFSET, mode);
        buffer.putInt(index + MODE_OFFSET + 4, 0);
    }
}
