package io.electionbench.core.log;

import static io.electionbench.core.log.LogFormat.ORDER;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Reads and writes snapshot files (layout in {@link LogFormat}). Not on the append path. */
final class SnapshotFile {
    /** Heap state is written in slices of this size, so the JDK's temporary direct buffer stays this small. */
    private static final int HEAP_WRITE_BYTES = 1 << 20;

    final Path path;
    final long zxid;
    final long digest;
    final int stateLength;

    private SnapshotFile(final Path path, final long zxid, final long digest, final int stateLength) {
        this.path = path;
        this.zxid = zxid;
        this.digest = digest;
        this.stateLength = stateLength;
    }

    /**
     * Writes the snapshot to {@code <name>.tmp} and forces it; the caller renames it into place. The state
     * is written from the caller's memory (in place when it is direct), never copied whole: a snapshot
     * may be a large part of the heap.
     */
    static Path writeTemporary(final Path dir, final long zxid, final long digest,
        final DirectBuffer state, final int offset, final int length) throws IOException {
        final ByteBuffer body = view(state, offset, length);
        final ByteBuffer header = ByteBuffer.allocate(LogFormat.SNAPSHOT_HEADER_BYTES);
        final UnsafeBuffer out = new UnsafeBuffer(header);
        out.putInt(0, LogFormat.SNAPSHOT_MAGIC, ORDER);
        out.putInt(4, LogFormat.VERSION, ORDER);
        out.putLong(LogFormat.SNAPSHOT_ZXID_OFFSET, zxid, ORDER);
        out.putLong(LogFormat.SNAPSHOT_DIGEST_OFFSET, digest, ORDER);
        out.putInt(LogFormat.SNAPSHOT_LENGTH_OFFSET, length, ORDER);
        out.putInt(LogFormat.SNAPSHOT_CRC_OFFSET, crc(header, body), ORDER);
        final Path tmp = dir.resolve(LogFormat.snapshotName(zxid) + LogFormat.TMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            header.clear();
            while (header.hasRemaining()) {
                channel.write(header);
            }
            final int slice = body.isDirect() ? length : HEAP_WRITE_BYTES;
            for (int at = 0; at < length; at += slice) {
                body.limit(Math.min(length, at + slice)).position(at);
                while (body.hasRemaining()) {
                    channel.write(body);
                }
            }
            channel.force(true);
        }
        return tmp;
    }

    /**
     * A snapshot written to {@code <name>.tmp} as its state arrives in order; {@link #complete()} writes
     * the header with the CRC of everything written and forces the file, and the caller publishes it.
     */
    static final class Streaming implements AutoCloseable, ForcedFile {
        final Path tmp;
        private final FileChannel channel;
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer header = ByteBuffer.allocate(LogFormat.SNAPSHOT_HEADER_BYTES);
        private final int length;
        private int written;

        Streaming(final Path dir, final long zxid, final long digest, final int length) throws IOException {
            this.length = length;
            final UnsafeBuffer out = new UnsafeBuffer(header);
            out.putInt(0, LogFormat.SNAPSHOT_MAGIC, ORDER);
            out.putInt(4, LogFormat.VERSION, ORDER);
            out.putLong(LogFormat.SNAPSHOT_ZXID_OFFSET, zxid, ORDER);
            out.putLong(LogFormat.SNAPSHOT_DIGEST_OFFSET, digest, ORDER);
            out.putInt(LogFormat.SNAPSHOT_LENGTH_OFFSET, length, ORDER);
            header.clear().position(LogFormat.SNAPSHOT_ZXID_OFFSET).limit(LogFormat.SNAPSHOT_CRC_OFFSET);
            crc.update(header);
            this.tmp = dir.resolve(LogFormat.snapshotName(zxid) + LogFormat.TMP_SUFFIX);
            this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }

        /**
         * Appends the next bytes of the state straight from {@code bytes} (the inbound ring's direct memory,
         * for a learner): one write and one CRC pass over the caller's memory, no intermediate copy.
         */
        void append(final DirectBuffer bytes, final int offset, final int position, final int count)
            throws IOException {
            if (position != written || position + count > length) {
                throw new IllegalArgumentException("snapshot bytes at " + position + " do not follow the " + written
                    + " written (of " + length + ")");
            }
            final ByteBuffer body = view(bytes, offset, count);
            crc.update(body);
            body.flip();
            long filePosition = LogFormat.SNAPSHOT_HEADER_BYTES + (long)position;
            while (body.hasRemaining()) {
                filePosition += channel.write(body, filePosition);
            }
            written += count;
        }

        /** Writes the header and forces the file; the caller renames it into place. */
        Path complete() throws IOException {
            if (written != length) {
                throw new IllegalStateException("snapshot incomplete: " + written + " of " + length + " bytes");
            }
            new UnsafeBuffer(header).putInt(LogFormat.SNAPSHOT_CRC_OFFSET, (int)crc.getValue(), ORDER);
            header.clear();
            long at = 0;
            while (header.hasRemaining()) {
                at += channel.write(header, at);
            }
            channel.force(true);
            channel.close();
            return tmp;
        }

        /** Bytes of the state written so far. */
        int written() {
            return written;
        }

