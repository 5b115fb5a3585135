package io.electionbench.transport.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.log.LogCorruptedException;

/**
 * A member's durable state under {@code dataDir/version-2/}:
 *
 * <pre>
 * version-2/acceptedEpoch    decimal text, as ZooKeeper (zero-padded to 19 digits and a newline)
 * version-2/currentEpoch     decimal text, as ZooKeeper (zero-padded to 19 digits and a newline)
 * version-2/log/             the {@link FileTxnLog} (log.&lt;zxid&gt; segments, at most one snapshot.&lt;zxid&gt;)
 * </pre>
 *
 * The log is the history and the only record of the last zxid; a {@code lastLoggedZxid} file left by
 * an older version is ignored. Missing epoch files are initialised from the epoch of the log's last
 * zxid, as ZooKeeper does.
 *
 * <p>Epoch files always hold exactly {@value #EPOCH_FILE_BYTES} bytes, so an epoch write, which sits
 * on the critical path of every recovery (accepted before ACKEPOCH, current before the NEWLEADER
 * ACK), overwrites them in place and forces the data only ({@code fdatasync}): the file's size and
 * blocks never change, so no journal commit is needed, and those 20 bytes lie in one disk sector, so a
 * crash leaves the old or the new value. That is one sync instead of ZooKeeper's write-temp, force,
 * rename (and our former directory force): about 0.08 ms instead of 0.6 ms on this project's test
 * machine, and it does not wait behind other processes' metadata. A file of another size (missing,
 * or written by ZooKeeper or an older version) is rewritten once at open the safe way: a forced
 * temporary file renamed over it, then the directory forced.
 *
 * <p>Opening never repairs more than {@link FileTxnLog} does (cut a torn tail, with a warning to
 * SLF4J naming the file and offset): a corrupt log ({@link LogCorruptedException}) or an unreadable
 * epoch file fails {@link #open} with the file in the message, and no file is changed.
 *
 * <p>Threads: the agent thread is the single writer (the setters and the log's mutators); the
 * epochs are volatile so the admin endpoint may read them. {@link #close()} runs once the agent has
 * stopped.
 */
public final class NodeStorage implements PersistentState, AutoCloseable {
    public static final String VERSION_DIR = "version-2";
    public static final String LOG_DIR = "log";
    public static final String ACCEPTED_EPOCH = "acceptedEpoch";
    public static final String CURRENT_EPOCH = "currentEpoch";
    /** Written, forced and deleted by {@link #checkWritable()}; one left behind by a crash is removed at open. */
    public static final String PROBE_FILE = "writable.probe";
    /** The probe's size: the log's staging buffer, what its next write of staged appends may need. */
    static final int PROBE_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(NodeStorage.class);
    private static final long MISSING = Long.MIN_VALUE;
    /** 19 zero-padded digits (any non-negative long) and a newline. */
    static final int EPOCH_FILE_BYTES = 20;

    private final Path dir;
    private final FileTxnLog log;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long currentEpoch;
    private volatile long acceptedEpoch;
    /** Open for in-place epoch writes; null until {@link #open} has normalised the files. */
    private FileChannel acceptedFile;
    private FileChannel currentFile;
    /** The bytes of one epoch write, reused (agent thread only). */
    private final ByteBuffer epochBytes = ByteBuffer.allocateDirect(EPOCH_FILE_BYTES);

    private NodeStorage(final Path dir, final FileTxnLog log) {
        this.dir = dir;
        this.log = log;
    }

    /**
     * Opens (creating if needed) the storage under {@code dataDir}, recovering the log with the given
     * fsync policy; recovery warnings (a torn tail cut) go to SLF4J at WARN.
     *
     * @throws LogCorruptedException naming the log file and byte offset of damage before the tail
     * @throws IOException           naming the epoch file that cannot be read or holds no integer
     */
    public static NodeStorage open(final Path dataDir, final FsyncPolicy fsync) throws IOException {
        return open(dataDir, new FileTxnLog.Options().fsyncPolicy(fsync)
            .warnings(warning -> LOG.warn("txn log: {}", warning)));
    }

    /** As {@link #open(Path, FsyncPolicy)}, with the log's options (and warning sink) chosen by the caller. */
    static NodeStorage open(final Path dataDir, final FileTxnLog.Options logOptions) throws IOException {
        final Path dir = dataDir.resolve(VERSION_DIR);
        Files.createDirectories(dir);
        // A temporary file is never the value: the rename that would have published it did not happen.
        Files.deleteIfExists(dir.resolve(ACCEPTED_EPOCH + ".tmp"));
        Files.deleteIfExists(dir.resolve(CURRENT_EPOCH + ".tmp"));
        Files.deleteIfExists(dir.resolve(PROBE_FILE));
        final long current = readOr(dir.resolve(CURRENT_EPOCH));
        final long accepted = readOr(dir.resolve(ACCEPTED_EPOCH));
        final NodeStorage storage = new NodeStorage(dir, FileTxnLog.open(dir.resolve(LOG_DIR), logOptions));
        try {
            final long lastZxid = storage.lastLoggedZxid();
            final long logEpoch = Zxid.epoch(lastZxid);
            storage.currentEpoch = current == MISSING ? logEpoch : current;
            storage.acceptedEpoch = accepted == MISSING ? logEpoch : accepted;
            checkOrder(dir, storage.currentEpoch, storage.acceptedEpoch, lastZxid);
            storage.currentFile = openEpochFile(dir.resolve(CURRENT_EPOCH), storage.currentEpoch);
            storage.acceptedFile = openEpochFile(dir.resolve(ACCEPTED_EPOCH), storage.acceptedEpoch);
        } catch (final IOException | RuntimeException ex) {
            storage.close();
            throw ex;
        }
        return storage;
    }

