package io.electionbench.core.log;

import static io.electionbench.core.log.LogFormat.ORDER;
import static io.electionbench.core.log.LogFormat.RECORD_HEADER_BYTES;
import static io.electionbench.core.log.LogFormat.SEGMENT_HEADER_BYTES;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A durable {@link TxnLog}: append-only segment files plus at most one snapshot file in a directory of
 * its own (layouts in {@link LogFormat} and docs/storage.md). Single writer, no locks.
 * <p>
 * Appends gather records in a reused direct staging buffer and write them with one positional
 * {@link FileChannel#write} per buffer-full (64 KiB), or earlier when something needs them in the file:
 * {@link #flush()} (which the agent calls before every acknowledgement), a force the policy demands,
 * a read, a truncation, a snapshot, a segment roll, {@link #close()}. Under {@link FsyncPolicy#ALWAYS}
 * each record is written and forced at once. So a process that dies loses at most the records
 * appended since the last flush, which nobody was told are logged. Nothing is allocated in steady
 * state. The index of held entries (zxid, offset, running digest) lives in memory, 24 bytes per
 * entry; reads use it and stream records through a reused chunk buffer, one file read per chunk
 * rather than per entry, checking each record's CRC.
 * <p>
 * Crash safety: a segment is forced before the next one is created (except under
 * {@link FsyncPolicy#NEVER}), so only the last segment can hold a torn tail; truncation, snapshot
 * files, renames and deletions are forced, and the directory with them.
 * <p>
 * Under {@link FsyncPolicy#BATCH} the forces after {@link Options#batchAppends} or {@link Options#batchBytes}
 * appends without a flush run on a background thread ({@link BackgroundForcer}, see
 * {@link Options#backgroundForce}): they only bound what a crash loses and acknowledge nothing, so the
 * appender need not wait for them. Every other force, {@link #flush()}'s included, stays on the calling
 * thread, and flush forces whenever anything was appended since the last such force, whatever the
 * background did meanwhile: only a force whose result this thread sees may stand behind an
 * acknowledgement. Under every policy, a snapshot being received ({@link #receiveSnapshot}) is also
 * handed to that thread every {@value #SNAPSHOT_WRITEBACK_BYTES} bytes, so the disk writes it back
 * while the rest arrives and the force that publishes it waits for the last stretch only. The log is
 * still used by one thread; the background one touches nothing but a file's channel.
 */
public final class FileTxnLog implements TxnLog {
    private static final int READ_CHUNK_BYTES = 256 * 1024;
    /** A snapshot being received is handed to the background forcer after every this many bytes. */
    static final int SNAPSHOT_WRITEBACK_BYTES = 32 << 20;
    /** How long {@link #close()} waits for a background force in progress. */
    private static final long FORCER_STOP_WAIT_MS = 10_000;

    private final Path dir;
    private final Options options;
    private final ArrayList<Segment> segments;
    private final EntryIndex index;
    private long snapshotZxid;
    private long snapshotDigest;
    private Path snapshotPath;
    private final UnsafeBuffer snapshotView = new UnsafeBuffer(new byte[0]);
    /** The mapped file {@link #snapshotView} reads a received snapshot from; null when it wraps the heap. */
    private java.nio.MappedByteBuffer snapshotMapping;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer stage;
    private final UnsafeBuffer stageView = new UnsafeBuffer(0, 0);
    /** Bytes of whole records at the start of {@link #stage} not yet written; they belong at the tail's end. */
    private int stagedBytes;
    private ByteBuffer chunk;
    private final UnsafeBuffer chunkView = new UnsafeBuffer(0, 0);
    private Segment chunkSegment;
    private long chunkStart;
    private int chunkLength;

    /** Appends and bytes since the last force, synchronous or posted: what the BATCH thresholds count. */
    private int unforcedAppends;
    private long unforcedBytes;
    /**
     * An append since the last synchronous force. A background force does not clear it: only a force on
     * this thread, whose result it sees, may let {@link #flush()} skip its own.
     */
    private boolean hasUnforcedAppends;
    /** Synchronous forces; the background ones are counted by {@link #forcer}. */
    private long forceCount;
    /**
     * Takes the threshold forces under BATCH and the early forces of a received snapshot off this thread;
     * null when disabled.
     */
    private final BackgroundForcer forcer;
    private boolean hasReportedForcerFailure;
    private boolean isClosed;

    private FileTxnLog(final Path dir, final Options options, final LogRecovery recovered) {
        this.dir = dir;
        this.options = options;
        this.segments = new ArrayList<>(recovered.segments);
        this.index = recovered.index;
        this.snapshotZxid = recovered.snapshotZxid;
        this.snapshotDigest = recovered.snapshotDigest;
        this.snapshotPath = recovered.snapshotPath;
        if (recovered.snapshotState != null) {
            this.snapshotView.wrap(recovered.snapshotState);
            this.snapshotMapping = recovered.snapshotState;
        }
        this.forcer = options.backgroundForce ? new BackgroundForcer("log-writeback-" + dir) : null;
        allocateStage(64 * 1024);
        allocateChunk(READ_CHUNK_BYTES);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, recovering it as docs/storage.md describes: a
     * torn tail is cut with a warning to {@link Options#warnings}; any other damage throws. Files are
     * checked through a bounded window and the snapshot's state is mapped, so the heap needed does not
     * grow with segment or snapshot size (the index still takes 24 bytes per entry).
     *
     * @throws LogCorruptedException naming the file, byte offset and problem; no file was changed
     */
    public static FileTxnLog open(final Path dir, final Options options) throws IOException {
        options.conclude();
        Files.createDirectories(dir);
        final LogRecovery recovery = new LogRecovery(dir, options);
        recovery.recover();
        return new FileTxnLog(dir, options, recovery);
    }

    /** Opens with the default {@link Options}. */
    public static FileTxnLog open(final Path dir) throws IOException {
        return open(dir, new Options());
    }

    @Override
    public void append(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        append(zxid, payload, offset, length, options.fsyncPolicy);
    }

    /** Under ALWAYS, forced as under BATCH: by {@link #flush()}, or in the background past the thresholds. */
    @Override
    public void appendDeferred(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        append(zxid, payload, offset, length,
            options.fsyncPolicy == FsyncPolicy.ALWAYS ? FsyncPolicy.BATCH : options.fsyncPolicy);
    }

    private void append(final long zxid, final DirectBuffer payload, final int offset, final int length,
        final FsyncPolicy policy) {
        checkOpen();
        MemoryTxnLog.checkAppend(zxid, lastZxid());
        if (length < 0 || length > options.maxPayloadBytes) {
            throw new IllegalArgumentException(
                "payload of " + length + " bytes is outside 0.." + options.maxPayloadBytes);
        }
        final int recordBytes = RECORD_HEADER_BYTES + length;
        try {
            final Segment tail = tailFor(zxid, recordBytes);
            stageRecord(zxid, payload, offset, length);
            index.add(zxid, tail.size, HistoryDigest.entryHash(zxid, payload, offset, length));
            tail.size += recordBytes;
            tail.lastZxid = zxid;
            afterAppend(tail, 1, recordBytes, policy);
        } catch (final IOException ex) {
            throw new UncheckedIOException("append of zxid 0x" + Long.toHexString(zxid) + " to " + dir + " failed", ex);
        }
    }

    @Override
    public int appendRecords(final DirectBuffer records, final int offset, final int length) {
        return appendRecords(records, offset, length, options.fsyncPolicy);
    }

    /** Under ALWAYS, forced as under BATCH, as {@link #appendDeferred} is. */
    @Override
    public int appendRecordsDeferred(final DirectBuffer records, final int offset, final int length) {
        return appendRecords(records, offset, length,
            options.fsyncPolicy == FsyncPolicy.ALWAYS ? FsyncPolicy.BATCH : options.fsyncPolicy);
    }

    /**
     * The run is copied as it is into the staging buffer behind the records already staged (one copy, no
     * re-encoding), checked there (layout, zxids, every CRC) and only then indexed, so a run that fails a
     * check leaves the log as it was. It goes to the file with the staged records, in writes of 64 KiB or
     * more (the stage grows to the largest run), rolling the segment between two of its records where the
     * next would overflow it. The policy's force applies once, to the whole run. A write or force that
     * fails leaves the records indexed so far appended (and staged, for the next flush), as single appends
     * would.
     */
    private int appendRecords(final DirectBuffer records, final int offset, final int length,
        final FsyncPolicy policy) {
        checkOpen();
        final int count = LogRecords.checkLayout(records, offset, length, lastZxid(), options.maxPayloadBytes);
        try {
            int at = stageRun(records, offset, length);
            int end = at + length;
            checkStagedCrcs(at, end);
            Segment tail = null;
            while (at < end) {
                final int payloadBytes = stageView.getInt(at + LogFormat.RECORD_LENGTH_OFFSET, ORDER);
                final long zxid = stageView.getLong(at + LogFormat.RECORD_ZXID_OFFSET, ORDER);
                final int recordBytes = RECORD_HEADER_BYTES + payloadBytes;
                stagedBytes = at;
                tail = tailFor(zxid, recordBytes);
                if (stagedBytes != at) {
                    // A roll wrote the run's records before this one: the rest moves to the stage's start.
                    moveToStageStart(at, end);
                    end -= at;
                    at = 0;
                }
                index.add(zxid, tail.size,
                    HistoryDigest.entryHash(zxid, stageView, at + RECORD_HEADER_BYTES, payloadBytes));
                tail.size += recordBytes;
                tail.lastZxid = zxid;
                at += recordBytes;
                stagedBytes = at;
            }
            afterAppend(tail, count, length, policy);
        } catch (final IOException ex) {
            throw new UncheckedIOException("append of " + count + " records from zxid 0x"
                + Long.toHexString(LogRecords.zxid(records, offset)) + " to " + dir + " failed", ex);
        }
        return count;
    }

    /** Copies a run behind the staged records, writing those first if it would not fit; returns where it starts. */
    private int stageRun(final DirectBuffer records, final int offset, final int length) throws IOException {
        if (stagedBytes + length > stage.capacity()) {
            writeStaged();
            if (stage.capacity() < length) {
                allocateStage(Math.max(length, stage.capacity() * 2));
            }
        }
        stageView.putBytes(stagedBytes, records, offset, length);
        return stagedBytes;
    }

    /** Every record of the staged run {@code [at, end)} must carry its CRC; nothing is indexed yet. */
    private void checkStagedCrcs(final int from, final int end) {
        for (int at = from; at < end; ) {
            final int payloadBytes = stageView.getInt(at + LogFormat.RECORD_LENGTH_OFFSET, ORDER);
            if (stageView.getInt(at + LogFormat.RECORD_CRC_OFFSET, ORDER)
                != LogFormat.recordCrc(crc, stage, at, payloadBytes)) {
                throw new IllegalArgumentException("record for zxid " + MemoryTxnLog.zxidText(
                    stageView.getLong(at + LogFormat.RECORD_ZXID_OFFSET, ORDER)) + " at byte " + (at - from)
                    + " of a run of " + (end - from) + " bytes does not match its CRC");
            }
            at += RECORD_HEADER_BYTES + payloadBytes;
        }
    }

    /** Moves the stage's bytes {@code [from, end)} to its start (after a roll wrote those before them). */
    private void moveToStageStart(final int from, final int end) {
        stage.clear().position(from).limit(end);
        stage.compact();
        stage.clear();
    }

    /**
     * Lays out [length][zxid][crc][payload] after the records already staged, writing those first if the
     * record would not fit. The caller has made sure the record belongs at the end of the tail.
     */
    private void stageRecord(final long zxid, final DirectBuffer payload, final int offset, final int length)
        throws IOException {
        final int recordBytes = RECORD_HEADER_BYTES + length;
        if (stagedBytes + recordBytes > stage.capacity()) {
            writeStaged();
            if (stage.capacity() < recordBytes) {
                allocateStage(Math.max(recordBytes, stage.capacity() * 2));
            }
        }
        final int at = stagedBytes;
        stageView.putInt(at + LogFormat.RECORD_LENGTH_OFFSET, length, ORDER);
        stageView.putLong(at + LogFormat.RECORD_ZXID_OFFSET, zxid, ORDER);
        stageView.putBytes(at + RECORD_HEADER_BYTES, payload, offset, length);
        stageView.putInt(at + LogFormat.RECORD_CRC_OFFSET, LogFormat.recordCrc(crc, stage, at, length), ORDER);
        stagedBytes = at + recordBytes;
    }

    /** Writes the staged records at the end of the tail segment's written bytes; a no-op when none are staged. */
    private void writeStaged() throws IOException {
        if (stagedBytes == 0) {
            return;
        }
        final Segment tail = segments.get(segments.size() - 1);
        stage.clear().limit(stagedBytes);
        writeFully(tail.channel, stage, tail.size - stagedBytes);
        stagedBytes = 0;
    }

    private void writeStagedUnchecked() {
        try {
            writeStaged();
        } catch (final IOException ex) {
            throw new UncheckedIOException("write of staged appends to " + dir + " failed", ex);
        }
    }

    /** The segment to append to, rolling to a new one when the record would overflow a non-empty tail. */
    private Segment tailFor(final long zxid, final int recordBytes) throws IOException {
        if (!segments.isEmpty()) {
            final Segment tail = segments.get(segments.size() - 1);
            if (tail.size == SEGMENT_HEADER_BYTES || tail.size + recordBytes <= options.segmentBytes) {
                return tail;
            }
            writeStaged();
            if (options.fsyncPolicy != FsyncPolicy.NEVER) {
                force(tail);
            }
        }
        return createSegment(zxid, lastZxid());
    }

    private Segment createSegment(final long firstZxid, final long prevZxid) throws IOException {
        final Path path = dir.resolve(LogFormat.segmentName(firstZxid));
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        final ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES).order(ORDER);
        header.putInt(LogFormat.SEGMENT_MAGIC).putInt(LogFormat.VERSION).putLong(prevZxid).flip();
        try {
            writeFully(channel, header, 0);
        } catch (final IOException ex) {
            // A full disk: without its header the file is no segment, and left behind it would make every
            // later roll to this zxid fail ("file exists") even once there is room again.
            channel.close();
            Files.deleteIfExists(path);
            throw ex;
        }
        final Segment segment = new Segment(path, channel, firstZxid, prevZxid, SEGMENT_HEADER_BYTES);
        segments.add(segment);
        if (options.fsyncPolicy != FsyncPolicy.NEVER) {
            force(segment);
            forceDirectory(dir);
        }
        return segment;
    }

    /** The policy's work after {@code appends} records of {@code recordBytes} in all went to the tail. */
    private void afterAppend(final Segment tail, final int appends, final int recordBytes, final FsyncPolicy policy)
        throws IOException {
        switch (policy) {
            case ALWAYS:
                // Cleared by the force: a write or force that fails (a full disk) leaves the record staged,
                // and the flush that later writes it must force it too.
                hasUnforcedAppends = true;
                writeStaged();
                force(tail);
                break;
            case BATCH:
                hasUnforcedAppends = true;
                unforcedAppends += appends;
                unforcedBytes += recordBytes;
                if (unforcedAppends >= options.batchAppends || unforcedBytes >= options.batchBytes) {
                    writeStaged();
                    if (forcer == null) {
                        force(tail);
                    } else {
                        checkForcer();
                        forcer.force(tail);
                        unforcedAppends = 0;
                        unforcedBytes = 0;
                    }
                }
                break;
            default:
                break;
        }
    }

    /**
     * fdatasync: the file length is data for this purpose, so records appended become readable after a crash.
     * Throws if a background force failed earlier, even when this one succeeded (see {@link #checkForcer()}),
     * and then leaves the appends unforced, so the next flush tries and fails again.
     */
    private void force(final Segment segment) throws IOException {
        segment.channel.force(false);
        forceCount++;
        checkForcer();
        unforcedAppends = 0;
        unforcedBytes = 0;
        hasUnforcedAppends = false;
    }

    /**
     * Fails every force from the first failed background force on, and reports it once to
     * {@link Options#warnings}. Linux reports a failed fdatasync once per open file, and the background
     * thread took that report: a later force of the same file can succeed while the pages that failed are
     * lost, so the log cannot again claim its appends durable. The node must stop and recover from disk.
     */
    private void checkForcer() throws IOException {
        if (forcer == null) {
            return;
        }
        final IOException failure = forcer.failure();
        if (failure != null) {
            if (!hasReportedForcerFailure) {
                hasReportedForcerFailure = true;
                options.warnings.accept(failure.getMessage() + " (" + failure.getCause() + "); appends since the force "
                    + "before it may be lost, so every later force of " + dir + " fails");
            }
            throw failure;
        }
    }

    @Override
    public long lastZxid() {
        return index.count() == 0 ? snapshotZxid : index.lastZxid();
    }

    @Override
    public long firstZxid() {
        return index.count() == 0 ? NO_ZXID : index.zxid(0);
    }

    @Override
    public long snapshotZxid() {
        return snapshotZxid;
    }

    @Override
    public long snapshotDigest() {
        return snapshotDigest;
    }

    @Override
    public int entryCount() {
        return index.count();
    }

    @Override
    public long entryZxid(final int i) {
        if (i < 0 || i >= index.count()) {
            throw new IllegalArgumentException("entry " + i + " of " + index.count());
        }
        return index.zxid(i);
    }

    @Override
    public boolean contains(final long zxid) {
        return index.contains(zxid);
    }

    @Override
    public int read(final long fromZxid, final EntryHandler handler) {
        checkOpen();
        writeStagedUnchecked();
        final int count = index.count();
        int segment = 0;
        int handed = 0;
        try {
            for (int i = index.ceiling(fromZxid); i < count; i++) {
                final long zxid = index.zxid(i);
                while (segment + 1 < segments.size() && segments.get(segment + 1).firstZxid <= zxid) {
                    segment++;
                }
                final Segment s = segments.get(segment);
                final int at = loadRecord(s, index.position(i));
                final int length = chunkView.getInt(at, ORDER);
                checkRecord(s, index.position(i), at, zxid, length);
                handed++;
                if (!handler.onEntry(zxid, chunkView, at + RECORD_HEADER_BYTES, length)) {
                    break;
                }
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException("read from " + dir + " failed", ex);
        }
        return handed;
    }

    /**
     * Uses the index alone (positions of held records): no file is read, so no CRC is checked here; the
     * receiver of the bytes checks each record's. Staged appends are written first.
     */
    @Override
    public boolean recordSpan(final long fromZxid, final int maxBytes, final RecordSpan span) {
        checkOpen();
        writeStagedUnchecked();
        final int count = index.count();
        final int first = index.ceiling(fromZxid);
        if (first >= count) {
            return false;
        }
        final long firstZxid = index.zxid(first);
        int segment = segments.size() - 1;
        while (segment > 0 && segments.get(segment).firstZxid > firstZxid) {
            segment--;
        }
        final Segment s = segments.get(segment);
        final long nextSegmentZxid =
            segment + 1 < segments.size() ? segments.get(segment + 1).firstZxid : Long.MAX_VALUE;
        final long start = index.position(first);
        int last = first - 1;
        long end = start;
        while (last + 1 < count) {
            final int next = last + 1;
            final boolean isLastInSegment = next + 1 >= count || index.zxid(next + 1) >= nextSegmentZxid;
            final long recordEnd = isLastInSegment ? s.size : index.position(next + 1);
            if (recordEnd - start > maxBytes) {
                break;
            }
            last = next;
            end = recordEnd;
            if (isLastInSegment) {
                break;
            }
        }
        if (last < first) {
            return false;
        }
        span.set(s.path, start, (int)(end - start), last - first + 1, firstZxid, index.zxid(last));
        return true;
    }

    /** Makes the whole record at position of segment s present in the chunk; returns its chunk offset. */
    private int loadRecord(final Segment s, final long position) throws IOException {
        if (s == chunkSegment && position >= chunkStart && position + RECORD_HEADER_BYTES <= chunkStart + chunkLength) {
            final int at = (int)(position - chunkStart);
            if (at + RECORD_HEADER_BYTES + chunkView.getInt(at, ORDER) <= chunkLength) {
                return at;
            }
        }
        fillChunk(s, position, (int)Math.min(chunk.capacity(), s.size - position));
        final int recordBytes = RECORD_HEADER_BYTES + chunkView.getInt(0, ORDER);
        if (recordBytes > chunkLength) {
            if (recordBytes > chunk.capacity()) {
                allocateChunk(recordBytes);
            }
            fillChunk(s, position, recordBytes);
        }
        return 0;
    }

    private void fillChunk(final Segment s, final long position, final int length) throws IOException {
        chunkSegment = null;
        chunk.clear().limit(length);
        long at = position;
        while (chunk.hasRemaining()) {
            final int read = s.channel.read(chunk, at);
            if (read < 0) {
                throw new LogCorruptedException(s.path, at, "segment ends before the indexed record");
            }
            at += read;
        }
        chunkSegment = s;
        chunkStart = position;
        chunkLength = length;
    }

    /** Records were checked at open or written by us; a mismatch now means the file changed underneath. */
    private void checkRecord(final Segment s, final long position, final int at, final long zxid, final int length)
        throws LogCorruptedException {
        if (chunkView.getLong(at + LogFormat.RECORD_ZXID_OFFSET, ORDER) != zxid
            || chunkView.getInt(at + LogFormat.RECORD_CRC_OFFSET, ORDER)
                != LogFormat.recordCrc(crc, chunk, at, length)) {
            throw new LogCorruptedException(s.path, position, "record for zxid 0x" + Long.toHexString(zxid)
                + " no longer matches its CRC or zxid");
        }
    }

    @Override
    public void truncateAfter(final long zxid) {
        checkOpen();
        MemoryTxnLog.checkTruncate(zxid, snapshotZxid);
        final int keep = index.countUpTo(zxid);
        if (keep == index.count()) {
            return;
        }
        chunkSegment = null;
        try {
            writeStaged();
            boolean deleted = false;
            while (!segments.isEmpty() && segments.get(segments.size() - 1).firstZxid > zxid) {
                deleteSegment(segments.size() - 1);
                deleted = true;
            }
            if (!segments.isEmpty() && segments.get(segments.size() - 1).lastZxid > zxid) {
                final Segment tail = segments.get(segments.size() - 1);
                tail.channel.truncate(index.position(keep));
                tail.size = index.position(keep);
                tail.lastZxid = keep > 0 ? index.zxid(keep - 1) : snapshotZxid;
                force(tail);
            }
            if (deleted) {
                forceDirectory(dir);
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(
                "truncation of " + dir + " after 0x" + Long.toHexString(zxid) + " failed", ex);
        }
        index.truncate(keep);
    }

    private void deleteSegment(final int position) throws IOException {
        final Segment segment = segments.remove(position);
        segment.closeQuietly();
        Files.delete(segment.path);
    }

    /**
     * Writes the snapshot file (temporary, forced, renamed), then deletes the older snapshot and every
     * segment whose records are all covered, oldest first. A crash at any point leaves a history
     * recovery accepts: the old snapshot with all segments, or the new one with leftovers it removes.
     */
    @Override
    public void snapshot(final long uptoZxid, final DirectBuffer state, final int offset, final int length) {
        checkOpen();
        MemoryTxnLog.checkSnapshot(uptoZxid, snapshotZxid, lastZxid());
        final int drop = index.countUpTo(uptoZxid);
        final long digest = snapshotDigest + index.hashSumOfFirst(drop);
        chunkSegment = null;
        try {
            writeStaged();
            final Path published =
                SnapshotFile.publish(SnapshotFile.writeTemporary(dir, uptoZxid, digest, state, offset, length));
            forceDirectory(dir);
            if (snapshotPath != null && !snapshotPath.equals(published)) {
                Files.delete(snapshotPath);
            }
            while (!segments.isEmpty() && segments.get(0).lastZxid <= uptoZxid) {
                deleteSegment(0);
            }
            forceDirectory(dir);
            snapshotPath = published;
        } catch (final IOException ex) {
            throw new UncheckedIOException(
                "snapshot of " + dir + " at 0x" + Long.toHexString(uptoZxid) + " failed", ex);
        }
        index.dropFirst(drop);
        keepSnapshot(uptoZxid, digest, state, offset, length);
    }

    /**
     * Writes the new snapshot as a forced temporary, deletes every segment (newest first) and the old
     * snapshot, then renames the new one into place. A crash before the rename leaves a prefix of the
     * old history, or nothing but the temporary, which recovery then promotes.
     */
    @Override
    public void installSnapshot(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        install(zxid, digest, state, offset, length);
        keepSnapshot(zxid, digest, state, offset, length);
    }

    /** Keeps {@code state} itself as the snapshot's state rather than a copy. */
    @Override
    public void installSnapshotOwned(final long zxid, final long digest, final byte[] state) {
        final UnsafeBuffer view = new UnsafeBuffer(state);
        install(zxid, digest, view, 0, state.length);
        snapshotView.wrap(state);
        keepMapping(null);
        snapshotZxid = zxid;
        snapshotDigest = digest;
    }

    private void install(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        checkOpen();
        if (zxid < 0) {
            throw new IllegalArgumentException("snapshot zxid " + zxid + " is negative");
        }
        try {
            replaceWith(SnapshotFile.writeTemporary(dir, zxid, digest, state, offset, length), zxid);
        } catch (final IOException ex) {
            throw new UncheckedIOException(
                "install of snapshot 0x" + Long.toHexString(zxid) + " in " + dir + " failed", ex);
        }
    }

    /**
     * Streams the snapshot to its temporary file chunk by chunk, straight from the caller's buffer (one
     * CRC pass and one write per chunk, no copy on the heap): at {@link SnapshotReceiver#finish()} only
     * the header and a force remain, and the published file, mapped read-only, becomes the log's
     * {@link #snapshotState()}. Nothing the size of the snapshot is allocated, zeroed or copied on the
     * heap: for a 1 GiB SNAP the follower's agent went from 1.49 to 0.78-1.26 ms of CPU per MB.
     */
    @Override
    public SnapshotReceiver receiveSnapshot(final long zxid, final long digest, final int totalLength) {
        checkOpen();
        if (zxid < 0 || totalLength < 0) {
            throw new IllegalArgumentException("snapshot zxid " + zxid + " or length " + totalLength + " is negative");
        }
        final SnapshotFile.Streaming file;
        try {
            file = new SnapshotFile.Streaming(dir, zxid, digest, totalLength);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot create a snapshot file in " + dir, ex);
        }
        return new SnapshotReceiver() {
            private boolean isDone;

            private long postedAt;

            /**
             * Every {@link #SNAPSHOT_WRITEBACK_BYTES} the file is handed to the background forcer, so the disk
             * writes it back while the rest arrives: the force at finish then waits for the last stretch
             * only, not the whole snapshot (about 0.5 s of a 1 GiB SNAP here).
             */
            @Override
            public void write(final int position, final DirectBuffer bytes, final int offset, final int length) {
                try {
                    file.append(bytes, offset, position, length);
                    if (forcer != null && file.written() - postedAt >= SNAPSHOT_WRITEBACK_BYTES) {
                        checkForcer();
                        forcer.force(file);
                        postedAt = file.written();
                    }
                } catch (final IOException ex) {
                    abort();
                    throw new UncheckedIOException("write of snapshot " + file.tmp + " failed", ex);
                }
            }

            @Override
            public void finish() {
                checkOpen();
                final java.nio.MappedByteBuffer mapped;
                try {
                    final Path complete = file.complete();
                    // A background force of this file that failed took Linux's one report of the lost pages.
                    checkForcer();
                    replaceWith(complete, zxid);
                    mapped = SnapshotFile.mapState(snapshotPath, totalLength);
                } catch (final IOException ex) {
                    abort();
                    throw new UncheckedIOException(
                        "install of snapshot 0x" + Long.toHexString(zxid) + " in " + dir + " failed", ex);
                }
                isDone = true;
                snapshotView.wrap(mapped);
                keepMapping(mapped);
                snapshotZxid = zxid;
                snapshotDigest = digest;
            }

            @Override
            public void abort() {
                if (isDone) {
                    return;
                }
                isDone = true;
                try {
                    file.close();
                    Files.deleteIfExists(file.tmp);
                } catch (final IOException ex) {
                    options.warnings.accept("cannot remove the incomplete snapshot " + file.tmp + ": " + ex);
                }
            }
        };
    }

    /** Replaces every segment and any older snapshot with the forced temporary snapshot {@code tmp}. */
    private void replaceWith(final Path tmp, final long zxid) throws IOException {
        chunkSegment = null;
        {
            writeStaged();
            while (!segments.isEmpty()) {
                deleteSegment(segments.size() - 1);
            }
            if (snapshotPath != null) {
                Files.delete(snapshotPath);
                snapshotPath = null;
            }
            snapshotPath = SnapshotFile.publish(tmp);
            forceDirectory(dir);
        }
        index.truncate(0);
    }

    private void keepSnapshot(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        final byte[] copy = new byte[length];
        state.getBytes(offset, copy);
        snapshotView.wrap(copy);
        keepMapping(null);
        snapshotZxid = zxid;
        snapshotDigest = digest;
    }

    @Override
    public DirectBuffer snapshotState() {
        return snapshotView;
    }

    /**
     * Records the mapping {@link #snapshotView} now wraps (null: it wraps heap memory) and unmaps the
     * previous one, whose file has been replaced: waiting for the GC to unmap it would keep a deleted
     * snapshot's disk space. Only after {@link #snapshotView} was rewrapped: nothing reads the old one.
     */
    private void keepMapping(final java.nio.MappedByteBuffer mapping) {
        final java.nio.MappedByteBuffer old = snapshotMapping;
        snapshotMapping = mapping;
        if (old != null && old != mapping) {
            org.agrona.IoUtil.unmap(old);
        }
    }

    /** The current snapshot file, for streaming it to a learner as a FileRegion; null if none. */
    @Override
    public Path snapshotFile() {
        return snapshotPath;
    }

    @Override
    public long snapshotStateOffset() {
        return snapshotPath == null ? 0 : LogFormat.SNAPSHOT_HEADER_BYTES;
    }

    @Override
    public long digest() {
        return snapshotDigest + index.hashSumOfFirst(index.count());
    }

    /**
     * Writes the staged appends, and under {@link FsyncPolicy#BATCH} (and for {@link #appendDeferred}
     * appends under ALWAYS) forces the appends since the last force on this thread, whether or not a
     * background force covered them since; under {@link FsyncPolicy#NEVER} they are then with the OS.
     * Throws from the first failed background force on, even with nothing to force: that failure may
     * have taken pages an earlier flush reported forced.
     */
    @Override
    public void flush() {
        checkOpen();
        try {
            writeStaged();
            checkForcer();
            if (!hasUnforcedAppends || segments.isEmpty()) {
                return;
            }
            force(segments.get(segments.size() - 1));
        } catch (final IOException ex) {
            throw new UncheckedIOException("flush of " + dir + " failed", ex);
        }
    }

    /**
     * Calls to {@link FileChannel#force} so far on segments, the completed background ones included: the
     * fsync count. Reads the background count with a volatile read, so any thread may call it.
     */
    public long forceCount() {
        return forceCount + (forcer == null ? 0 : forcer.forceCount());
    }

    /** The background forcer, null when disabled (for tests). */
    BackgroundForcer backgroundForcer() {
        return forcer;
    }

    /** The segment files, oldest first (for tests and the admin endpoint). */
    public Path[] segmentFiles() {
        final Path[] files = new Path[segments.size()];
        for (int i = 0; i < files.length; i++) {
            files[i] = segments.get(i).path;
        }
        return files;
    }

    @Override
    public void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        boolean wasInterrupted = false;
        try {
            wasInterrupted = stopForcer();
            writeStaged();
            if (options.fsyncPolicy != FsyncPolicy.NEVER && hasUnforcedAppends && !segments.isEmpty()) {
                force(segments.get(segments.size() - 1));
            }
            checkForcer();
        } catch (final IOException ex) {
            throw new UncheckedIOException("final flush of " + dir + " failed", ex);
        } finally {
            segments.forEach(Segment::closeQuietly);
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the background thread before the final force, so nothing forces the segments while they close. A
     * force still running after the wait (a stalled disk) is reported and left to end on its own: closing its
     * channel waits for it, and it forces nothing afterwards.
     *
     * @return whether this thread was interrupted before or during the wait; the flag is cleared and the
     * caller restores it only after its last file operation, because an interrupted thread's channel I/O
     * closes the channel
     */
    private boolean stopForcer() {
        if (forcer == null) {
            return false;
        }
        // Cleared for the wait (an interrupted sleep returns at once) and for the file operations after it.
        boolean wasInterrupted = Thread.interrupted();
        if (!forcer.close(FORCER_STOP_WAIT_MS)) {
            options.warnings.accept("a background force of " + dir + " still runs " + FORCER_STOP_WAIT_MS
                + " ms after close began");
        }
        wasInterrupted |= Thread.interrupted();
        return wasInterrupted;
    }

    private void checkOpen() {
        if (isClosed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
    }

    private void allocateStage(final int capacity) {
        stage = ByteBuffer.allocateDirect(capacity);
        stageView.wrap(stage);
    }

    private void allocateChunk(final int capacity) {
        chunk = ByteBuffer.allocateDirect(capacity);
        chunkView.wrap(chunk);
        chunkSegment = null;
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Makes creations, renames and deletions in dir durable (Linux and macOS; where a directory cannot be
     * opened, a no-op).
     */
    static void forceDirectory(final Path dir) throws IOException {
        final FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (final IOException | UnsupportedOperationException notSupported) {
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    @Override
    public String toString() {
        return "FileTxnLog[" + dir + ", segments=" + segments.size() + ", entries=" + index.count() + ", snapshot=0x"
            + Long.toHexString(snapshotZxid) + "]";
    }

    /**
     * How a {@link FileTxnLog} is opened; checked once in {@link FileTxnLog#open}. Setters return this.
     */
    public static final class Options {
        /** Segments roll at 64 MiB. */
        public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
        /** Largest payload accepted, and the largest length recovery treats as plausible. */
        public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 << 20;

        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
        private int batchAppends = 1000;
        private long batchBytes = 1L << 20;
        private boolean backgroundForce = true;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private int initialIndexCapacity = 1024;
        private Consumer<String> warnings = System.err::println;

        /** A segment rolls before a record that would take it past this size (a lone record may exceed it). */
        public Options segmentBytes(final long bytes) {
            this.segmentBytes = bytes;
            return this;
        }

        public Options fsyncPolicy(final FsyncPolicy policy) {
            this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy");
            return this;
        }

        /** Under BATCH, force after this many appends without a {@link FileTxnLog#flush()}. */
        public Options batchAppends(final int appends) {
            this.batchAppends = appends;
            return this;
        }

        /** Under BATCH, force after this many appended bytes without a {@link FileTxnLog#flush()}. */
        public Options batchBytes(final long bytes) {
            this.batchBytes = bytes;
            return this;
        }

        /**
         * Under BATCH, whether the forces {@link #batchAppends} and {@link #batchBytes} trigger run on a thread
         * of the log's own ("log-writeback-" and the directory's path, started at the first such force) instead
         * of the appending thread; default true. They only bound what a crash loses, acknowledge nothing and
         * so need not stall the appender, which for a DIFF of 10^6 txns of 128 bytes they made wait for
         * about 1000 fdatasyncs (docs/storage.md). {@link FileTxnLog#flush()}, segment rolls, truncation and
         * {@link FileTxnLog#close()} force synchronously either way. Under every policy it also lets a
         * snapshot being received be written back while it arrives (forced every
         * {@value FileTxnLog#SNAPSHOT_WRITEBACK_BYTES} bytes in the background; its final force stays
         * synchronous). The thread starts at the first background force, so ALWAYS and NEVER logs that
         * receive no snapshot never start it.
         */
        public Options backgroundForce(final boolean isBackground) {
            this.backgroundForce = isBackground;
            return this;
        }

        public Options maxPayloadBytes(final int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** Entries the in-memory index holds before its first growth. */
        public Options initialIndexCapacity(final int entries) {
            this.initialIndexCapacity = entries;
            return this;
        }

        /**
         * Receives one line per repair recovery makes (torn tail cut, leftovers removed), and one if a
         * background force fails or outlasts close; default stderr. Always called on the thread that called
         * the log, never on the background one.
         */
        public Options warnings(final Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink, "warnings");
            return this;
        }

        FsyncPolicy fsyncPolicy() {
            return fsyncPolicy;
        }

        int maxPayloadBytes() {
            return maxPayloadBytes;
        }

        int initialIndexCapacity() {
            return initialIndexCapacity;
        }

        Consumer<String> warnings() {
            return warnings;
        }

        void conclude() {
            check(segmentBytes >= SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES && segmentBytes <= 1L << 30,
                "segmentBytes " + segmentBytes + " must be within 32..2^30");
            check(maxPayloadBytes >= 0 && maxPayloadBytes <= 1 << 30,
                "maxPayloadBytes " + maxPayloadBytes + " must be within 0..2^30");
            check(batchAppends > 0, "batchAppends " + batchAppends + " must be positive");
            check(batchBytes > 0, "batchBytes " + batchBytes + " must be positive");
            check(initialIndexCapacity > 0, "initialIndexCapacity " + initialIndexCapacity + " must be positive");
        }

        private static void check(final boolean condition, final String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
