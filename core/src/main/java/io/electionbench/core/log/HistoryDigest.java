package io.electionbench.core.log;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * The history digest: a wrapping 64-bit sum of one hash per txn. A sum rather than a chain so that
 * truncation and compaction subtract what they drop in O(dropped) and the digest of a history does
 * not depend on where it was compacted; the order is still captured because each hash covers the
 * txn's zxid and zxids are strictly increasing. Not cryptographic: it detects accidents, not attacks.
 */
public final class HistoryDigest {
    /** The digest of an empty history. */
    public static final long EMPTY = 0;

    private static final long K1 = 0x9E37_79B9_7F4A_7C15L;
    private static final long K2 = 0xC2B2_AE3D_27D4_EB4FL;
    private static final long K3 = 0x1656_67B1_9E37_79F9L;

    private HistoryDigest() {
    }

    /** The hash of one txn over its zxid and payload bytes. Allocation-free. */
    public static long entryHash(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        long h = mix(zxid * K1 ^ length);
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = Long.rotateLeft(h ^ mix(payload.getLong(offset + i, ByteOrder.LITTLE_ENDIAN)), 27) * K2 + K3;
        }
        for (; i < length; i++) {
            h = Long.rotateLeft(h ^ (payload.getByte(offset + i) & 0xFFL) * K3, 11) * K1;
        }
        return mix(h ^ zxid);
    }

    /** Murmur3's 64-bit finalizer: every input bit affects every output bit. */
    static long mix(final long value) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        return h ^ (h >>> 33);
    }
}
