package io.electionbench.transport.net;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The adapter of an established peer connection (the handshake is done and {@link HandshakeHandler}
 * has put this in its place): length-framed messages decoded in place from the cumulation buffer,
 * with {@code ByteBuf} getters, and handed to the agent's ring; the agent is unparked once per read
 * batch. Nothing is copied, sliced or allocated per frame. A bad length closes the connection (as
 * ZooKeeper's {@code RecvWorker} does); what a frame means is the subclass's:
 * {@link ElectionFrameHandler}, {@link QuorumFrameHandler}.
 *
 * <p>A connection's close or failure ends here: the link hears of the close ({@link PeerLink#onClosed}),
 * and an exception is counted as {@code connections_failed{reason}} with a rate-limited WARN line.
 */
abstract class PeerFrameHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFrameHandler.class);

    final PeerTransport transport;
    final PeerLink link;
    ChannelHandlerContext context;
    boolean isClosed;
    /** Something was offered to the agent since it was last unparked. */
    boolean hasOffered;

    PeerFrameHandler(final PeerTransport transport, final PeerLink link) {
        this.transport = transport;
        this.link = link;
    }

    /**
     * Hands one whole frame's payload ({@code length} bytes at {@code index} of {@code in}) to the agent.
     *
     * @return false to leave the frame where it is (not consumed) and stop decoding for now
     */
    abstract boolean onFrame(ChannelHandlerContext ctx, ByteBuf in, int index, int length);

    /** True while decoding must wait (a quorum link whose agent ring is full). */
    boolean isHeld() {
        return false;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        while (in.isReadable() && !isClosed && !isHeld()) {
            final int index = in.readerIndex();
            final WireError framing = FrameCodec.peek(in, index, in.readableBytes());
            if (framing == WireError.INCOMPLETE) {
                return;
            }
            if (framing != WireError.NONE) {
                transport.counters().badFrame(framing);
                final String suffix = transport.hostileWarnSuffix();
                if (suffix != null) {
                    LOG.warn("{}: closing {} link with {}: {} ({}){}", transport.name(), link.kind(), link.peerSid(),
                        framing.description(), in.getInt(index), suffix);
                }
                close(ctx);
                break;
            }
            final int length = in.getInt(index);
            if (!onFrame(ctx, in, index + FrameCodec.LENGTH_FIELD, length)) {
                return;
            }
            if (!isClosed) {
                in.skipBytes(FrameCodec.LENGTH_FIELD + length);
            }
        }
        if (isClosed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Takes the bytes past the last whole frame in the cumulation, so that a handler put in front of
     * this one ({@link FaultHandler#install}) starts on a frame boundary: it gets these bytes first and
     * everything that arrives after them. Whole frames stay here (a paused quorum link keeps them).
     * Null when nothing but whole frames is buffered, or the framing is already broken (this handler
     * closes the connection at its next decode). Event loop; allocates one buffer.
     */
    final ByteBuf takePartialFrame() {
        final ByteBuf cumulation = internalBuffer();
        int cursor = cumulation.readerIndex();
        WireError framing;
        while ((framing = FrameCodec.peek(cumulation, cursor, cumulation.writerIndex() - cursor)) == WireError.NONE) {
            cursor += FrameCodec.LENGTH_FIELD + cumulation.getInt(cursor);
        }
        final int partial = cumulation.writerIndex() - cursor;
        if (framing != WireError.INCOMPLETE || partial == 0) {
            return null;
        }
        final ByteBuf tail = context.alloc().buffer(partial).writeBytes(cumulation, cursor, partial);
        cumulation.writerIndex(cursor);
        return tail;
    }

    /** For tests: the bytes waiting in the cumulation (event loop). */
    final int bufferedBytes() {
        return internalBuffer().readableBytes();
    }

    void wakeAgentIfOffered() {
        if (hasOffered) {
            hasOffered = false;
            transport.wakeAgent();
        }
    }

    void close(final ChannelHandlerContext ctx) {
        isClosed = true;
        ctx.close();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception {
        wakeAgentIfOffered();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        isClosed = true;
        link.onClosed(ctx.channel());
        super.channelInactive(ctx);
    }

    /**
     * An exception closes the connection, never silently: a reset, a TLS error, a handler bug is
     * {@code connections_failed{reason}} and a rate-limited WARN line. After the handler closed the
     * connection itself, what follows is a consequence and only debugged.
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (isClosed) {
            LOG.debug("{}: {} link with {} failed after closing: {}", transport.name(), link.kind(), link.peerSid(),
                cause.toString());
            return;
        }
        transport.connectionFailed(LOG, link.kind() + " link", ctx.channel(), link.peerSid(), cause);
        close(ctx);
    }
}
