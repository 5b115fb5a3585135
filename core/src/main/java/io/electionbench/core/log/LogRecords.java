package io.electionbench.core.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

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
}
