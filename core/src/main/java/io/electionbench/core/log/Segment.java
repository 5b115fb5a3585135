package io.electionbench.core.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** One open segment file of a {@link FileTxnLog}: where its records are and what it holds. */
final class Segment implements ForcedFile {
    final Path path;
    final FileChannel channel;
    /** The zxid in the file name: its first record's. */
    final long firstZxid;
    /** Its last record's zxid. */
    long lastZxid;
    /** Bytes of valid content: the header plus whole records. */
    long size;

    Segment(final Path path, final FileChannel channel, final long firstZxid, final long lastZxid, final long size) {
        this.path = path;
        this.channel = channel;
        this.firstZxid = firstZxid;
        this.lastZxid = lastZxid;
        this.size = size;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public FileChannel channel() {
        return channel;
    }

    void closeQuietly() {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // Closing a file we are about to forget; nothing depends on it.
        }
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
