package io.electionbench.core.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * The layout of one txn log record, for code outside this package that handles records as they are
 * (a transport checking a batch a leader sent from its segment file, see {@link RecordSpan}). All
 * integers little-endian:
 *
 * <pre>
 *  0  length  int   payload length in bytes
 *  4  zxid    long
 * 12  crc     int   CRC32C over the zxid bytes (4..12) then the payload bytes
 * 16  payload length bytes
 * </pre>
 */
public final class LogRecords {
    public static final int HEADER_BYTES = LogFormat.RECORD_HEADER_BYTES;
    public static final int LENGTH_OFFSET = LogFormat.RECORD_LENGTH_OFFSET;
    public static final int ZXID_OFFSET = LogFormat.RECORD_ZXID_OFFSET;
    public static final int CRC_OFFSET = LogFormat.RECORD_CRC_OFFSET;

    private LogRecords() {
    }

    /**
     * The CRC32C a record whose header starts at {@code recordOffset} of {@code view} must carry, for
     * a payload of {@code length} bytes. Moves view's position and limit; allocation-free for direct
     * buffers.
     */
    public static int crc(final CRC32C crc, final ByteBuffer view, final int recordOffset, final int length) {
        return LogFormat.recordCrc(crc, view, recordOffset, length);
    }

    /** The payload length of the record whose header starts at {@code at} of {@code records}. */
    public static int length(final DirectBuffer records, final int at) {
        return records.getInt(at + LENGTH_OFFSET, LogFormat.ORDER);
    }

    /** The zxid of the record whose header starts at {@code at} of {@code records}. */
    public static long zxid(final DirectBuffer records, final int at) {
        return records.getLong(at + ZXID_OFFSET, LogFormat.ORDER);
    }

    /**
     * Checks the layout of a run of records ({@code length} bytes from {@code offset}): at least one
     * record, each header and payload inside the run, payloads of 0..{@code maxPayloadBytes}, zxids
     * strictly increasing from above {@code previousZxid}. CRCs are not checked here.
     *
     * @return the number of records
     * @throws IllegalArgumentException naming the record's byte offset in the run and the problem
     */
    public static int checkLayout(final DirectBuffer records, final int offset, final int length,
        final long previousZxid, final int maxPayloadBytes) {
        if (length <= 0) {
            throw new IllegalArgumentException("a run of records of " + length + " bytes holds no record");
        }
        final int end = offset + length;
        long previous = previousZxid;
        int count = 0;
        int at = offset;
        while (at < end) {
            if (end - at < HEADER_BYTES) {
                throw new IllegalArgumentException("record at byte " + (at - offset) + " of a run of " + length
                    + " bytes: its header runs past the end");
            }
            final int n = length(records, at);
            if (n < 0 || n > maxPayloadBytes || n > end - at - HEADER_BYTES) {
                throw new IllegalArgumentException("record at byte " + (at - offset) + " of a run of " + length
                    + " bytes: payload length " + n + " is outside 0.." + Math.min(maxPayloadBytes,
                    end - at - HEADER_BYTES));
            }
            final long zxid = zxid(records, at);
            if (zxid < 0 || zxid <= previous) {
                throw new IllegalArgumentException("record at byte " + (at - offset) + " of a run of " + length
                    + " bytes: zxid " + MemoryTxnLog.zxidText(zxid) + " does not follow " + MemoryTxnLog.zxidText(
                    previous) + ": zxids must strictly increase");
            }
            previous = zxid;
            count++;
            at += HEADER_BYTES + n;
        }
        return count;
    }
}
