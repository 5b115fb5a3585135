package io.electionbench.transport.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;

/**
 * One quorum frame whose trailing bytes stay in a file: the encoded frame header (a pooled buffer,
 * everything before those bytes) and a {@link DefaultFileRegion} over them, queued on a quorum link as
 * one entry so they are always written, dropped or delayed together. Used for SNAPSHOT_CHUNK (bytes of
 * the snapshot file) and RECORDS (records of a log segment). A {@code DefaultFileRegion} (not any
 * {@code FileRegion}) because that is what Netty's epoll transport sends with sendfile(2); NIO uses
 * {@code FileChannel.transferTo}, which does the same.
 *
 * <p>The region shares its {@link SharedFile}'s channel instead of owning it: releasing the region
 * releases the header if it was never handed to Netty, and one reference of the file, which closes
 * with its last reference.
 */
final class FileFrameRegion extends DefaultFileRegion {
    private final SharedFile source;
    private final long frameBytes;
    private ByteBuf header;

    /**
     * Takes ownership of {@code header} and retains {@code source} once.
     *
     * @param filePosition where the trailing bytes start in the file
     */
    FileFrameRegion(final SharedFile source, final ByteBuf header, final long filePosition, final int length) {
        super(source.retainChannel(), filePosition, length);
        this.source = source;
        this.header = header;
        this.frameBytes = (long)header.readableBytes() + length;
    }

    /** Header and file bytes: what the frame adds to the link's pending bytes. */
    long frameBytes() {
        return frameBytes;
    }

    /** Hands the header over (to Netty, which writes and releases it); the region no longer owns it. */
    ByteBuf takeHeader() {
        final ByteBuf taken = header;
        header = null;
        return taken;
    }

    @Override
    protected void deallocate() {
        final ByteBuf unsent = header;
        header = null;
        if (unsent != null) {
            unsent.release();
        }
        source.release();
    }
}
