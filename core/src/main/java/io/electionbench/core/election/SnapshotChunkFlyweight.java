package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * SNAPSHOT_CHUNK: one piece of the snapshot a leader streams to a learner it syncs by SNAP.
 *
 * <pre>
 *  0 fromSid      long
 *  8 zxid         long   the snapshot's zxid
 * 16 digest       long   the whole snapshot's digest
 * 24 totalLength  long   the whole snapshot's length
 * 32 position     long   where this piece starts in it
 * 40 length       int
 * 44 pad          int
 * 48 bytes        byte[length]
 * </pre>
 */
final class SnapshotChunkFlyweight extends InboundFlyweight {
    static final int ZXID_OFFSET = 8;
    static final int DIGEST_OFFSET = 16;
    static final int TOTAL_OFFSET = 24;
    static final int POSITION_OFFSET = 32;
    static final int LENGTH_OFFSET = 40;
    static final int BYTES_OFFSET = 48;

    long zxid() {
        return buffer.getLong(offset + ZXID_OFFSET);
    }

    long digest() {
        return buffer.getLong(offset + DIGEST_OFFSET);
    }

    long totalLength() {
        return buffer.getLong(offset + TOTAL_OFFSET);
    }

    long position() {
        return buffer.getLong(offset + POSITION_OFFSET);
    }

    int bytesOffset() {
        return offset + BYTES_OFFSET;
    }

    int bytesLength() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid, final long zxid,
        final long digest, final long totalLength, final long position, final DirectBuffer bytes,
        final int bytesOffset, final int length) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putLong(index + ZXID_OFFSET, zxid);
        buffer.putLong(index + DIGEST_OFFSET, digest);
        buffer.putLong(index + TOTAL_OFFSET, totalLength);
        buffer.putLong(index + POSITION_OFFSET, position);
        buffer.putInt(index + LENGTH_OFFSET, length);
        buffer.putInt(index + LENGTH_OFFSET + 4, 0);
        buffer.putBytes(index + BYTES_OFFSET, bytes, bytesOffset, length);
    }
}
