package io.electionbench.core.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A window onto a stretch of one file, filled by positional reads into a direct buffer: how recovery checks
 * segments and snapshots record by record without holding a whole file in memory. It holds
 * {@value #INITIAL_BYTES} bytes and grows only to hold the largest single range asked for (a record, so at
 * most a record header plus {@code maxPayloadBytes}), never to the file's size.
 * <p>
 * Reads, not a mapping: a read that fails (EIO, or a file cut short meanwhile) is an {@link IOException}
 * naming the file and the offset. A mapped page that cannot be read raises SIGBUS instead, which the JVM reports
 * as an {@link InternalError} in its Unsafe reads but dies of inside the CRC32C intrinsic (JDK 17, a mapping of
 * a file truncated under it). Single thread; {@link #close()} frees the buffer.
 */
final class FileWindow implements AutoCloseable {
    static final int INITIAL_BYTES = 1 << 20;

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuffer buffer;
    private Path path;
    private FileChannel channel;
    private long fileSize;
    /** The file offset of the window's first byte, and how many bytes from there it holds. */
    private long start;
    private int length;

    FileWindow() {
        allocate(INITIAL_BYTES);
    }

    /** Reads {@code channel}, the file at {@code path} that was {@code fileSize} bytes long, from now on. */
    void reset(final Path path, final FileChannel channel, final long fileSize) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.start = 0;
        this.length = 0;
    }

    /**
     * Makes bytes {@code [position, position + count)} of the file present and returns where they start in
     * {@link #view()} and {@link #buffer()}. The caller has checked that they lie within the file. What an
     * earlier call made present stays there only until the next call.
     *
     * @throws IOException naming the file and offset when a read fails or the file has become shorter
     */
    int load(final long position, final int count) throws IOException {
        if (position >= start && position + count <= start + length) {
            return (int)(position - start);
        }
        if (count > buffer.capacity()) {
            allocate(count);
        }
        fill(position, (int)Math.min(buffer.capacity(), fileSize - position));
        return 0;
    }

    /** The window's bytes; the same object for the window's life, rewrapped when it grows. */
    UnsafeBuffer view() {
        return view;
    }

    /** The window's bytes as a ByteBuffer (for CRC32C), whose position and limit are the caller's to move. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes the window holds before it must grow: the most one {@link #load} covers without growing. */
    int capacity() {
        return buffer.capacity();
    }

    private void fill(final long position, final int count) throws IOException {
        length = 0;
        buffer.clear().limit(count);
        long at = position;
        while (buffer.hasRemaining()) {
            final int read;
            try {
                read = channel.read(buffer, at);
            } catch (final IOException ex) {
                throw new IOException(path + ": cannot read at byte offset " + at + ": " + ex, ex);
            }
            if (read < 0) {
                throw new IOException(path + ": ends at byte offset " + at + " while being read, but was " + fileSize
                    + " bytes when recovery began");
            }
            at += read;
        }
        start = position;
        length = count;
    }

    private void allocate(final int capacity) {
        if (buffer != null) {
            BufferUtil.free(buffer);
        }
        buffer = ByteBuffer.allocateDirect(capacity);
        view.wrap(buffer);
        length = 0;
    }

    @Override
    public void close() {
        if (buffer != null) {
            view.wrap(0, 0);
            BufferUtil.free(buffer);
            buffer = null;
        }
    }
}
