package io.electionbench.transport.net;

import java.nio.channels.ClosedChannelException;
import java.util.List;
import javax.net.ssl.SSLException;
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
 */
final class PeerChannelHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PeerChannelHandler.class);
    private static final int MAX_REASON_CHARS = 200;

    private enum Phase { HEADER, AUTH_CHALLENGE, AUTH_PROOF, AUTH_RESPONSE, OPEN, CLOSED }

    private final PeerTransport transport;
    private final PortKind kind;
    private final boolean isInitiator;
    private final ElectionHeaderCodec electionHeader = new ElectionHeaderCodec();
    private final QuorumHeaderCodec quorumHeader = new QuorumHeaderCodec();
    private final NotificationCodec notification = new NotificationCodec();
    private final QuorumMessageCodec quorumMessage = new QuorumMessageCodec();
    private PeerLink link;
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
        LOG.warn("{}: closing {} connection with {} (sid {}): tls_handshake_failed {}", transport.name(), kind,
            ctx.channel().remoteAddress(), remoteSid, rootMessage(cause));
        close(ctx);
    }

    /** The innermost message: SslHandler wraps the JDK's reason (e.g. "PKIX path building failed") in DecoderExceptions. */
    private static String rootMessage(final Throwable cause) {
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
        while (in.isReadable() && phase != Phase.CLOSED) {
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
        if (kind == PortKind.ELECTION) {
            error = electionHeader.decode(in, in.readerIndex(), in.readableBytes());
            sid = electionHeader.sid();
            length = electionHeader.length();
        } else {
            error = quorumHeader.decode(in, in.readerIndex(), in.readableBytes());
            sid = quorumHeader.sid();
            length = QuorumHeaderCodec.LENGTH;
        }
        if (error == WireError.INCOMPLETE) {
            return;
        }
        if (error != WireError.NONE) {
            refuse(ctx, RefuseReason.BAD_HEADER, error);
            return;
        }
        in.skipBytes(length);
        identify(ctx, sid);
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

    /** Receiver: CHALLENGE (nonceI) in, RESPONSE (nonceR, macR) out. */
    private void onChallenge(final ChannelHandlerContext ctx, final ByteBuf in) {
        if (in.readableBytes() < AuthCodec.CHALLENGE_LENGTH) {
            return;
        }
        nonceI = new byte[AuthCodec.NONCE_LENGTH];
        in.readBytes(nonceI);
        nonceR = transport.authenticator().newNonce();
        final byte[] mac = transport.authenticator().receiverMac(nonceI, nonceR, remoteSid, transport.mySid());
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
        final byte[] expected = transport.authenticator().initiatorMac(nonceI, nonceR, remoteSid, transport.mySid());
        if (!PeerAuthenticator.isEqual(expected, mac)) {
            refuse(ctx, RefuseReason.AUTH_FAILED, WireError.NONE);
            return;
        }
        transport.counters().increment(TransportCounters.AUTH_SUCCEEDED);
        open(ctx);
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
        phase = Phase.OPEN;
        cancelHandshakeTimeout();
        link.attach(ctx.channel());
    }

    private void onHandshakeTimeout(final ChannelHandlerContext ctx) {
        if (phase != Phase.OPEN && phase != Phase.CLOSED) {
            refuse(ctx, RefuseReason.HANDSHAKE_TIMEOUT, WireError.NONE);
        }
    }

    private void refuse(final ChannelHandlerContext ctx, final RefuseReason reason, final WireError error) {
        transport.counters().refused(reason);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
        }
        LOG.warn("{}: closing {} connection from {} (sid {}): {} {}", transport.name(), kind,
            ctx.channel().remoteAddress(), remoteSid, reason.metricName(), error == WireError.NONE ? "" : error.description());
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
        final int index = in.readerIndex();
        final WireError framing = FrameCodec.peek(in, index, in.readableBytes());
        if (framing == WireError.INCOMPLETE) {
            return;
        }
        if (framing != WireError.NONE) {
            transport.counters().badFrame(framing);
            LOG.warn("{}: closing {} link with {}: {} ({})", transport.name(), kind, remoteSid,
                framing.description(), in.getInt(index));
            close(ctx);
            return;
        }
        final int length = in.getInt(index);
        if (transport.faults().isIsolated(link.peerIndex())) {
            transport.counters().increment(TransportCounters.FAULT_DROPPED);
        } else if (kind == PortKind.ELECTION) {
            onNotificationFrame(in, index + FrameCodec.LENGTH_FIELD, length);
        } else {
            onQuorumFrame(ctx, in, index + FrameCodec.LENGTH_FIELD, length);
        }
        if (phase != Phase.CLOSED) {
            in.skipBytes(FrameCodec.LENGTH_FIELD + length);
        }
    }

    private void onNotificationFrame(final ByteBuf in, final int index, final int length) {
        final WireError error = notification.decode(in, index, length);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
            LOG.warn("{}: dropped notification from {}: {}", transport.name(), remoteSid, error.description());
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

    private void onQuorumFrame(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int length) {
        final WireError error = quorumMessage.decode(in, index, length);
        if (error != WireError.NONE) {
            transport.counters().badFrame(error);
            LOG.warn("{}: closing quorum link with {}: {}", transport.name(), remoteSid, error.description());
            close(ctx);
            return;
        }
        transport.counters().increment(TransportCounters.QUORUM_RECEIVED);
        final int delayMs = transport.faults().delayMs(link.peerIndex());
        if (delayMs > 0) {
            transport.offerQuorumLater(remoteSid, quorumMessage.type(), quorumMessage.acceptedEpoch(), quorumMessage.zxid(),
                quorumMessage.isObserver(), delayMs);
            return;
        }
        offered(transport.offerQuorum(remoteSid, quorumMessage.type(), quorumMessage.acceptedEpoch(),
            quorumMessage.zxid(), quorumMessage.isObserver()));
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
        if (hasOffered) {
            hasOffered = false;
            transport.wakeAgent();
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        if (phase != Phase.OPEN && phase != Phase.CLOSED) {
            transport.counters().refused(RefuseReason.TRUNCATED_HANDSHAKE);
            LOG.warn("{}: {} connection from {} (sid {}) closed during its handshake", transport.name(), kind,
                ctx.channel().remoteAddress(), remoteSid);
        }
        phase = Phase.CLOSED;
        cancelHandshakeTimeout();
        if (link != null) {
            link.onClosed(ctx.channel());
        }
        super.channelInactive(ctx);
    }

    private static boolean isTlsFailure(final Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (isTlsFailure(cause) && phase != Phase.CLOSED) {
            if (phase != Phase.OPEN) {
                // With TLS 1.3 the dialer finishes its handshake before the acceptor has checked its
                // certificate; the acceptor's refusal arrives as an alert here, during our header or auth.
                refuseTls(ctx, cause);
                return;
            }
            LOG.warn("{}: closing {} link with {}: TLS error {}", transport.name(), kind, remoteSid, rootMessage(cause));
            close(ctx);
            return;
        }
        LOG.debug("{}: {} connection with {} failed: {}", transport.name(), kind, remoteSid, cause.toString());
        close(ctx);
    }
}