        @Override
        public Path path() {
            return tmp;
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        /** Closes the file without completing it (the temporary file is then deleted by the caller or at recovery). */
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The state's bytes as a ByteBuffer over the caller's memory, positioned at 0 with {@code length} remaining. */
    private static ByteBuffer view(final DirectBuffer state, final int offset, final int length) {
        state.boundsCheck(offset, length);
        final ByteBuffer wrapped = state.byteBuffer();
        if (wrapped != null) {
            final int at = state.wrapAdjustment() + offset;
            return wrapped.duplicate().limit(at + length).position(at).slice();
        }
        final byte[] array = state.byteArray();
        if (array != null) {
            return ByteBuffer.wrap(array, state.wrapAdjustment() + offset, length).slice();
        }
        final byte[] copy = new byte[length];
        state.getBytes(offset, copy);
        return ByteBuffer.wrap(copy);
    }

    /** Atomically renames a forced temporary snapshot to its final name. */
    static Path publish(final Path tmp) throws IOException {
        final String name = tmp.getFileName().toString();
        final Path target = tmp.resolveSibling(name.substring(0, name.length() - LogFormat.TMP_SUFFIX.length()));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /**
     * Checks a snapshot file (header, length, CRC, name) through {@code window}, a stretch at a time: the
     * state is not read into memory, {@link #mapState} maps it once it passed. Any damage is a
     * {@link LogCorruptedException}.
     */
    static SnapshotFile check(final Path path, final long nameZxid, final FileWindow window) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            final long fileSize = channel.size();
            if (fileSize < LogFormat.SNAPSHOT_HEADER_BYTES) {
                throw new LogCorruptedException(path, 0, "snapshot header is truncated (" + fileSize + " bytes)");
            }
            window.reset(path, channel, fileSize);
            final UnsafeBuffer in = window.view();
            final int at = window.load(0, LogFormat.SNAPSHOT_HEADER_BYTES);
            if (in.getInt(at, ORDER) != LogFormat.SNAPSHOT_MAGIC || in.getInt(at + 4, ORDER) != LogFormat.VERSION) {
                throw new LogCorruptedException(path, 0, "not a version " + LogFormat.VERSION
                    + " snapshot (bad magic or version)");
            }
            final long zxid = in.getLong(at + LogFormat.SNAPSHOT_ZXID_OFFSET, ORDER);
            final long digest = in.getLong(at + LogFormat.SNAPSHOT_DIGEST_OFFSET, ORDER);
            final int length = in.getInt(at + LogFormat.SNAPSHOT_LENGTH_OFFSET, ORDER);
            final int stored = in.getInt(at + LogFormat.SNAPSHOT_CRC_OFFSET, ORDER);
            if (length < 0 || length != fileSize - LogFormat.SNAPSHOT_HEADER_BYTES) {
                throw new LogCorruptedException(path, LogFormat.SNAPSHOT_LENGTH_OFFSET, "state length " + length
                    + " does not match the file's " + (fileSize - LogFormat.SNAPSHOT_HEADER_BYTES) + " bytes");
            }
            final int computed = crc(window, at, fileSize);
            if (stored != computed) {
                throw new LogCorruptedException(path, LogFormat.SNAPSHOT_CRC_OFFSET, "snapshot CRC mismatch (stored "
                    + Integer.toHexString(stored) + ", computed " + Integer.toHexString(computed) + ")");
            }
            if (zxid != nameZxid) {
                throw new LogCorruptedException(path, LogFormat.SNAPSHOT_ZXID_OFFSET, "snapshot holds zxid 0x"
                    + Long.toHexString(zxid) + " but is named for 0x" + Long.toHexString(nameZxid));
            }
            return new SnapshotFile(path, zxid, digest, length);
        }
    }

    /**
     * The CRC of a snapshot file whose header the window holds at {@code headerAt}: the header's zxid, digest
     * and length fields, then the state, one window at a time.
     */
    private static int crc(final FileWindow window, final int headerAt, final long fileSize) throws IOException {
        final CRC32C crc = new CRC32C();
        crc.update(window.buffer().clear().position(headerAt + LogFormat.SNAPSHOT_ZXID_OFFSET)
            .limit(headerAt + LogFormat.SNAPSHOT_CRC_OFFSET));
        for (long position = LogFormat.SNAPSHOT_HEADER_BYTES; position < fileSize; ) {
            final int count = (int)Math.min(window.capacity(), fileSize - position);
            final int at = window.load(position, count);
            crc.update(window.buffer().clear().position(at).limit(at + count));
            position += count;
        }
        return (int)crc.getValue();
    }

    /**
     * The state bytes of a checked or freshly written snapshot file, mapped read-only: a snapshot's state
     * is not copied into the heap. The mapping outlives the channel; the log unmaps it when a newer
     * snapshot replaces it.
     */
    static MappedByteBuffer mapState(final Path file, final int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, LogFormat.SNAPSHOT_HEADER_BYTES, length);
        } catch (final IOException ex) {
            throw new IOException(file + ": cannot map the snapshot's " + length + " state bytes: " + ex, ex);
        }
    }

    /** The CRC of a snapshot being written: the header's zxid, digest and length fields, then the state. */
    private static int crc(final ByteBuffer header, final ByteBuffer body) {
        final CRC32C crc = new CRC32C();
        header.clear().position(LogFormat.SNAPSHOT_ZXID_OFFSET).limit(LogFormat.SNAPSHOT_CRC_OFFSET);
        crc.update(header);
        crc.update(body.duplicate().clear());
        return (int)crc.getValue();
    }
}
