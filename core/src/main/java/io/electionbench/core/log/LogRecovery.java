package io.electionbench.core.log;

import static io.electionbench.core.log.LogFormat.ORDER;
import static io.electionbench.core.log.LogFormat.RECORD_HEADER_BYTES;
import static io.electionbench.core.log.LogFormat.SEGMENT_HEADER_BYTES;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Opens a {@link FileTxnLog}'s directory: finds the newest snapshot, checks every segment record by
 * record, and decides what is a torn tail (repaired with a warning) and what is corruption (a
 * {@link LogCorruptedException}, with every file left untouched). All checks run before any repair.
 * <p>
 * A torn tail is damage in the last segment after which no valid record follows: what an interrupted
 * append leaves. Anything else (damage followed by a valid record, damage in an earlier segment, a
 * broken chain between segments, a bad snapshot) cannot come from an interrupted append and stops
 * the node.
 * <p>
 * Files are read through one bounded {@link FileWindow}, never whole: a node's heap need not hold a
 * segment (64 MiB by default) or the snapshot.
 */
final class LogRecovery {
    final List<Segment> segments = new ArrayList<>();
    final EntryIndex index;
    long snapshotZxid = TxnLog.NO_ZXID;
    long snapshotDigest = HistoryDigest.EMPTY;
    /** The newest snapshot's state, mapped read-only once checked; null without a snapshot. */
    MappedByteBuffer snapshotState;
    Path snapshotPath;

    private final Path dir;
    private final FileTxnLog.Options options;
    private final CRC32C crc = new CRC32C();
    private final TreeMap<Long, Path> segmentFiles = new TreeMap<>();
    private final TreeMap<Long, Path> snapshotFiles = new TreeMap<>();
    private final List<Path> temporaries = new ArrayList<>();
    private final FileWindow window = new FileWindow();
    /** The last segment's valid size when its tail must be cut, else -1; and why. */
    private long tornAt = -1;
    private String tornProblem;

    LogRecovery(final Path dir, final FileTxnLog.Options options) {
        this.dir = dir;
        this.options = options;
        this.index = new EntryIndex(options.initialIndexCapacity());
    }

    /** Checks, then repairs; on any failure closes what it opened (segments, the snapshot mapping) and rethrows. */
    void recover() throws IOException {
        try {
            listDirectory();
            if (segmentFiles.isEmpty() && snapshotFiles.isEmpty() && temporaries.size() == 1) {
                promoteLoneTemporary();
            }
            loadSnapshot();
            scanSegments();
            repair();
        } catch (final IOException | RuntimeException | Error ex) {
            segments.forEach(Segment::closeQuietly);
            if (snapshotState != null) {
                IoUtil.unmap(snapshotState);
            }
            throw ex;
        } finally {
            window.close();
        }
    }

