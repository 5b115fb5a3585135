package io.electionbench.core.log;

import java.nio.file.Path;

/**
 * Where a run of whole log records lies in one of a {@link TxnLog}'s files, so that a leader can send
 * them as they are (sendfile) instead of reading and re-encoding each txn: {@link #count()} records,
 * {@link #firstZxid()} to {@link #lastZxid()} with no gap the log does not have, at bytes
 * {@code [position(), position() + length())} of {@link #file()}, laid out as the log's segment
 * records (little-endian {@code length:int zxid:long crc:int payload}, the CRC32C over the zxid bytes
 * then the payload; see {@link LogRecords} and docs/storage.md). Filled by
 * {@link TxnLog#recordSpan(long, int, RecordSpan)}; one instance is reused by its owner.
 */
public final class RecordSpan {
    private Path file;
    private long position;
    private int length;
    private int count;
    private long firstZxid;
    private long lastZxid;

    void set(final Path file, final long position, final int length, final int count, final long firstZxid,
        final long lastZxid) {
        this.file = file;
        this.position = position;
        this.length = length;
        this.count = count;
        this.firstZxid = firstZxid;
        this.lastZxid = lastZxid;
    }

    /** The segment file; the same {@code Path} object for as long as the log keeps that segment. */
    public Path file() {
        return file;
    }

    /** Byte offset of the first record in {@link #file()}. */
    public long position() {
        return position;
    }

    /** Bytes of the records, headers included. */
    public int length() {
        return length;
    }

    public int count() {
        return count;
    }

    public long firstZxid() {
        return firstZxid;
    }

    public long lastZxid() {
        return lastZxid;
    }

    /** Payload bytes: {@link #length()} without the record headers. */
    public long payloadBytes() {
        return (long)length - (long)count * LogRecords.HEADER_BYTES;
    }

    @Override
    public String toString() {
        return count + " records 0x" + Long.toHexString(firstZxid) + "..0x" + Long.toHexString(lastZxid) + " at "
            + file + "@" + position + "+" + length;
    }
}
