package io.electionbench.core.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk layouts of {@link FileTxnLog}; docs/storage.md has the same tables. All integers are
 * little-endian.
 *
 * <pre>
 * Segment file  log.&lt;first zxid, 16 lower-case hex digits&gt;
 *   0  magic    int   0x4C544245 ("EBTL" read as bytes)
 *   4  version  int   1
 *   8  prevZxid long  zxid of the last record before this segment (-1 if none when it was created);
 *                     chains segments so a missing one is detected
 *  16  records, back to back:
 *        0  length  int   payload length in bytes, 0..maxPayloadBytes
 *        4  zxid    long  strictly greater than the previous record's
 *       12  crc     int   CRC32C over the zxid bytes (4..12) then the payload bytes
 *       16  payload length bytes
 *
 * Snapshot file  snapshot.&lt;zxid, 16 hex digits&gt;, written as &lt;name&gt;.tmp, forced, then renamed
 *   0  magic        int   0x4E534245 ("EBSN")
 *   4  version      int   1
 *   8  zxid         long  the snapshot covers every txn up to and including this zxid
 *  16  digest       long  the history digest at zxid (see HistoryDigest)
 *  24  stateLength  int
 *  28  crc          int   CRC32C over bytes 8..28 then the state bytes
 *  32  state        stateLength opaque bytes supplied by the caller
 * </pre>
 */
final class LogFormat {
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int SEGMENT_MAGIC = 0x4C54_4245;
    static final int SNAPSHOT_MAGIC = 0x4E53_4245;
    static final int VERSION = 1;

    static final int SEGMENT_HEADER_BYTES = 16;
    static final int SEGMENT_PREV_ZXID_OFFSET = 8;

    static final int RECORD_HEADER_BYTES = 16;
    static final int RECORD_LENGTH_OFFSET = 0;
    static final int RECORD_ZXID_OFFSET = 4;
    static final int RECORD_CRC_OFFSET = 12;

    static final int SNAPSHOT_HEADER_BYTES = 32;
    static final int SNAPSHOT_ZXID_OFFSET = 8;
    static final int SNAPSHOT_DIGEST_OFFSET = 16;
    static final int SNAPSHOT_LENGTH_OFFSET = 24;
    static final int SNAPSHOT_CRC_OFFSET = 28;

    static final String SEGMENT_PREFIX = "log.";
    static final String SNAPSHOT_PREFIX = "snapshot.";
    static final String TMP_SUFFIX = ".tmp";

    private LogFormat() {
    }

    static String segmentName(final long firstZxid) {
        return SEGMENT_PREFIX + hex(firstZxid);
    }

    static String snapshotName(final long zxid) {
        return SNAPSHOT_PREFIX + hex(zxid);
    }

    private static String hex(final long zxid) {
        final String digits = Long.toHexString(zxid);
        return "0".repeat(16 - digits.length()) + digits;
    }

    /**
     * The zxid named by a file called prefix + 16 hex digits, or -1 when the name is not of that form
     * (such files are not the log's and are left alone).
     */
    static long zxidOfName(final Path file, final String prefix) {
        final String name = file.getFileName().toString();
        if (!name.startsWith(prefix) || name.length() != prefix.length() + 16) {
            return -1;
        }
        long zxid = 0;
        for (int i = prefix.length(); i < name.length(); i++) {
            final int digit = Character.digit(name.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            zxid = zxid << 4 | digit;
        }
        return zxid < 0 ? -1 : zxid;
    }

    /**
     * CRC32C of a record whose header starts at {@code recordOffset} of {@code view} (zxid bytes, then
     * payload). Moves view's position and limit; allocation-free for direct buffers.
     */
    static int recordCrc(final CRC32C crc, final ByteBuffer view, final int recordOffset, final int length) {
        crc.reset();
        view.clear().position(recordOffset + RECORD_ZXID_OFFSET).limit(recordOffset + RECORD_CRC_OFFSET);
        crc.update(view);
        view.clear().position(recordOffset + RECORD_HEADER_BYTES).limit(recordOffset + RECORD_HEADER_BYTES + length);
        crc.update(view);
        return (int)crc.getValue();
    }
}
