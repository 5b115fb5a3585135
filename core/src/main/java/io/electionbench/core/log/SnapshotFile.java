package io.electionbench.core.log;

import static io.electionbench.core.log.LogFormat.ORDER;

import java.io.IOException;
import java.nio.ByteBuffer;
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
    final byte[] state;

    private SnapshotFile(final Path path, final long zxid, final long digest, final byte[] state) {
        this.path = path;
        this.zxid = zxid;
        this.digest = digest;
        this.state = state;
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
        void append(final DirectBuffer bytes, final int offset, final int position, final int count) throws IOException {
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

    /** Reads and checks a snapshot file; any damage is a {@link LogCorruptedException}. */
    static SnapshotFile read(final Path path, final long nameZxid) throws IOException {
        final byte[] all = Files.readAllBytes(path);
        if (all.length < LogFormat.SNAPSHOT_HEADER_BYTES) {
            throw new LogCorruptedException(path, 0, "snapshot header is truncated (" + all.length + " bytes)");
        }
        final UnsafeBuffer in = new UnsafeBuffer(all);
        if (in.getInt(0, ORDER) != LogFormat.SNAPSHOT_MAGIC || in.getInt(4, ORDER) != LogFormat.VERSION) {
            throw new LogCorruptedException(path, 0, "not a version " + LogFormat.VERSION + " snapshot (bad magic or version)");
        }
        final long zxid = in.getLong(LogFormat.SNAPSHOT_ZXID_OFFSET, ORDER);
        final int length = in.getInt(LogFormat.SNAPSHOT_LENGTH_OFFSET, ORDER);
        if (length < 0 || length != all.length - LogFormat.SNAPSHOT_HEADER_BYTES) {
            throw new LogCorruptedException(path, LogFormat.SNAPSHOT_LENGTH_OFFSET,
                "state length " + length + " does not match the file's " + (all.length - LogFormat.SNAPSHOT_HEADER_BYTES) + " bytes");
        }
        final int stored = in.getInt(LogFormat.SNAPSHOT_CRC_OFFSET, ORDER);
        final int computed = crc(ByteBuffer.wrap(all), length);
        if (stored != computed) {
            throw new LogCorruptedException(path, LogFormat.SNAPSHOT_CRC_OFFSET, "snapshot CRC mismatch (stored "
                + Integer.toHexString(stored) + ", computed " + Integer.toHexString(computed) + ")");
        }
        if (zxid != nameZxid) {
            throw new LogCorruptedException(path, LogFormat.SNAPSHOT_ZXID_OFFSET,
                "snapshot holds zxid 0x" + Long.toHexString(zxid) + " but is named for 0x" + Long.toHexString(nameZxid));
        }
        final byte[] state = new byte[length];
        in.getBytes(LogFormat.SNAPSHOT_HEADER_BYTES, state);
        return new SnapshotFile(path, zxid, in.getLong(LogFormat.SNAPSHOT_DIGEST_OFFSET, ORDER), state);
    }

    /** The CRC of a snapshot being written: the header's zxid, digest and length fields, then the state. */
    private static int crc(final ByteBuffer header, final ByteBuffer body) {
        final CRC32C crc = new CRC32C();
        header.clear().position(LogFormat.SNAPSHOT_ZXID_OFFSET).limit(LogFormat.SNAPSHOT_CRC_OFFSET);
        crc.update(header);
        crc.update(body.duplicate().clear());
        return (int)crc.getValue();
    }

    private static int crc(final ByteBuffer bytes, final int length) {
        final CRC32C crc = new CRC32C();
        bytes.clear().position(LogFormat.SNAPSHOT_ZXID_OFFSET).limit(LogFormat.SNAPSHOT_CRC_OFFSET);
        crc.update(bytes);
        bytes.clear().position(LogFormat.SNAPSHOT_HEADER_BYTES).limit(LogFormat.SNAPSHOT_HEADER_BYTES + length);
        crc.update(bytes);
        return (int)crc.getValue();
    }
}
