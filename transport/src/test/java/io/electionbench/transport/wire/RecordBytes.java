package io.electionbench.transport.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import io.electionbench.core.log.LogRecords;
import io.netty.buffer.ByteBuf;

/**
 * Test helper: txn log records as {@code FileTxnLog} writes them (little-endian length, zxid, CRC32C
 * over the zxid bytes and the payload, payload), built independently of the codec under test.
 */
public final class RecordBytes {
    private RecordBytes() {
    }

    /** Appends one record at the writer index. */
    public static void append(final ByteBuf out, final long zxid, final byte[] payload) {
        final ByteBuffer zxidBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, zxid);
        final CRC32C crc = new CRC32C();
        crc.update(zxidBytes.array());
        crc.update(payload);
        out.writeIntLE(payload.length);
        out.writeLongLE(zxid);
        out.writeIntLE((int)crc.getValue());
        out.writeBytes(payload);
    }

    /** A whole RECORDS frame (length prefix included) holding one record per zxid, payload {@code payloadOf}. */
    public static ByteBuf frame(final ByteBuf out, final long[] zxids,
        final java.util.function.LongFunction<byte[]> payloadOf) {
        int length = 0;
        for (final long zxid : zxids) {
            length += LogRecords.HEADER_BYTES + payloadOf.apply(zxid).length;
        }
        QuorumMessageCodec.encodeRecordsHeader(out, zxids[0], zxids[zxids.length - 1], zxids.length, length);
        for (final long zxid : zxids) {
            append(out, zxid, payloadOf.apply(zxid));
        }
        return out;
    }
}
