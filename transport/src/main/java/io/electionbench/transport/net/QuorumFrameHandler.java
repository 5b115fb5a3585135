package io.electionbench.transport.net;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * The adapter of an established quorum connection from a peer: each frame is checked whole
 * ({@link QuorumMessageCodec}; a RECORDS batch record by record, CRCs included) before any of it
 * reaches the agent, and a bad one closes the connection, since both ends are electionbench programs.
 *
 * <p>Back-pressure: a quorum message is never dropped. When the agent's ring is full the frame stays
 * in the cumulation buffer, reading pauses ({@code autoRead} off) and delivery is retried from the
 * event loop every {@value #RETRY_DELIVERY_US} µs; reading resumes once everything buffered has been
 * delivered. A RECORDS batch that fills the ring part-way resumes at the record it stopped at.
 * docs/transport.md, "Quorum port".
 */
final class QuorumFrameHandler extends PeerFrameHandler {
    static final String NAME = "quorum-frames";
    /** How soon a frame that found the agent's ring full is offered again. */
    static final long RETRY_DELIVERY_US = 50;
    private static final Logger LOG = LoggerFactory.getLogger(QuorumFrameHandler.class);

    private final QuorumMessageCodec quorumMessage = new QuorumMessageCodec();
    private final ByteBufView payloadView = new ByteBufView();
    private final Runnable retryTask = this::retryDelivery;
    private final QuorumLink quorumLink;
    /** Bytes into the records of the RECORDS frame being delivered that are on the ring ({@link #offerToAgent}). */
    private int recordsOffered;
    /**
     * The frame at the head of the cumulation was decoded and checked into {@link #quorumMessage} and found
     * the ring full: its retries deliver it without checking it again.
     */
    private boolean isHeldFrameChecked;
    private boolean isPaused;

    QuorumFrameHandler(final PeerTransport transport, final QuorumLink link) {
        super(transport, link);
        this.quorumLink = link;
    }

    /** Any byte from the peer shows it speaks our protocol ({@link QuorumLink#onPeerBytes}). */
    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception {
        if (msg instanceof ByteBuf && ((ByteBuf)msg).isReadable()) {
            quorumLink.onPeerBytes();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    boolean isHeld() {
        return isPaused;
    }

    /** @return false if the ring is full: reading is paused and the frame must stay unconsumed */
    @Override
    boolean onFrame(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int length) {
        final WireError error;
        if (isHeldFrameChecked) {
            quorumMessage.moveTo(index);
            error = WireError.NONE;
        } else {
            error = checkQuorumFrame(in, index, length);
        }
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing quorum link with {}: {} (type {}){}", transport.name(), link.peerSid(),
                    error.description(), length >= QuorumMessageCodec.HEADER_LENGTH
                        ? in.getUnsignedShort(index + QuorumMessageCodec.TYPE_OFFSET) : -1, suffix);
            }
            close(ctx);
            return true;
        }
        if (!offerToAgent(in)) {
            isHeldFrameChecked = true;
            pause(ctx);
            return false;
        }
        isHeldFrameChecked = false;
        transport.counters().increment(TransportCounters.QUORUM_RECEIVED);
        hasOffered = true;
        return true;
    }

    /** Decodes into {@link #quorumMessage}; also refuses client types and payloads the agent's ring can never take. */
    private WireError checkQuorumFrame(final ByteBuf in, final int index, final int length) {
        final WireError error = quorumMessage.decode(in, index, length);
        if (error != WireError.NONE) {
            return error;
        }
        if (!QuorumInbound.isPeerType(quorumMessage.type())) {
            return WireError.UNKNOWN_TYPE;
        }
        return QuorumInbound.fitsRing(transport.ring(), quorumMessage) ? WireError.NONE : WireError.BAD_MESSAGE_LENGTH;
    }

    /**
     * Hands the frame just decoded into {@link #quorumMessage} to the agent's ring. A RECORDS batch goes
     * record by record, each as a PROPOSAL; when the ring fills part-way, {@link #recordsOffered}
     * remembers how far it got, and the retry of the same frame (it stays in the cumulation, and
     * nothing else is offered meanwhile) goes on from there.
     *
     * @return false if the ring is full
     */
    private boolean offerToAgent(final ByteBuf buf) {
        if (quorumMessage.type() != QuorumMessageCodec.RECORDS) {
            return QuorumInbound.offer(transport.ring(), link.peerSid(), quorumMessage, buf, payloadView);
        }
        final int offered = QuorumInbound.offerRecords(transport.ring(), link.peerSid(), quorumMessage, buf,
            payloadView, recordsOffered);
        if (offered < quorumMessage.payloadLength()) {
            hasOffered |= offered > recordsOffered;
            recordsOffered = offered;
            return false;
        }
        recordsOffered = 0;
        transport.counters().increment(TransportCounters.RECORD_BATCHES_RECEIVED);
        return true;
    }

    /** The ring is full: stop reading and retry shortly (the unconsumed frame stays in the cumulation). */
    private void pause(final ChannelHandlerContext ctx) {
        isPaused = true;
        transport.counters().increment(TransportCounters.INBOUND_PAUSED);
        ctx.channel().config().setAutoRead(false);
        hasOffered = true;
        try {
            ctx.executor().schedule(retryTask, RETRY_DELIVERY_US, TimeUnit.MICROSECONDS);
        } catch (final RejectedExecutionException ignored) {
            // Closing: the connection goes with the event loop.
        }
    }

    /**
     * Offers what the cumulation holds again, through {@code ByteToMessageDecoder}'s own read path (an
     * empty read), so its buffer bookkeeping stays right; resumes reading once nothing is left waiting.
     */
    private void retryDelivery() {
        if (!isPaused || isClosed) {
            return;
        }
        isPaused = false;
        try {
            channelRead(context, Unpooled.EMPTY_BUFFER);
        } catch (final Exception ex) {
            exceptionCaught(context, ex);
            return;
        }
        if (!isPaused && !isClosed) {
            context.channel().config().setAutoRead(true);
        }
        wakeAgentIfOffered();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception {
        if (isPaused) {
            // ByteToMessageDecoder would call read() because autoRead is off and it produced nothing:
            // that is exactly the reading a pause must stop.
            wakeAgentIfOffered();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }
}
