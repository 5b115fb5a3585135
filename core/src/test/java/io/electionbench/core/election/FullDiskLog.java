package io.electionbench.core.election;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.agrona.DirectBuffer;

import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.log.RecordSpan;
import io.electionbench.core.log.TxnLog;

/**
 * A {@link MemoryTxnLog} on a disk that can fill up: while {@link #isFull}, every write (append, flush,
 * truncation, snapshot) throws {@link UncheckedIOException} naming {@link #DIR} with ENOSPC's message, as
 * {@code FileTxnLog} does; and once a write failed, reads throw too until the disk has room again, as a
 * {@code FileTxnLog} must first write the appends it staged before it can read.
 */
final class FullDiskLog implements TxnLog {
    static final Path DIR = Path.of("/data/version-2/log");

    private final MemoryTxnLog log;
    boolean isFull;
    private boolean hasFailedWrite;
    int failedWrites;

    FullDiskLog(final MemoryTxnLog log) {
        this.log = log;
    }

    private void write(final String what) {
        if (isFull) {
            hasFailedWrite = true;
            failedWrites++;
            throw new UncheckedIOException(what + " to " + DIR + " failed", new IOException("No space left on device"));
        }
        hasFailedWrite = false;
    }

    private void read() {
        if (isFull && hasFailedWrite) {
            throw new UncheckedIOException("write of staged appends to " + DIR + " failed",
                new IOException("No space left on device"));
        }
    }

    @Override
    public void append(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        write("append");
        log.append(zxid, payload, offset, length);
    }

    @Override
    public long lastZxid() {
        return log.lastZxid();
    }

    @Override
    public long firstZxid() {
        return log.firstZxid();
    }

    @Override
    public long snapshotZxid() {
        return log.snapshotZxid();
    }

    @Override
    public long snapshotDigest() {
        return log.snapshotDigest();
    }

    @Override
    public int entryCount() {
        return log.entryCount();
    }

    @Override
    public boolean contains(final long zxid) {
        return log.contains(zxid);
    }

    @Override
    public int read(final long fromZxid, final EntryHandler handler) {
        read();
        return log.read(fromZxid, handler);
    }

    @Override
    public boolean recordSpan(final long fromZxid, final int maxBytes, final RecordSpan span) {
        read();
        return log.recordSpan(fromZxid, maxBytes, span);
    }

    @Override
    public void truncateAfter(final long zxid) {
        write("truncation");
        log.truncateAfter(zxid);
    }

    @Override
    public void snapshot(final long uptoZxid, final DirectBuffer state, final int offset, final int length) {
        write("snapshot");
        log.snapshot(uptoZxid, state, offset, length);
    }

    @Override
    public void installSnapshot(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        write("snapshot install");
        log.installSnapshot(zxid, digest, state, offset, length);
    }

    @Override
    public DirectBuffer snapshotState() {
        return log.snapshotState();
    }

    @Override
    public long digest() {
        return log.digest();
    }

    @Override
    public void flush() {
        write("flush");
    }

    @Override
    public void close() {
        log.close();
    }
}
