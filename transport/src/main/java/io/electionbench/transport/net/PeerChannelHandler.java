package io.electionbench.transport.net;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.AuthCodec;
import io.electionbench.transport.wire.ElectionHeaderCodec;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.NotificationCodec;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * The adapter for one connection on either port: handshake (connection header, optional HMAC
 * challenge-response), then length-framed messages decoded in place from the cumulation buffer and
 * handed to the agent's ring. No frame is copied or sliced and nothing is allocated per frame.
 *
 * <p>Handshake, ZooKeeper's rules on the election port: the initiator writes its header; a receiver
 * that gets a header from a smaller sid closes and dials back; a prompt from the smaller side closes
 * itself after writing its header. On the quorum port only the larger sid dials. A connection that
 * does not finish its handshake within {@link TransportConfig#handshakeTimeoutMs()} is closed.
 *
 * <p>With TLS an {@code SslHandler} sits in front of this handler and everything above runs inside
 * it: the initiator writes its header only once the TLS handshake has succeeded, and the deadline
 * covers the TLS handshake too. A failed TLS handshake (untrusted certificate, plain text on a TLS
 * port) is refused as {@link RefuseReason#TLS_HANDSHAKE_FAILED} with the JDK's reason logged.
 *
 * <p>A write client on the quorum port (its header carries {@code FLAG_CLIENT}) runs the same
 * handshake, with sid 0 and no membership checks; once open, this handler hands the connection, and
 * whatever bytes followed the handshake, to a {@link ClientWriteHandler}.
 *
 * <p>Back-pressure: an election notification that finds the agent's ring full is dropped, as in
 * ZooKeeper. A quorum message never is: the frame stays in the cumulation buffer, reading pauses
 * ({@code autoRead} off) and delivery is retried from the event loop every
 * {@value #RETRY_DELIVERY_US} µs; reading resumes once everything buffered has been delivered.
 */
final class PeerChannelHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PeerChannelHandler.class);
    private static final int MAX_REASON_CHARS = 200;
    /** How soon a quorum frame that found the agent's ring full is offered again. */
    static final long RETRY_DELIVERY_US = 50;
    /** Bytes in front of a delayed (slow-fault) frame copy: its due time. */
    private static final int DUE_FIELD = 8;

    private enum Phase { HEADER, AUTH_CHALLENGE, AUTH_PROOF, AUTH_RESPONSE, OPEN, CLOSED, HANDED_OVER }

    private final PeerTransport transport;
    private final PortKind kind;
    private final boolean isInitiator;
    private final ElectionHeaderCodec electionHeader = new ElectionHeaderCodec();
    private final QuorumHeaderCodec quorumHeader = new QuorumHeaderCodec();
    private final NotificationCodec notification = new NotificationCodec();
    private final QuorumMessageCodec quorumMessage = new QuorumMessageCodec();
    /** Bytes into the records of the RECORDS frame being delivered that are already on the ring (see {@link #offerToAgent}). */
    private int recordsOffered;
    private final ByteBufView payloadView = new ByteBufView();
    private final Runnable retryTask = this::retryDelivery;
    private final Runnable delayedTask = this::deliverDelayed;
    private ChannelHandlerContext context;
    private PeerLink link;
    private boolean isClient;
    private boolean isPaused;
    /** Slow-link fault, quorum port: copies of frames not yet due, each prefixed by its due time. */
    private ArrayDeque<ByteBuf> delayed;
    private boolean isDelayedScheduled;
    private long remoteSid = -1;
    private Phase phase = Phase.HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private boolean hasOffered;
    private byte[] nonceI;
    private byte[] nonceR;

    /** @param link the link being dialed, or null for an accepted connection */
    PeerChannelHandler(final PeerTransport transport, final PortKind kind, final PeerLink link) {
        this.transport = transport;
        this.kind = kind;
        this.link = link;
        this.isInitiator = link != null;
        if (link != null) {
            this.remoteSid = link.peerSid();
        }
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception {
        handshakeTimeout = ctx.executor().schedule(() -> onHandshakeTimeout(ctx),
            transport.config().handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
        if (isInitiator) {
            if (!transport.isTlsEnabled()) {
                startInitiator(ctx);
            }
            // With TLS the initiator speaks once the handshake succeeds (userEventTriggered).
        } else {
            transport.counters().increment(TransportCounters.CONNECTIONS_ACCEPTED);
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent) {
            onTlsHandshake(ctx, (SslHandshakeCompletionEvent)event);
        }
        super.userEventTriggered(ctx, event);
    }

    private void onTlsHandshake(final ChannelHandlerContext ctx, final SslHandshakeCompletionEvent event) {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (!event.isSuccess()) {
            // A peer that just hangs up mid-handshake is counted by channelInactive (truncated_handshake).
            if (!(event.cause() instanceof ClosedChannelException)) {
                refuseTls(ctx, event.cause());
            }
            return;
        }
        transport.counters().increment(TransportCounters.TLS_HANDSHAKES);
        if (isInitiator) {
            startInitiator(ctx);
        }
    }

    private void refuseTls(final ChannelHandlerContext ctx, final Throwable cause) {
        transport.counters().refused(RefuseReason.TLS_HANDSHAKE_FAILED);
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.warn("{}: closing {} connection with {} (sid {}): tls_handshake_failed {}{}", transport.name(), kind,
                ctx.channel().remoteAddress(), remoteSid, rootMessage(cause), suffix);
        }
        close(ctx);
    }

    /** The innermost message: SslHandler wraps the JDK's reason (e.g. "PKIX path building failed") in DecoderExceptions. */
    static String rootMessage(final Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        final String message = t == cause ? String.valueOf(cause) : cause.getClass().getSimpleName() + ": " + t;
        // NotSslRecordException hex-dumps whatever a plain-text peer sent; a hostile one decides how much.
        return message.length() <= MAX_REASON_CHARS ? message : message.substring(0, MAX_REASON_CHARS) + "...";
    }

    private void startInitiator(final ChannelHandlerContext ctx) {
        final ByteBuf out = ctx.alloc().buffer(64);
        if (kind == PortKind.ELECTION) {
            ElectionHeaderCodec.encode(out, ElectionHeaderCodec.PROTOCOL_V1, transport.mySid(), transport.myElectionAddress());
        } else {
            QuorumHeaderCodec.encode(out, transport.mySid());
        }
        if (!link.isDialer()) {
            // A prompt: the larger sid will close this and dial back (ZooKeeper's tie-break).
            phase = Phase.CLOSED;
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (transport.isAuthEnabled()) {
            nonceI = transport.authenticator().newNonce();
            out.writeBytes(nonceI);
            phase = Phase.AUTH_RESPONSE;
            ctx.writeAndFlush(out, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
            open(ctx);
        }
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        while (in.isReadable() && phase != Phase.CLOSED && phase != Phase.HANDED_OVER) {
            final int before = in.readableBytes();
            switch (phase) {
                case HEADER:
                    decodeHeader(ctx, in);
                    break;
                case AUTH_CHALLENGE:
                    onChallenge(ctx, in);
                    break;
                case AUTH_PROOF:
                    onProof(ctx, in);
                    break;
                case AUTH_RESPONSE:
                    onResponse(ctx, in);
                    break;
                case OPEN:
                    decodeFrame(ctx, in);
                    break;
                default:
                    break;
            }
            if (in.readableBytes() == before && phase != Phase.CLOSED) {
                return;
            }
            if (phase == Phase.HANDED_OVER) {
                return;
            }
        }
        if (phase == Phase.CLOSED) {
            in.skipBytes(in.readableBytes());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Handshake

    private void decodeHeader(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (isInitiator) {
            // The receiver never speaks first without auth; anything here is a protocol violation.
            refuse(ctx, RefuseReason.BAD_HEADER, WireError.BAD_MAGIC);
            return;
        }
        final WireError error;
        final long sid;
        final int length;
        isClient = false;
        if (kind == PortKind.ELECTION) {
            error = electionHeader.decode(in, in.readerIndex(), in.readableBytes());
            sid = electionHeader.sid();
            length = electionHeader.length();
        } else {
            error = quorumHeader.decode(in, in.readerIndex(), in.readableBytes());
            sid = quorumHeader.sid();
            length = QuorumHeaderCodec.LENGTH;
            isClient = quorumHeader.isClient();
        }
        if (error == WireError.INCOMPLETE) {
            return;
        }
        if (error != WireError.NONE) {
            refuse(ctx, RefuseReason.BAD_HEADER, error);
            return;
        }
        in.skipBytes(length);
        if (isClient) {
            identifyClient(ctx);
        } else {
            identify(ctx, sid);
        }
    }

    /**
     * A write client: no membership checks; refused unless the node takes client writes and its
     * client connection limits allow one more (checked before authentication, so a client without the
     * secret cannot hold more either).
     */
    private void identifyClient(final ChannelHandlerContext ctx) {
        remoteSid = QuorumHeaderCodec.CLIENT_SID;
        if (transport.writeRouter() == null) {
            refuse(ctx, RefuseReason.CLIENT_WRITES_DISABLED, WireError.NONE);
            return;
        }
        final RefuseReason limit = transport.clientConnections().admit(ctx.channel());
        if (limit != null) {
            refuseOverLimit(ctx, limit);
            return;
        }
        if (transport.isAuthEnabled()) {
            phase = Phase.AUTH_CHALLENGE;
        } else {
            open(ctx);
        }
    }

    private void identify(final ChannelHandlerContext ctx, final long sid) {
        remoteSid = sid;
        final int index = transport.config().ensemble().indexOf(sid);
        if (index < 0) {
            refuse(ctx, RefuseReason.UNKNOWN_SID, WireError.NONE);
            return;
        }
        if (sid == transport.mySid()) {
            refuse(ctx, RefuseReason.SELF_SID, WireError.NONE);
            return;
        }
        if (sid < transport.mySid()) {
            if (kind == PortKind.QUORUM) {
                refuse(ctx, RefuseReason.WRONG_DIRECTION, WireError.NONE);
                return;
            }
            LOG.debug("{}: election connection from smaller sid {}: closing and dialing back", transport.name(), sid);
            close(ctx);
            transport.link(kind, index).onPrompted();
            return;
        }
        link = transport.link(kind, index);
        if (transport.isAuthEnabled()) {
            phase = Phase.AUTH_CHALLENGE;
        } else {
            open(ctx);
        }
    }

    /** One client connection too many: closed at once, counted, and said in a rate-limited WARN line. */
    private void refuseOverLimit(final ChannelHandlerContext ctx, final RefuseReason limit) {
        transport.counters().refused(limit);
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            final boolean isTotal = limit == RefuseReason.MAX_CNXNS;
            LOG.warn("{}: refusing write client {}: {} client connections are open {} ({}){}", transport.name(),
                ctx.channel().remoteAddress(), transport.clientConnections().limit(limit),
                isTotal ? "in all" : "from its address", isTotal ? "maxCnxns" : "maxClientCnxns", suffix);
        }
        close(ctx);
    }

    /** Receiver: CHALLENGE (nonceI) in, RESPONSE (nonceR, macR) out. */
    private void onChallenge(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (in.readableBytes() < AuthCodec.CHALLENGE_LENGTH) {
            return;
        }
        nonceI = new byte[AuthCodec.NONCE_LENGTH];
        in.readBytes(nonceI);
        nonceR = transport.authenticator().newNonce();
        final byte[] mac = transport.authenticator().receiverMac(nonceI, nonceR, remoteSid, authSid());
        final ByteBuf out = ctx.alloc().buffer(AuthCodec.RESPONSE_LENGTH);
        out.writeBytes(nonceR).writeBytes(mac);
        ctx.writeAndFlush(out, ctx.voidPromise());
        phase = Phase.AUTH_PROOF;
    }

    /** Receiver: PROOF (macI) in; the link opens if it verifies. */
    private void onProof(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (in.readableBytes() < AuthCodec.PROOF_LENGTH) {
            return;
        }
        final byte[] mac = new byte[AuthCodec.MAC_LENGTH];
        in.readBytes(mac);
        final byte[] expected = transport.authenticator().initiatorMac(nonceI, nonceR, remoteSid, authSid());
        if (!PeerAuthenticator.isEqual(expected, mac)) {
            refuse(ctx, RefuseReason.AUTH_FAILED, WireError.NONE);
            return;
        }
        transport.counters().increment(TransportCounters.AUTH_SUCCEEDED);
        open(ctx);
    }

    /**
     * Our sid in the MACs: a write client does not know which member it dialed, so both sids of a
     * client handshake are {@link QuorumHeaderCodec#CLIENT_SID}.
     */
    private long authSid() {
        return isClient ? QuorumHeaderCodec.CLIENT_SID : transport.mySid();
    }

    /** Initiator: RESPONSE (nonceR, macR) in, PROOF (macI) out; the link opens if macR verifies. */
    private void onResponse(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (in.readableBytes() < AuthCodec.RESPONSE_LENGTH) {
            return;
        }
        nonceR = new byte[AuthCodec.NONCE_LENGTH];
        in.readBytes(nonceR);
        final byte[] mac = new byte[AuthCodec.MAC_LENGTH];
        in.readBytes(mac);
        final byte[] expected = transport.authenticator().receiverMac(nonceI, nonceR, transport.mySid(), remoteSid);
        if (!PeerAuthenticator.isEqual(expected, mac)) {
            refuse(ctx, RefuseReason.AUTH_FAILED, WireError.NONE);
            return;
        }
        final ByteBuf out = ctx.alloc().buffer(AuthCodec.PROOF_LENGTH);
        out.writeBytes(transport.authenticator().initiatorMac(nonceI, nonceR, transport.mySid(), remoteSid));
        ctx.writeAndFlush(out, ctx.voidPromise());
        transport.counters().increment(TransportCounters.AUTH_SUCCEEDED);
        open(ctx);
    }

    private void open(final ChannelHandlerContext ctx) {
        cancelHandshakeTimeout();
        if (isClient) {
            handOver(ctx);
            return;
        }
        phase = Phase.OPEN;
        link.attach(ctx.channel());
    }

    /**
     * Replaces this handler with a {@link ClientWriteHandler}. Removal is deferred until the current
     * decode returns; the bytes left in the cumulation then go to the new handler.
     */
    private void handOver(final ChannelHandlerContext ctx) {
        final WriteRouter router = transport.writeRouter();
        if (router == null) {
            refuse(ctx, RefuseReason.CLIENT_WRITES_DISABLED, WireError.NONE);
            return;
        }
        phase = Phase.HANDED_OVER;
        LOG.debug("{}: write client connected from {}", transport.name(), ctx.channel().remoteAddress());
        ctx.pipeline().replace(this, "client-writes",
            new ClientWriteHandler(transport, router, transport.clientResults()));
    }

    private void onHandshakeTimeout(final ChannelHandlerContext ctx) {
        if (phase != Phase.OPEN && phase != Phase.CLOSED && phase != Phase.HANDED_OVER) {
            refuse(ctx, RefuseReason.HANDSHAKE_TIMEOUT, WireError.NONE);
        }
    }

    private void refuse(final ChannelHandlerContext ctx, final RefuseReason reason, final WireError error) {
        transport.counters().refused(reason);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
        }
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.warn("{}: closing {} connection from {} (sid {}): {} {}{}", transport.name(), kind,
                ctx.channel().remoteAddress(), remoteSid, reason.metricName(), error == WireError.NONE ? "" : error.description(), suffix);
        }
        close(ctx);
    }

    private void close(final ChannelHandlerContext ctx) {
        phase = Phase.CLOSED;
        cancelHandshakeTimeout();
        ctx.close();
    }

    private void cancelHandshakeTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Frames

    private void decodeFrame(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (isPaused) {
            return;
        }
        final int index = in.readerIndex();
        final WireError framing = FrameCodec.peek(in, index, in.readableBytes());
        if (framing == WireError.INCOMPLETE) {
            return;
        }
        if (framing != WireError.NONE) {
            transport.counters().badFrame(framing);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing {} link with {}: {} ({}){}", transport.name(), kind, remoteSid,
                    framing.description(), in.getInt(index), suffix);
            }
            close(ctx);
            return;
        }
        final int length = in.getInt(index);
        if (transport.faults().isIsolated(link.peerIndex())) {
            transport.counters().increment(TransportCounters.FAULT_DROPPED);
            if (kind == PortKind.QUORUM) {
                transport.faults().quorumFrameDropped(link.peerIndex());
            }
        } else if (kind == PortKind.ELECTION) {
            onNotificationFrame(in, index + FrameCodec.LENGTH_FIELD, length);
        } else if (!onQuorumFrame(ctx, in, index + FrameCodec.LENGTH_FIELD, length)) {
            return;
        }
        if (phase != Phase.CLOSED) {
            in.skipBytes(FrameCodec.LENGTH_FIELD + length);
        }
    }

    private void onNotificationFrame(final ByteBuf in, final int index, final int length) {
        final WireError error = notification.decode(in, index, length);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: dropped notification from {}: {}{}", transport.name(), remoteSid, error.description(), suffix);
            }
            return;
        }
        transport.counters().increment(TransportCounters.NOTIFICATIONS_RECEIVED);
        final int delayMs = transport.faults().delayMs(link.peerIndex());
        if (delayMs > 0) {
            transport.offerNotificationLater(remoteSid, notification.state(), notification.leader(), notification.zxid(),
                notification.electionEpoch(), notification.peerEpoch(), notification.version(), delayMs);
            return;
        }
        offered(InboundMessages.offerNotification(transport.ring(), remoteSid, notification.state(), notification.leader(),
            notification.zxid(), notification.electionEpoch(), notification.peerEpoch(), notification.version()));
    }

    /**
     * Decodes one quorum frame and hands it to the agent.
     *
     * @return false if the ring is full: reading is paused and the frame must stay unconsumed
     */
    private boolean onQuorumFrame(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int length) {
        final WireError error = checkQuorumFrame(in, index, length);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing quorum link with {}: {} (type {}){}", transport.name(), remoteSid, error.description(),
                    length >= QuorumMessageCodec.HEADER_LENGTH ? in.getUnsignedShort(index + QuorumMessageCodec.TYPE_OFFSET) : -1, suffix);
            }
            close(ctx);
            return true;
        }
        if (transport.faults().delayMs(link.peerIndex()) > 0 || (delayed != null && !delayed.isEmpty())) {
            delay(ctx, in, index, length);
            return true;
        }
        if (!offerToAgent(in)) {
            pause(ctx);
            return false;
        }
        transport.counters().increment(TransportCounters.QUORUM_RECEIVED);
        hasOffered = true;
        return true;
    }

    /**
     * Hands the frame just decoded into {@link #quorumMessage} to the agent's ring. A RECORDS batch goes
     * record by record, each as a PROPOSAL; when the ring fills part-way, {@link #recordsOffered}
     * remembers how far it got, and the retry of the same frame (it stays in the cumulation or at the
     * head of the delayed queue, and nothing else is offered meanwhile) goes on from there.
     *
     * @return false if the ring is full
     */
    private boolean offerToAgent(final ByteBuf buf) {
        if (quorumMessage.type() != QuorumMessageCodec.RECORDS) {
            return QuorumInbound.offer(transport.ring(), remoteSid, quorumMessage, buf, payloadView);
        }
        final int offered = QuorumInbound.offerRecords(transport.ring(), remoteSid, quorumMessage, buf, payloadView,
            recordsOffered);
        if (offered < quorumMessage.payloadLength()) {
            hasOffered |= offered > recordsOffered;
            recordsOffered = offered;
            return false;
        }
        recordsOffered = 0;
        transport.counters().increment(TransportCounters.RECORD_BATCHES_RECEIVED);
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

    /** The ring is full: stop reading and retry shortly (the unconsumed frame stays in the cumulation). */
    private void pause(final ChannelHandlerContext ctx) {
        isPaused = true;
        transport.counters().increment(TransportCounters.INBOUND_PAUSED);
        ctx.channel().config().setAutoRead(false);
        hasOffered = true;
        scheduleRetry(ctx, retryTask);
    }

    private void scheduleRetry(final ChannelHandlerContext ctx, final Runnable task) {
        try {
            ctx.executor().schedule(task, RETRY_DELIVERY_US, TimeUnit.MICROSECONDS);
        } catch (final RejectedExecutionException ignored) {
            // Closing: the connection goes with the event loop.
        }
    }

    /**
     * Offers what the cumulation holds again, through {@code ByteToMessageDecoder}'s own read path (an
     * empty read), so its buffer bookkeeping stays right; resumes reading once nothing is left waiting.
     */
    private void retryDelivery() {
        if (!isPaused || phase != Phase.OPEN) {
            return;
        }
        isPaused = false;
        try {
            channelRead(context, Unpooled.EMPTY_BUFFER);
        } catch (final Exception ex) {
            exceptionCaught(context, ex);
            return;
        }
        if (!isPaused && phase == Phase.OPEN) {
            context.channel().config().setAutoRead(true);
        }
        wakeAgentIfOffered();
    }

    /** Slow-link fault: queues a copy of the frame, due after the delay and after every frame queued before. */
    private void delay(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int length) {
        if (delayed == null) {
            delayed = new ArrayDeque<>();
        }
        final long dueNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(transport.faults().delayMs(link.peerIndex()));
        final ByteBuf copy = ctx.alloc().buffer(DUE_FIELD + length);
        copy.writeLong(dueNs).writeBytes(in, index, length);
        delayed.add(copy);
        if (!isDelayedScheduled) {
            isDelayedScheduled = true;
            ctx.executor().schedule(delayedTask, Math.max(0, dueNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Delivers the delayed frames that are due, in order; a full ring is retried like a live frame. */
    private void deliverDelayed() {
        isDelayedScheduled = false;
        ByteBuf head;
        while (phase == Phase.OPEN && (head = delayed.peek()) != null) {
            final long waitNs = head.getLong(0) - System.nanoTime();
            if (waitNs > 0) {
                isDelayedScheduled = true;
                context.executor().schedule(delayedTask, waitNs, TimeUnit.NANOSECONDS);
                break;
            }
            quorumMessage.decode(head, DUE_FIELD, head.readableBytes() - DUE_FIELD);
            if (!offerToAgent(head)) {
                transport.counters().increment(TransportCounters.INBOUND_PAUSED);
                isDelayedScheduled = true;
                scheduleRetry(context, delayedTask);
                break;
            }
            transport.counters().increment(TransportCounters.QUORUM_RECEIVED);
            hasOffered = true;
            delayed.poll().release();
        }
        wakeAgentIfOffered();
    }

    private void releaseDelayed() {
        if (delayed != null) {
            ByteBuf frame;
            while ((frame = delayed.poll()) != null) {
                frame.release();
            }
        }
    }

    private void wakeAgentIfOffered() {
        if (hasOffered) {
            hasOffered = false;
            transport.wakeAgent();
        }
    }

    private void offered(final boolean isAccepted) {
        if (isAccepted) {
            hasOffered = true;
        } else {
            transport.counters().increment(TransportCounters.INBOUND_DROPPED);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception {
        wakeAgentIfOffered();
        if (isPaused) {
            // ByteToMessageDecoder would call read() because autoRead is off and it produced nothing:
            // that is exactly the reading a pause must stop.
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
        if (phase == Phase.OPEN && ctx.channel().isWritable()) {
            link.onWritable(ctx.channel());
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        if (phase != Phase.OPEN && phase != Phase.CLOSED && phase != Phase.HANDED_OVER) {
            transport.counters().refused(RefuseReason.TRUNCATED_HANDSHAKE);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: {} connection from {} (sid {}) closed during its handshake{}", transport.name(), kind,
                    ctx.channel().remoteAddress(), remoteSid, suffix);
            }
        }
        phase = Phase.CLOSED;
        cancelHandshakeTimeout();
        releaseDelayed();
        if (link != null) {
            link.onClosed(ctx.channel());
        }
        super.channelInactive(ctx);
    }

    /**
     * An exception closes the connection, never silently: a TLS failure before the connection opened is
     * a refusal ({@link RefuseReason#TLS_HANDSHAKE_FAILED}); anything else (a reset, a TLS error on an
     * open link, a handler bug) is {@code connections_failed{reason}} and a rate-limited WARN line.
     * After the handler closed the connection itself, what follows is a consequence and only debugged.
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (phase == Phase.CLOSED) {
            LOG.debug("{}: {} connection with {} failed after closing: {}", transport.name(), kind, remoteSid, cause.toString());
            return;
        }
        if (phase != Phase.OPEN && FailReason.of(cause) == FailReason.TLS_ERROR) {
            // With TLS 1.3 the dialer finishes its handshake before the acceptor has checked its
            // certificate; the acceptor's refusal arrives as an alert here, during our header or auth.
            refuseTls(ctx, cause);
            return;
        }
        transport.connectionFailed(LOG, phase == Phase.OPEN ? kind + " link" : kind + " connection", ctx.channel(), remoteSid, cause);
        close(ctx);
    }
}