    private void listDirectory() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : (Iterable<Path>)files::iterator) {
                final String name = file.getFileName().toString();
                if (name.startsWith(LogFormat.SNAPSHOT_PREFIX) && name.endsWith(LogFormat.TMP_SUFFIX)) {
                    temporaries.add(file);
                } else if (LogFormat.zxidOfName(file, LogFormat.SEGMENT_PREFIX) >= 0) {
                    segmentFiles.put(LogFormat.zxidOfName(file, LogFormat.SEGMENT_PREFIX), file);
                } else if (LogFormat.zxidOfName(file, LogFormat.SNAPSHOT_PREFIX) >= 0) {
                    snapshotFiles.put(LogFormat.zxidOfName(file, LogFormat.SNAPSHOT_PREFIX), file);
                }
            }
        }
    }

    /**
     * {@link FileTxnLog#installSnapshot} deletes the old history before renaming the new snapshot into
     * place; a crash in between leaves only the forced temporary, which is the intended history.
     */
    private void promoteLoneTemporary() throws IOException {
        final Path tmp = temporaries.get(0);
        final String name = tmp.getFileName().toString();
        final Path target = tmp.resolveSibling(name.substring(0, name.length() - LogFormat.TMP_SUFFIX.length()));
        final long zxid = LogFormat.zxidOfName(target, LogFormat.SNAPSHOT_PREFIX);
        if (zxid < 0) {
            return;
        }
        try {
            SnapshotFile.check(tmp, zxid, window);
        } catch (final LogCorruptedException incomplete) {
            return;
        }
        options.warnings().accept(tmp + ": the only history in " + dir
            + " is this complete snapshot of an interrupted install;"
            + " promoting it to " + target.getFileName());
        SnapshotFile.publish(tmp);
        FileTxnLog.forceDirectory(dir);
        temporaries.clear();
        snapshotFiles.put(zxid, target);
    }

    private void loadSnapshot() throws IOException {
        if (snapshotFiles.isEmpty()) {
            return;
        }
        final Map.Entry<Long, Path> newest = snapshotFiles.lastEntry();
        final SnapshotFile snapshot = SnapshotFile.check(newest.getValue(), newest.getKey(), window);
        snapshotZxid = snapshot.zxid;
        snapshotDigest = snapshot.digest;
        snapshotState = SnapshotFile.mapState(snapshot.path, snapshot.stateLength);
        snapshotPath = snapshot.path;
    }

    private void scanSegments() throws IOException {
        long previousLast = TxnLog.NO_ZXID;
        Path previous = null;
        for (final Map.Entry<Long, Path> file : segmentFiles.entrySet()) {
            final boolean isLast = file.getKey().equals(segmentFiles.lastKey());
            final FileChannel channel =
                FileChannel.open(file.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            final Segment segment = new Segment(file.getValue(), channel, file.getKey(), TxnLog.NO_ZXID, 0);
            segments.add(segment);
            scanSegment(segment, isLast, previous, previousLast);
            previousLast = segment.lastZxid;
            previous = segment.path;
        }
    }

    private void scanSegment(final Segment segment, final boolean isLast, final Path previous, final long previousLast)
        throws IOException {
        final long fileSize = segment.channel.size();
        if (fileSize > Integer.MAX_VALUE - 64) {
            throw new LogCorruptedException(segment.path, 0,
                "segment of " + fileSize + " bytes is larger than any this log writes");
        }
        if (fileSize < SEGMENT_HEADER_BYTES) {
            if (!isLast) {
                throw new LogCorruptedException(segment.path, 0,
                    "segment header is truncated (" + fileSize + " bytes)");
            }
            tornAt = 0;
            tornProblem = "segment header is truncated (" + fileSize + " bytes)";
            return;
        }
        window.reset(segment.path, segment.channel, fileSize);
        final long prevZxid = checkHeader(segment, previous, previousLast);
        final UnsafeBuffer buf = window.view();
        final int size = (int)fileSize;
        long last = prevZxid;
        int p = SEGMENT_HEADER_BYTES;
        while (p < size) {
            final String problem = recordProblem(p, size, last);
            if (problem != null) {
                tornTail(segment, isLast, p, size, last, problem);
                break;
            }
            // recordProblem left the whole record in the window.
            final int at = window.load(p, RECORD_HEADER_BYTES);
            final int length = buf.getInt(at, ORDER);
            final long zxid = buf.getLong(at + LogFormat.RECORD_ZXID_OFFSET, ORDER);
            if (p == SEGMENT_HEADER_BYTES && zxid != segment.firstZxid) {
                throw new LogCorruptedException(segment.path, p, "first record has zxid 0x" + Long.toHexString(zxid)
                    + " but the segment is named for 0x" + Long.toHexString(segment.firstZxid));
            }
            if (zxid > snapshotZxid) {
                index.add(zxid, p, HistoryDigest.entryHash(zxid, buf, at + RECORD_HEADER_BYTES, length));
            }
            last = zxid;
            p += RECORD_HEADER_BYTES + length;
        }
        segment.lastZxid = last;
        segment.size = isLast && tornAt >= 0 ? tornAt : size;
        if (isLast && tornAt < 0 && p == SEGMENT_HEADER_BYTES) {
            tornAt = p;
            tornProblem = "segment holds no record";
        }
    }

    /** Checks magic, version and the chain to the previous segment (or the snapshot); returns prevZxid. */
    private long checkHeader(final Segment segment, final Path previous, final long previousLast) throws IOException {
        final UnsafeBuffer buf = window.view();
        final int at = window.load(0, SEGMENT_HEADER_BYTES);
        if (buf.getInt(at, ORDER) != LogFormat.SEGMENT_MAGIC || buf.getInt(at + 4, ORDER) != LogFormat.VERSION) {
            throw new LogCorruptedException(segment.path, 0,
                "not a version " + LogFormat.VERSION + " log segment (bad magic or version)");
        }
        final long prevZxid = buf.getLong(at + LogFormat.SEGMENT_PREV_ZXID_OFFSET, ORDER);
        final String follows = "the segment follows zxid 0x" + Long.toHexString(prevZxid);
        if (previous != null && prevZxid != previousLast) {
            throw new LogCorruptedException(segment.path, LogFormat.SEGMENT_PREV_ZXID_OFFSET,
                follows + " but the previous segment " + previous.getFileName()
                + " ends at 0x" + Long.toHexString(previousLast) + ": a segment is missing or cut short");
        }
        if (previous == null && prevZxid > snapshotZxid) {
            throw new LogCorruptedException(segment.path, LogFormat.SEGMENT_PREV_ZXID_OFFSET, follows + " but "
                + (snapshotZxid < 0
                    ? "there is no snapshot"
                    : "the snapshot covers only up to 0x" + Long.toHexString(snapshotZxid))
                + ": an earlier segment is missing");
        }
        if (segment.firstZxid <= prevZxid) {
            throw new LogCorruptedException(segment.path, LogFormat.SEGMENT_PREV_ZXID_OFFSET, follows
                + " but is named for the earlier zxid 0x" + Long.toHexString(segment.firstZxid));
        }
        return prevZxid;
    }

    /**
     * Why the record at byte offset p of the segment is not valid, or null if it is; a valid record is then
     * in the window whole.
     */
    private String recordProblem(final int p, final int size, final long last) throws IOException {
        if (size - p < RECORD_HEADER_BYTES) {
            return "torn record header (" + (size - p) + " of " + RECORD_HEADER_BYTES + " bytes)";
        }
        final UnsafeBuffer buf = window.view();
        int at = window.load(p, RECORD_HEADER_BYTES);
        final int length = buf.getInt(at, ORDER);
        if (length < 0 || length > options.maxPayloadBytes()) {
            return "bad record length " + length;
        }
        if ((long)p + RECORD_HEADER_BYTES + length > size) {
            return "torn record: payload of " + length + " bytes but only " + (size - p - RECORD_HEADER_BYTES)
                + " remain";
        }
        at = window.load(p, RECORD_HEADER_BYTES + length);
        final int stored = buf.getInt(at + LogFormat.RECORD_CRC_OFFSET, ORDER);
        final int computed = LogFormat.recordCrc(crc, window.buffer(), at, length);
        if (stored != computed) {
            return "record CRC mismatch (stored " + Integer.toHexString(stored)
                + ", computed " + Integer.toHexString(computed) + ")";
        }
        final long zxid = buf.getLong(at + LogFormat.RECORD_ZXID_OFFSET, ORDER);
        if (zxid <= last) {
            return "record zxid 0x" + Long.toHexString(zxid) + " does not follow 0x" + Long.toHexString(last);
        }
        return null;
    }

    /**
     * Damage at p: a torn tail if this is the last segment and no valid record starts anywhere after p
     * (a record with a plausible length, a later zxid and a matching CRC); corruption otherwise.
     */
    private void tornTail(final Segment segment, final boolean isLast, final int p, final int size, final long last,
        final String problem) throws IOException {
        if (!isLast) {
            throw new LogCorruptedException(segment.path, p, problem + ", and later segments follow");
        }
        final boolean wellFormed = problem.startsWith("record zxid");
        for (int q = p + 1; q + RECORD_HEADER_BYTES <= size && !wellFormed; q++) {
            if (recordProblem(q, size, last) == null) {
                throw new LogCorruptedException(segment.path, p,
                    problem + ", but a valid record follows at byte offset " + q);
            }
        }
        if (wellFormed) {
            throw new LogCorruptedException(segment.path, p, problem + " (the record itself is intact)");
        }
        tornAt = p;
        tornProblem = problem;
    }

    /** Runs only after every check passed: cuts a torn tail, then finishes any interrupted compaction. */
    private void repair() throws IOException {
        boolean changed = false;
        for (final Path tmp : temporaries) {
            options.warnings().accept(tmp + ": removing the temporary file of an interrupted snapshot");
            Files.delete(tmp);
            changed = true;
        }
        if (tornAt >= 0) {
            changed |= cutTornTail();
        }
        for (final Path older : snapshotFiles.headMap(snapshotZxid, false).values()) {
            Files.delete(older);
            changed = true;
        }
        while (!segments.isEmpty() && segments.get(0).lastZxid <= snapshotZxid) {
            final Segment covered = segments.remove(0);
            covered.closeQuietly();
            Files.delete(covered.path);
            changed = true;
        }
        if (changed) {
            FileTxnLog.forceDirectory(dir);
        }
    }

    private boolean cutTornTail() throws IOException {
        final Segment tail = segments.get(segments.size() - 1);
        final long fileSize = tail.channel.size();
        if (tornAt <= SEGMENT_HEADER_BYTES) {
            options.warnings().accept(tail.path + ": removing the last segment, which holds no complete record ("
                + tornProblem + " at byte offset " + tornAt + ")");
            segments.remove(segments.size() - 1);
            tail.closeQuietly();
            Files.delete(tail.path);
            return true;
        }
        options.warnings().accept(tail.path + ": truncating a torn or corrupt tail at byte offset " + tornAt + " ("
            + tornProblem + "); " + (fileSize - tornAt) + " bytes dropped, records up to zxid 0x"
            + Long.toHexString(tail.lastZxid) + " kept");
        tail.channel.truncate(tornAt);
        tail.channel.force(false);
        return false;
    }
}
