package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.ElectionAgent;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.node.WriteRouter;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The adapter and publisher of one write client's connection on the quorum port, once its handshake
 * is done ({@link PeerChannelHandler} hands the connection over). Event loop, except
 * {@link #onResult}.
 *
 * <p>Inbound: each WRITE frame is decoded in place and offered to the agent's ring with a request id
 * of this connection's {@link WriteRouter} slot and the client's sequence; a payload above
 * {@link ElectionAgent#MAX_WRITE_BYTES} is answered TOO_LARGE, and a full ring or more than
 * {@link #MAX_OUTSTANDING} unanswered writes on this connection BUSY, at once. Any other type, a bad
 * length or a bad sequence closes the connection (counted as a bad frame).
 *
 * <p>Outbound: the agent thread calls {@link #onResult} (this is the connection's
 * {@link WriteRouter.Sink}); it writes a 32-byte record into {@link #results}, a many-to-one ring,
 * and wakes the event loop with one coalesced task (this object: no lambda, no allocation per
 * result). The drain encodes every waiting RESULT into one pooled buffer and flushes once; answers
 * given by the transport itself join the same batch during a read. The outstanding bound keeps the
 * results ring from ever filling. Record layout (native order, never leaves the process):
 * <pre>
 * RESULT  sequence:long status:int pad:int zxid:long leaderSid:long
 * </pre>
 * While the client does not read its answers (the channel is not writable) this connection stops
 * reading; writability resumes it.
 */
final class ClientWriteHandler extends ByteToMessageDecoder implements WriteRouter.Sink, Runnable, MessageHandler {
    /** Unanswered writes a connection may have in the agent; more are answered BUSY at once. */
    static final int MAX_OUTSTANDING = 4096;
    private static final int RESULT_RECORD = 1;
    private static final int RECORD_LENGTH = 32;
    /** Holds MAX_OUTSTANDING records of 32 bytes plus Agrona's 8-byte header each. */
    private static final int RESULTS_RING_BYTES = 256 * 1024;
    private static final int DRAIN_LIMIT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ClientWriteHandler.class);
    private static final AtomicIntegerFieldUpdater<ClientWriteHandler> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(ClientWriteHandler.class, "wakePending");

    private final PeerTransport transport;
    private final WriteRouter router;
    private final RingBuffer ring;
    private final RingBuffer results = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(RESULTS_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final QuorumMessageCodec message = new QuorumMessageCodec();
    private final ByteBufView payloadView = new ByteBufView();
    private volatile int wakePending;
    private ChannelHandlerContext context;
    private EventLoop eventLoop;
    private int slot;
    private int outstanding;
    private boolean hasOffered;
    private boolean isClosed;
    private ByteBuf batch;

    ClientWriteHandler(final PeerTransport transport, final WriteRouter router) {
        this.transport = transport;
        this.router = router;
        this.ring = transport.ring();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        eventLoop = ctx.channel().eventLoop();
        try {
            slot = router.attach(this);
        } catch (final IllegalStateException full) {
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing write client {}: {}{}", transport.name(), ctx.channel().remoteAddress(), full.getMessage(), suffix);
            }
            isClosed = true;
            ctx.close();
            return;
        }
        transport.counters().increment(TransportCounters.CLIENT_CONNECTIONS);
        super.handlerAdded(ctx);
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx) {
        isClosed = true;
        if (slot > 0) {
            router.detach(slot);
            slot = 0;
        }
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Inbound

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        while (!isClosed && in.isReadable()) {
            if (!ctx.channel().isWritable()) {
                // The client is not reading its answers: stop reading until it does.
                ctx.channel().config().setAutoRead(false);
                return;
            }
            final int index = in.readerIndex();
            final WireError framing = FrameCodec.peek(in, index, in.readableBytes());
            if (framing == WireError.INCOMPLETE) {
                return;
            }
            if (framing != WireError.NONE) {
                reject(ctx, framing, in.getInt(index));
                return;
            }
            final int length = in.getInt(index);
            final WireError error = message.decode(in, index + FrameCodec.LENGTH_FIELD, length);
            if (error != WireError.NONE || message.type() != QuorumMessageCodec.WRITE) {
                reject(ctx, error == WireError.NONE ? WireError.UNKNOWN_TYPE : error, length);
                return;
            }
            onWrite(in);
            in.skipBytes(FrameCodec.LENGTH_FIELD + length);
        }
    }

    private void onWrite(final ByteBuf in) {
        transport.counters().increment(TransportCounters.CLIENT_WRITES);
        final long sequence = message.sequence();
        final int length = message.payloadLength();
        if (length > ElectionAgent.MAX_WRITE_BYTES) {
            answer(sequence, WriteListener.TOO_LARGE, -1, transport.mySid());
        } else if (outstanding >= MAX_OUTSTANDING || !InboundMessages.offerWrite(ring, WriteRouter.requestId(slot, sequence),
            payloadView.wrap(in, message.payloadOffset(), length), 0, length)) {
            transport.counters().increment(TransportCounters.CLIENT_WRITES_BUSY);
            answer(sequence, WriteListener.BUSY, -1, transport.mySid());
        } else {
            outstanding++;
            hasOffered = true;
        }
    }

    private void reject(final ChannelHandlerContext ctx, final WireError error, final int detail) {
        transport.counters().badFrame(error);
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.warn("{}: closing write client {}: {} ({}){}", transport.name(), ctx.channel().remoteAddress(),
                error.description(), detail, suffix);
        }
        isClosed = true;
        ctx.close();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception {
        if (hasOffered) {
            hasOffered = false;
            transport.wakeAgent();
        }
        flushBatch();
        if (!ctx.channel().config().isAutoRead()) {
            // ByteToMessageDecoder would call read() because autoRead is off and it produced nothing:
            // the reading a pause must stop.
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        isClosed = true;
        if (slot > 0) {
            router.detach(slot);
            slot = 0;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && !ctx.channel().config().isAutoRead() && !isClosed) {
            ctx.channel().config().setAutoRead(true);
            // Frames already buffered are not read again by the socket: decode them now.
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (!isClosed) {
            transport.connectionFailed(LOG, "write client connection", ctx.channel(), QuorumHeaderCodec.CLIENT_SID, cause);
        }
        isClosed = true;
        ctx.close();
    }

    // ------------------------------------------------------------------------------------------------
    // Outbound

    /** Agent thread: one write's outcome. Never blocks; the outstanding bound guarantees ring space. */
    @Override
    public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
        final int index = results.tryClaim(RESULT_RECORD, RECORD_LENGTH);
        if (index <= 0) {
            return;
        }
        final MutableDirectBuffer buffer = results.buffer();
        buffer.putLong(index, sequence);
        buffer.putInt(index + 8, status);
        buffer.putInt(index + 12, 0);
        buffer.putLong(index + 16, zxid);
        buffer.putLong(index + 24, leaderSid);
        results.commit(index);
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                eventLoop.execute(this);
            } catch (final RejectedExecutionException ignored) {
                // The node is closing; the connection goes with it.
            }
        }
    }

    /** The coalesced drain: clear the flag first (volatile), then encode every waiting result and flush once. */
    @Override
    public void run() {
        WAKE.set(this, 0);
        int read = results.read(this, DRAIN_LIMIT);
        if (read < DRAIN_LIMIT) {
            // A read stops at the ring's end: when the records wrap, the rest is at the start, and
            // otherwise waits for the next result's wake-up.
            read += results.read(this, DRAIN_LIMIT - read);
        }
        flushBatch();
        if (read == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        outstanding--;
        answer(buffer.getLong(index), buffer.getInt(index + 8), buffer.getLong(index + 16), buffer.getLong(index + 24));
    }

    private void answer(final long sequence, final int status, final long zxid, final long leaderSid) {
        if (isClosed) {
            return;
        }
        if (batch == null) {
            batch = context.alloc().directBuffer(QuorumMessageCodec.frameLength(QuorumMessageCodec.RESULT_LENGTH, 0) * 16);
        }
        QuorumMessageCodec.encodeResult(batch, sequence, status, zxid, leaderSid);
    }

    private void flushBatch() {
        final ByteBuf out = batch;
        if (out == null) {
            return;
        }
        batch = null;
        final Channel ch = context.channel();
        if (isClosed) {
            out.release();
            return;
        }
        ch.writeAndFlush(out, ch.voidPromise());
    }
}