    @Override
    public FileTxnLog log() {
        return log;
    }

    @Override
    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    /** Durably records the accepted epoch (before ACKEPOCH). */
    @Override
    public void acceptedEpoch(final long epoch) {
        writeInPlace(acceptedFile, ACCEPTED_EPOCH, epoch);
        acceptedEpoch = epoch;
    }

    /** Durably records the current epoch (before the NEWLEADER ACK). */
    @Override
    public void currentEpoch(final long epoch) {
        writeInPlace(currentFile, CURRENT_EPOCH, epoch);
        currentEpoch = epoch;
    }

    /**
     * Whether the disk takes writes again after a failure: flushes the log (which first writes the appends it
     * still holds in memory), then writes {@value #PROBE_BYTES} bytes to {@code version-2/}{@value #PROBE_FILE},
     * forces and deletes it. Agent thread only, and only while the agent is out of elections after a storage
     * failure (at most once per tick).
     *
     * @throws UncheckedIOException naming the file or directory that failed
     */
    @Override
    public void checkWritable() {
        log.flush();
        final Path probe = dir.resolve(PROBE_FILE);
        try {
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
                final ByteBuffer bytes = ByteBuffer.allocate(PROBE_BYTES);
                long position = 0;
                while (bytes.hasRemaining()) {
                    position += channel.write(bytes, position);
                }
                channel.force(false);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot write " + PROBE_BYTES + " bytes to " + probe, ex);
        }
    }

    /** The {@code version-2} directory. */
    public Path directory() {
        return dir;
    }

    /** The txn log's directory, {@code version-2/log}. */
    public Path logDirectory() {
        return dir.resolve(LOG_DIR);
    }

    /**
     * Closes the log (under {@code fsync=batch}, forcing what was appended since the last force).
     * Idempotent; call only when the agent thread no longer runs.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                closeQuietly(acceptedFile);
                closeQuietly(currentFile);
            } finally {
                log.close();
            }
        }
    }

    private static void closeQuietly(final FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (final IOException ignored) {
                // Every write was forced when it returned; nothing is lost by a failed close.
            }
        }
    }

    /**
     * Overwrites an epoch file's {@value #EPOCH_FILE_BYTES} bytes and forces the data: the value is
     * durable when this returns, and a failure leaves the file's old or new value (memory keeps the old).
     */
    private void writeInPlace(final FileChannel file, final String name, final long epoch) {
        if (!Zxid.isValidEpoch(epoch)) {
            throw new IllegalArgumentException(name + " must be within 0.." + Zxid.MAX_EPOCH + ": " + epoch);
        }
        final ByteBuffer bytes = epochBytes;
        bytes.clear();
        long rest = epoch;
        for (int i = EPOCH_FILE_BYTES - 2; i >= 0; i--) {
            bytes.put(i, (byte)('0' + rest % 10));
            rest /= 10;
        }
        bytes.put(EPOCH_FILE_BYTES - 1, (byte)'\n');
        try {
            int position = 0;
            while (bytes.hasRemaining()) {
                position += file.write(bytes, position);
            }
            file.force(false);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot persist " + name + "=" + epoch + " to " + dir.resolve(name), ex);
        }
    }

    /**
     * Opens an epoch file for in-place writes, first rewriting it safely (temporary file, force,
     * rename, directory force) when it is missing or not of the fixed size.
     */
    private static FileChannel openEpochFile(final Path file, final long epoch) throws IOException {
        if (!Files.exists(file) || Files.size(file) != EPOCH_FILE_BYTES) {
            writeAtomically(file, String.format("%019d", epoch));
        }
        return FileChannel.open(file, StandardOpenOption.WRITE);
    }

    private static long readOr(final Path file) throws IOException {
        if (!Files.exists(file)) {
            return MISSING;
        }
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (final IOException ex) {
            throw new IOException(file + " cannot be read: " + ex, ex);
        }
        final long value;
        try {
            value = Long.parseLong(text);
        } catch (final NumberFormatException ex) {
            throw new IOException(file + " does not hold a decimal integer: '" + text + "'", ex);
        }
        if (value < 0) {
            throw new IOException(file + " holds a negative epoch: '" + text + "'");
        }
        if (!Zxid.isValidEpoch(value)) {
            throw new IOException(file + " holds epoch " + value + ", beyond the largest epoch " + Zxid.MAX_EPOCH
                + " (2^31-1): the file is damaged or was edited");
        }
        return value;
    }

    /**
     * ZooKeeper's {@code QuorumPeer.loadDataBase} checks: the accepted epoch is never below the current
     * one, and no logged txn is of an epoch later than the accepted one (a txn of epoch E is logged only
     * after E was accepted). Either means an epoch file was damaged or edited.
     */
    private static void checkOrder(final Path dir, final long current, final long accepted, final long lastZxid)
        throws IOException {
        if (accepted < current) {
            throw new IOException(dir.resolve(ACCEPTED_EPOCH) + " holds epoch " + accepted
                + ", below the current epoch " + current + " in " + dir.resolve(CURRENT_EPOCH)
                + ": an epoch file is damaged or was edited");
        }
        if (Zxid.epoch(lastZxid) > accepted) {
            throw new IOException(dir.resolve(ACCEPTED_EPOCH) + " holds epoch " + accepted + ", below the epoch of the"
                + " last logged txn " + Zxid.toString(lastZxid) + ": an epoch file is damaged or was edited");
        }
    }

    /** Writes {@code text} to {@code file} so that a crash leaves the old or the new content. */
    static void writeAtomically(final Path file, final String text) throws IOException {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final AtomicMoveNotSupportedException ex) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParent());
    }

    private static void forceDirectory(final Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (final IOException ignored) {
            // Some platforms cannot open directories; the rename is still atomic there.
        }
    }
}
