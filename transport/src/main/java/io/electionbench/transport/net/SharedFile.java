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
 * One snapshot file held open for zero-copy sends: a reference-counted {@link FileChannel}. The
 * publisher holds one reference while the log names this file as its snapshot, and every queued
 * {@link SnapshotChunkRegion} holds one until Netty has written or dropped it; the channel closes with
 * the last. So a newer snapshot that deletes or renames over the file cannot break a transfer in
 * flight: the open channel keeps reading the old inode.
 *
 * <p>Retained on the agent thread, released on the agent thread or the event loop (atomic counts).
 */
final class SnapshotFileSource extends AbstractReferenceCounted {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFileSource.class);

    private final Path file;
    private final long zxid;
    private final FileChannel channel;

    private SnapshotFileSource(final Path file, final long zxid, final FileChannel channel) {
        this.file = file;
        this.zxid = zxid;
        this.channel = channel;
    }

    /**
     * Opens {@code file} for reading, checking that it holds at least {@code minBytes}.
     *
     * @throws IOException if it cannot be opened or is shorter (the message names the file)
     */
    static SnapshotFileSource open(final Path file, final long zxid, final long minBytes) throws IOException {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            final long size = channel.size();
            if (size < minBytes) {
                throw new IOException(file + " holds " + size + " bytes, the snapshot needs " + minBytes);
            }
        } catch (final IOException ex) {
            channel.close();
            throw ex;
        }
        return new SnapshotFileSource(file, zxid, channel);
    }

    /** True if this is the snapshot the log names by this {@code Path} object and zxid. */
    boolean isSnapshot(final Path file, final long zxid) {
        return this.file == file && this.zxid == zxid;
    }

    /** The open channel, retained once more for a region that will release it. */
    FileChannel retainChannel() {
        retain();
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
            LOG.warn("cannot close snapshot file {}: {}", file, ex.toString());
        }
    }

    @Override
    public ReferenceCounted touch(final Object hint) {
        return this;
    }
}
