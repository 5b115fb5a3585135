package io.electionbench.transport.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One log file held open for zero-copy sends: a reference-counted {@link FileChannel}. The publisher
 * holds one reference while it may send more from the file (the log's snapshot, or a recently used
 * segment), and every queued {@link FileFrameRegion} holds one until Netty has written or dropped it;
 * the channel closes with the last. So a newer snapshot that deletes or renames over the file, or a
 * compaction that deletes a segment, cannot break a transfer in flight: the open channel keeps
 * reading the old inode.
 *
 * <p>Retained on the agent thread, released on the agent thread or the event loop (atomic counts).
 */
final class SharedFile extends AbstractReferenceCounted {
    private static final Logger LOG = LoggerFactory.getLogger(SharedFile.class);

    private final Path file;
    private final FileChannel channel;

    private SharedFile(final Path file, final FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens {@code file} for reading, checking that it holds at least {@code minBytes}.
     *
     * @throws IOException if it cannot be opened or is shorter (the message names the file)
     */
    static SharedFile open(final Path file, final long minBytes) throws IOException {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            final long size = channel.size();
            if (size < minBytes) {
                throw new IOException(file + " holds " + size + " bytes, " + minBytes + " are needed");
            }
        } catch (final IOException ex) {
            channel.close();
            throw ex;
        }
        return new SharedFile(file, channel);
    }

    /** True if this is the file the log names by this {@code Path} object (the log keeps one per file). */
    boolean isFile(final Path file) {
        return this.file == file;
    }

    /** The open channel, retained once more for a region that will release it. */
    FileChannel retainChannel() {
        retain();
        return channel;
    }

    /** The open channel, for a read while the caller holds a reference. */
    FileChannel channel() {
        return channel;
    }

    Path file() {
        return file;
    }

    /** For tests: whether the channel is still open. */
    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    protected void deallocate() {
        try {
            channel.close();
        } catch (final IOException ex) {
            LOG.warn("cannot close {}: {}", file, ex.toString());
        }
    }

    @Override
    public ReferenceCounted touch(final Object hint) {
        return this;
    }
}
