package io.electionbench.transport.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;

/**
 * Netty's default estimator, except that a {@link FileRegion} counts its bytes still to be sent
 * instead of 0, so snapshot chunks sent from the file count towards the write buffer water marks
 * ({@link PeerTransport#WATER_MARK}) and the link's pending-bytes cap like the copied ones did.
 * Stateless, shared by every channel.
 */
final class QuorumSizeEstimator implements MessageSizeEstimator, MessageSizeEstimator.Handle {
    static final QuorumSizeEstimator INSTANCE = new QuorumSizeEstimator();
    /** What Netty's default estimator assumes for a message it does not know. */
    private static final int UNKNOWN_SIZE = 8;

    private QuorumSizeEstimator() {
    }

    @Override
    public Handle newHandle() {
        return this;
    }

    @Override
    public int size(final Object msg) {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf)msg).readableBytes();
        }
        if (msg instanceof FileRegion) {
            final FileRegion region = (FileRegion)msg;
            return (int)Math.min(Integer.MAX_VALUE, region.count() - region.transferred());
        }
        if (msg instanceof ByteBufHolder) {
            return ((ByteBufHolder)msg).content().readableBytes();
        }
        return UNKNOWN_SIZE;
    }
}
