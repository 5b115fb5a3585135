package io.electionbench.transport.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.PersistentState;

/**
 * A member's durable state under {@code dataDir/version-2/}: ZooKeeper's {@code acceptedEpoch} and
 * {@code currentEpoch} files (decimal text) and {@code lastLoggedZxid} (decimal text of the 64-bit
 * zxid; the real txn log replaces it in a later issue). Missing epoch files are initialised from the
 * epoch of the last zxid, as ZooKeeper does. Every write goes to a temporary file that is forced,
 * then atomically renamed over the old one, then the directory is forced: a kill -9 at any point
 * leaves either the old or the new value, never a torn one.
 *
 * <p>Reads come from memory (the agent calls them on every ping); writers update memory after the
 * file is durable. Values are volatile so the admin endpoint may read them.
 */
public final class NodeStorage implements PersistentState {
    public static final String ACCEPTED_EPOCH = "acceptedEpoch";
    public static final String CURRENT_EPOCH = "currentEpoch";
    public static final String LAST_ZXID = "lastLoggedZxid";

    private final Path dir;
    private volatile long lastLoggedZxid;
    private volatile long currentEpoch;
    private volatile long acceptedEpoch;

    private NodeStorage(final Path dir) {
        this.dir = dir;
    }

    /**
     * Opens (creating if needed) the storage under {@code dataDir}.
     *
     * @throws IOException naming the file when one cannot be read or holds no integer
     */
    public static NodeStorage open(final Path dataDir) throws IOException {
        final NodeStorage storage = new NodeStorage(dataDir.resolve("version-2"));
        Files.createDirectories(storage.dir);
        Files.deleteIfExists(storage.dir.resolve(LAST_ZXID + ".tmp"));
        Files.deleteIfExists(storage.dir.resolve(ACCEPTED_EPOCH + ".tmp"));
        Files.deleteIfExists(storage.dir.resolve(CURRENT_EPOCH + ".tmp"));
        storage.lastLoggedZxid = storage.readOr(LAST_ZXID, Long.MIN_VALUE);
        if (storage.lastLoggedZxid == Long.MIN_VALUE) {
            storage.lastLoggedZxid(0);
        }
        final long epoch = Zxid.epoch(storage.lastLoggedZxid);
        storage.currentEpoch = storage.readOr(CURRENT_EPOCH, Long.MIN_VALUE);
        if (storage.currentEpoch == Long.MIN_VALUE) {
            storage.currentEpoch(epoch);
        }
        storage.acceptedEpoch = storage.readOr(ACCEPTED_EPOCH, Long.MIN_VALUE);
        if (storage.acceptedEpoch == Long.MIN_VALUE) {
            storage.acceptedEpoch(epoch);
        }
        return storage;
    }

    @Override
    public long lastLoggedZxid() {
        return lastLoggedZxid;
    }

    @Override
    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    /** Durably records the accepted epoch (before ACKEPOCH, in the recovery phase). */
    public void acceptedEpoch(final long epoch) throws IOException {
        writeAtomically(dir.resolve(ACCEPTED_EPOCH), Long.toString(epoch));
        acceptedEpoch = epoch;
    }

    /** Durably records the current epoch (before the NEWLEADER ACK). */
    public void currentEpoch(final long epoch) throws IOException {
        writeAtomically(dir.resolve(CURRENT_EPOCH), Long.toString(epoch));
        currentEpoch = epoch;
    }

    /** Durably records the last logged zxid. */
    public void lastLoggedZxid(final long zxid) throws IOException {
        writeAtomically(dir.resolve(LAST_ZXID), Long.toString(zxid));
        lastLoggedZxid = zxid;
    }

    /** The {@code version-2} directory. */
    public Path directory() {
        return dir;
    }

    private long readOr(final String name, final long missing) throws IOException {
        final Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return missing;
        }
        final String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException ex) {
            throw new IOException(file + " does not hold a decimal integer: '" + text + "'", ex);
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
