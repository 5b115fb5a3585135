package io.electionbench.transport.net;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Injected link faults as a handler of their own, beside the normal path: it is in a peer connection's
 * pipeline only once faults are enabled ({@link PeerTransport#enableFaults()}), between TLS and the
 * frame handler, so the decoders and links never look at faults (Aeron keeps loss the same way, in its
 * {@code DebugReceiveChannelEndpoint} and {@code LossGenerator}). It applies what {@link FaultFilter}
 * says about its peer, frame by frame, both ways:
 * <ul>
 * <li>isolated: frames are dropped and released, the connection stays up (a silent partition);</li>
 * <li>deafened to: inbound frames are dropped, outbound ones pass (a one-way cut);</li>
 * <li>slow: frames are held, inbound as copies, and passed on after the delay, never before a frame held
 * earlier, so the stream keeps its order while the delay changes or heals;</li>
 * <li>otherwise inbound frames pass as one retained slice per read, outbound writes as they are.</li>
 * </ul>
 * A file chunk is written as its header, then its {@link FileRegion}: the region always shares the fate
 * of the write before it, its header, so a fault drops or delays the two together. Allocates (copies,
 * slices, holders); faults only. docs/transport.md, "Pipeline and links".
 */
final class FaultHandler extends ByteToMessageDecoder implements ChannelOutboundHandler {
    static final String NAME = "faults";
    private static final int PASS = 0;
    private static final int DROP = 1;
    private static final int HOLD = 2;

    private final FaultFilter faults;
    private final TransportCounters counters;
    private final int peerIndex;
    private final boolean isQuorum;
    private final ArrayDeque<Held> heldInbound = new ArrayDeque<>();
    private final ArrayDeque<Held> heldOutbound = new ArrayDeque<>();
    private final Runnable deliverTask = this::deliverDue;
    private final Runnable writeTask = this::writeDue;
    private ChannelHandlerContext context;
    private boolean isDeliverScheduled;
    private boolean isWriteScheduled;
    private long lastInboundDueNs;
    private long lastOutboundDueNs;
    private int lastWriteAction = PASS;
    /** A bad frame length was seen: everything passes from there on, and the frame handler closes the link. */
    private boolean isFramingLost;

    FaultHandler(final PeerTransport transport, final PeerLink link) {
        this.faults = transport.faults();
        this.counters = transport.counters();
        this.peerIndex = link.peerIndex();
        this.isQuorum = link.kind() == PortKind.QUORUM;
    }

    /**
     * Puts a fault handler in front of {@code link}'s frame handler on the established channel
     * {@code ch} (event loop), unless one is there. The frame handler keeps the whole frames it holds
     * and gives up the partial one after them, which this handler then reads first, so it starts on a
     * frame boundary.
     */
    static void install(final PeerTransport transport, final PeerLink link, final Channel ch) {
        final ChannelPipeline pipeline = ch.pipeline();
        final ChannelHandlerContext frames = pipeline.context(link.frameHandlerName());
        if (frames == null || pipeline.get(NAME) != null || ((PeerFrameHandler)frames.handler()).isClosed) {
            return;
        }
        final ByteBuf partial = ((PeerFrameHandler)frames.handler()).takePartialFrame();
        final FaultHandler handler = new FaultHandler(transport, link);
        pipeline.addBefore(frames.name(), NAME, handler);
        if (partial != null) {
            try {
                handler.channelRead(pipeline.context(NAME), partial);
            } catch (final Exception ex) {
                pipeline.fireExceptionCaught(ex);
            }
        }
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    // ------------------------------------------------------------------------------------------------
    // Inbound

    private int inboundAction() {
        if (faults.isDroppedInbound(peerIndex)) {
            return DROP;
        }
        return faults.delayMs(peerIndex) > 0 || !heldInbound.isEmpty() ? HOLD : PASS;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        if (isFramingLost) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        int cursor = in.readerIndex();
        int passFrom = cursor;
        WireError framing;
        while ((framing = FrameCodec.peek(in, cursor, in.writerIndex() - cursor)) == WireError.NONE) {
            final int frameBytes = FrameCodec.LENGTH_FIELD + in.getInt(cursor);
            final int action = inboundAction();
            if (action != PASS) {
                pass(in, passFrom, cursor, out);
                if (action == DROP) {
                    dropped();
                } else {
                    holdInbound(ctx, in, cursor, frameBytes);
                }
                passFrom = cursor + frameBytes;
            }
            cursor += frameBytes;
        }
        if (framing != WireError.INCOMPLETE) {
            isFramingLost = true;
            cursor = in.writerIndex();
        }
        pass(in, passFrom, cursor, out);
        in.readerIndex(cursor);
    }

    private static void pass(final ByteBuf in, final int from, final int to, final List<Object> out) {
        if (to > from) {
            out.add(in.retainedSlice(from, to - from));
        }
    }

    private void dropped() {
        counters.increment(TransportCounters.FAULT_DROPPED);
        if (isQuorum) {
            faults.quorumFrameDropped(peerIndex);
        }
    }

    private void holdInbound(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int frameBytes) {
        lastInboundDueNs = dueNs(lastInboundDueNs);
        final ByteBuf copy = ctx.alloc().buffer(frameBytes).writeBytes(in, index, frameBytes);
        heldInbound.add(new Held(lastInboundDueNs, copy, null));
        if (!isDeliverScheduled) {
            isDeliverScheduled = schedule(deliverTask, lastInboundDueNs);
        }
    }

    /** Passes the held inbound frames that are due on to the frame handler, in order. */
    private void deliverDue() {
        isDeliverScheduled = false;
        boolean hasDelivered = false;
        Held head;
        while ((head = heldInbound.peek()) != null) {
            if (head.dueNs - System.nanoTime() > 0) {
                isDeliverScheduled = schedule(deliverTask, head.dueNs);
                break;
            }
            heldInbound.poll();
            hasDelivered = true;
            context.fireChannelRead(head.message);
        }
        if (hasDelivered) {
            context.fireChannelReadComplete();
        }
    }

    /**
     * Never asks for a read itself: with {@code autoRead} off, a quorum frame handler has paused the
     * connection until its agent catches up, and resumes it (ByteToMessageDecoder would read again
     * whenever a read produced nothing, as a dropped or held frame does).
     */
    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx) {
        releaseHeld();
    }

    // ------------------------------------------------------------------------------------------------
    // Outbound

    private int outboundAction(final Object message) {
        if (message instanceof FileRegion) {
            return lastWriteAction;
        }
        if (faults.isIsolated(peerIndex)) {
            return DROP;
        }
        return faults.delayMs(peerIndex) > 0 || !heldOutbound.isEmpty() ? HOLD : PASS;
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object message, final ChannelPromise promise) {
        final int action = outboundAction(message);
        lastWriteAction = action;
        if (action == PASS) {
            ctx.write(message, promise);
        } else if (action == DROP) {
            if (!(message instanceof FileRegion)) {
                dropped();
            }
            ReferenceCountUtil.release(message);
            promise.trySuccess();
        } else {
            lastOutboundDueNs = dueNs(lastOutboundDueNs);
            heldOutbound.add(new Held(lastOutboundDueNs, message, promise));
            if (!isWriteScheduled) {
                isWriteScheduled = schedule(writeTask, lastOutboundDueNs);
            }
        }
    }

    /** Writes the held outbound messages that are due, in order, and flushes once. */
    private void writeDue() {
        isWriteScheduled = false;
        boolean hasWritten = false;
        Held head;
        while ((head = heldOutbound.peek()) != null) {
            if (head.dueNs - System.nanoTime() > 0) {
                isWriteScheduled = schedule(writeTask, head.dueNs);
                break;
            }
            heldOutbound.poll();
            hasWritten = true;
            context.write(head.message, head.promise);
        }
        if (hasWritten) {
            context.flush();
        }
    }

    @Override
    public void flush(final ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void bind(final ChannelHandlerContext ctx, final SocketAddress localAddress, final ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(final ChannelHandlerContext ctx, final SocketAddress remoteAddress,
        final SocketAddress localAddress, final ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(final ChannelHandlerContext ctx, final ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(final ChannelHandlerContext ctx, final ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(final ChannelHandlerContext ctx, final ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void read(final ChannelHandlerContext ctx) {
        ctx.read();
    }

    // ------------------------------------------------------------------------------------------------

    /** Now plus the peer's delay, and never before {@code lastDueNs}: a held stream keeps its order. */
    private long dueNs(final long lastDueNs) {
        final long dueNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(faults.delayMs(peerIndex));
        return dueNs - lastDueNs > 0 ? dueNs : lastDueNs;
    }

    /** @return whether the task was scheduled (not when the event loop is shutting down) */
    private boolean schedule(final Runnable task, final long dueNs) {
        try {
            context.executor().schedule(task, Math.max(0, dueNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (final RejectedExecutionException closing) {
            return false;
        }
    }

    /** The connection is gone: what is held will never be delivered or written. */
    private void releaseHeld() {
        Held held;
        while ((held = heldInbound.poll()) != null) {
            ReferenceCountUtil.release(held.message);
        }
        while ((held = heldOutbound.poll()) != null) {
            ReferenceCountUtil.release(held.message);
            if (!held.promise.isVoid()) {
                held.promise.tryFailure(new ClosedChannelException());
            }
        }
    }

    /** A frame or write held by a slow-link fault until {@code dueNs}. */
    private static final class Held {
        final long dueNs;
        final Object message;
        final ChannelPromise promise;

        Held(final long dueNs, final Object message, final ChannelPromise promise) {
            this.dueNs = dueNs;
            this.message = message;
            this.promise = promise;
        }
    }
}
