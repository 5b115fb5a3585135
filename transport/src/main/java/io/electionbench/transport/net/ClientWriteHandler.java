package io.electionbench.transport.net;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The adapter and publisher of one write client's connection on the quorum port, once its handshake
 * is done ({@link HandshakeHandler} hands the connection over). Event loop, except
 * {@link #onResult}.
 *
 * <p>Inbound: each WRITE frame is decoded in place and offered to the agent's ring with a request id
 * of this connection's {@link WriteRouter} slot and the client's sequence; a payload above
 * {@link MemberAgent#MAX_WRITE_BYTES} is answered TOO_LARGE, and a full ring, more than
 * {@link #MAX_OUTSTANDING} unanswered writes on this connection or more than
 * {@link ClientResults#MAX_OUTSTANDING} on the node BUSY, at once. Any other type, a bad length or a
 * bad sequence closes the connection (counted as a bad frame).
 *
 * <p>Outbound: the agent thread calls {@link #onResult} (this is the connection's
 * {@link WriteRouter.Sink}), which hands the outcome to the transport's {@link ClientResults}; its
 * drain on the event loop calls {@link #onAnswer} and then {@link #flushBatch} once. Answers given by
 * the transport itself join the same batch during a read. The batch is a pooled buffer taken at the
 * first answer and given back at each flush, so an idle connection holds no buffer at all. While
 * the client does not read its answers (the channel is not writable) this connection stops reading;
 * writability resumes it.
 *
 * <p>Deadline: a client must finish a frame within {@code handshakeTimeoutMs} of its handshake, and
 * once it has started a frame, finish it within that time; otherwise it is closed
 * ({@link RefuseReason#CLIENT_FRAME_TIMEOUT}). A client that has sent a whole frame may then stay
 * idle. (ZooKeeper closes a connection without a session after
 * {@code zookeeper.nio.sessionlessCnxnTimeout}, {@code NIOServerCnxnFactory.configure}.)
 */
final class ClientWriteHandler extends ByteToMessageDecoder implements WriteRouter.Sink {
    static final String NAME = "client-writes";
    /** Unanswered writes a connection may have in the agent; more are answered BUSY at once. */
    static final int MAX_OUTSTANDING = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(ClientWriteHandler.class);

    private final PeerTransport transport;
    private final WriteRouter router;
    private final RingBuffer ring;
    private final ClientResults results;
    private final QuorumMessageCodec message = new QuorumMessageCodec();
    private final ByteBufView payloadView = new ByteBufView();
    private final Runnable deadlineTask = this::checkFrameDeadline;
    private final long frameTimeoutNs;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> deadlineCheck;
    /** Written on the event loop before the router publishes this sink; read by the agent thread. */
    private int slot;
    private long connectionId;
    private int outstanding;
    private boolean hasOffered;
    private boolean isClosed;
    private boolean hasFrame;
    private long handedOverNs;
    /** When the frame now waiting for its rest began to arrive; 0 when no frame is partly here. */
    private long partialSinceNs;
    private ByteBuf batch;
    /** {@link ClientResults}' list of connections to flush after a drain (event loop). */
    boolean isDirty;
    ClientWriteHandler nextDirty;

    ClientWriteHandler(final PeerTransport transport, final WriteRouter router, final ClientResults results) {
        this.transport = transport;
        this.router = router;
        this.results = results;
        this.ring = transport.ring();
        this.frameTimeoutNs = TimeUnit.MILLISECONDS.toNanos(transport.config().handshakeTimeoutMs());
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        try {
            slot = router.attach(this);
        } catch (final IllegalStateException full) {
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing write client {}: {}{}", transport.name(), ctx.channel().remoteAddress(),
                    full.getMessage(), suffix);
            }
            isClosed = true;
            ctx.close();
            return;
        }
        connectionId = results.register(slot, this);
        transport.counters().increment(TransportCounters.CLIENT_CONNECTIONS);
        handedOverNs = System.nanoTime();
        // Checked twice per timeout, so a deadline is noticed at most half a timeout late.
        final long periodNs = Math.max(1, frameTimeoutNs / 2);
        deadlineCheck = ctx.executor().scheduleAtFixedRate(deadlineTask, frameTimeoutNs, periodNs,
            TimeUnit.NANOSECONDS);
        super.handlerAdded(ctx);
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx) {
        detach();
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    /** The connection is done (event loop; idempotent): no more answers reach it. */
    private void detach() {
        isClosed = true;
        if (deadlineCheck != null) {
            deadlineCheck.cancel(false);
            deadlineCheck = null;
        }
        if (slot > 0) {
            router.detach(slot);
            results.unregister(slot, this, outstanding);
            outstanding = 0;
            slot = 0;
        }
    }

    long connectionId() {
        return connectionId;
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
                if (partialSinceNs == 0) {
                    partialSinceNs = System.nanoTime();
                }
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
            hasFrame = true;
            partialSinceNs = 0;
            onWrite(in);
            in.skipBytes(FrameCodec.LENGTH_FIELD + length);
        }
    }

    private void onWrite(final ByteBuf in) {
        transport.counters().increment(TransportCounters.CLIENT_WRITES);
        final long sequence = message.sequence();
        final int length = message.payloadLength();
        if (length > MemberAgent.MAX_WRITE_BYTES) {
            answer(sequence, WriteListener.TOO_LARGE, -1, transport.mySid());
        } else if (outstanding >= MAX_OUTSTANDING || !results.tryReserve()) {
            busy(sequence);
        } else if (!InboundMessages.offerWrite(ring, WriteRouter.requestId(slot, sequence),
            payloadView.wrap(in, message.payloadOffset(), length), 0, length)) {
            results.cancelReservation();
            busy(sequence);
        } else {
            outstanding++;
            hasOffered = true;
        }
    }

    private void busy(final long sequence) {
        transport.counters().increment(TransportCounters.CLIENT_WRITES_BUSY);
        answer(sequence, WriteListener.BUSY, -1, transport.mySid());
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

    /** Closes a client that finished no frame in time, or left one unfinished for too long (see the class comment). */
    private void checkFrameDeadline() {
        if (isClosed) {
            return;
        }
        final long nowNs = System.nanoTime();
        final boolean isSilent = !hasFrame && nowNs - handedOverNs >= frameTimeoutNs;
        final boolean isStuck = partialSinceNs != 0 && nowNs - partialSinceNs >= frameTimeoutNs;
        if (!isSilent && !isStuck) {
            return;
        }
        transport.counters().refused(RefuseReason.CLIENT_FRAME_TIMEOUT);
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.warn("{}: closing write client {}: {} within {} ms{}", transport.name(),
                context.channel().remoteAddress(), isSilent ? "no whole frame" : "a frame left unfinished",
                transport.config().handshakeTimeoutMs(), suffix);
        }
        isClosed = true;
        context.close();
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
        detach();
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
            transport.connectionFailed(LOG, "write client connection", ctx.channel(), QuorumHeaderCodec.CLIENT_SID,
                cause);
        }
        isClosed = true;
        ctx.close();
    }

    // ------------------------------------------------------------------------------------------------
    // Outbound

    /** Agent thread: one write's outcome, handed to {@link ClientResults}. Never blocks. */
    @Override
    public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
        results.offer(slot, connectionId, sequence, status, zxid, leaderSid);
    }

    /** Event loop, from {@link ClientResults}' drain: the agent's answer to one of this connection's writes. */
    void onAnswer(final long sequence, final int status, final long zxid, final long leaderSid) {
        outstanding--;
        answer(sequence, status, zxid, leaderSid);
    }

    private void answer(final long sequence, final int status, final long zxid, final long leaderSid) {
        if (isClosed) {
            return;
        }
        if (batch == null) {
            batch = context.alloc()
                .directBuffer(QuorumMessageCodec.frameLength(QuorumMessageCodec.RESULT_LENGTH, 0) * 16);
        }
        QuorumMessageCodec.encodeResult(batch, sequence, status, zxid, leaderSid);
    }

    /** Writes and flushes the answers batched so far (event loop). */
    void flushBatch() {
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
