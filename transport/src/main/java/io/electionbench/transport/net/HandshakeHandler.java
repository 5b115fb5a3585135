package io.electionbench.transport.net;

import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.transport.wire.AuthCodec;
import io.electionbench.transport.wire.ElectionHeaderCodec;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.WireError;
import io.electionbench.transport.wire.ZooKeeperLearnerPacket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * The first handler of every connection on either port (after the {@code SslHandler} with TLS): the
 * connection header, the tie-break, the optional HMAC challenge-response, and the deadline for all
 * of it. Once the connection is established it puts the link's frame handler ({@link
 * ElectionFrameHandler}, {@link QuorumFrameHandler}; a {@link FaultHandler} in front of it when faults
 * are enabled) or, for a write client, a {@link ClientWriteHandler} in its place and removes itself;
 * whatever bytes followed the handshake go on to that handler. docs/transport.md, "Pipeline and links".
 *
 * <p>ZooKeeper's rules on the election port ({@code QuorumCnxManager.handleConnection}): the
 * initiator writes its header; a receiver that gets a header from a smaller sid closes and dials
 * back; a prompt from the smaller side closes itself after writing its header. On the quorum port only
 * the larger sid dials. A connection that does not finish its handshake within
 * {@link TransportConfig#handshakeTimeoutMs()} is closed.
 *
 * <p>With TLS everything above runs inside the TLS session: the initiator writes its header only once
 * the TLS handshake has succeeded, and the deadline covers the TLS handshake too. A failed TLS
 * handshake (untrusted certificate, plain text on a TLS port) is refused as
 * {@link RefuseReason#TLS_HANDSHAKE_FAILED} with the JDK's reason logged.
 */
final class HandshakeHandler extends ByteToMessageDecoder {
    static final String NAME = "handshake";
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

    /**
     * DONE: handed over to the established connection's handler, which is now in this one's place.
     * HELD: a ZooKeeper learner's connection, kept open unanswered until the handshake deadline.
     */
    private enum Phase { HEADER, AUTH_CHALLENGE, AUTH_PROOF, AUTH_RESPONSE, HELD, CLOSED, DONE }

    private final PeerTransport transport;
    private final PortKind kind;
    private final boolean isInitiator;
    private final ElectionHeaderCodec electionHeader = new ElectionHeaderCodec();
    private final QuorumHeaderCodec quorumHeader = new QuorumHeaderCodec();
    private PeerLink link;
    private boolean isClient;
    private long remoteSid = -1;
    private Phase phase = Phase.HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private byte[] nonceI;
    private byte[] nonceR;

    /** @param link the link being dialed, or null for an accepted connection */
    HandshakeHandler(final PeerTransport transport, final PortKind kind, final PeerLink link) {
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
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.warn("{}: closing {} connection with {} (sid {}): tls_handshake_failed {}{}", transport.name(), kind,
                ctx.channel().remoteAddress(), remoteSid, FailReason.rootMessage(cause), suffix);
        }
        close(ctx);
    }

    private void startInitiator(final ChannelHandlerContext ctx) {
        final ByteBuf out = ctx.alloc().buffer(64);
        if (kind == PortKind.ELECTION) {
            ElectionHeaderCodec.encode(out, ElectionHeaderCodec.PROTOCOL_V1, transport.mySid(),
                transport.myElectionAddress());
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
        if (phase == Phase.HELD) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable() && phase != Phase.CLOSED && phase != Phase.DONE) {
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
                default:
                    break;
            }
            if (in.readableBytes() == before && phase != Phase.CLOSED) {
                return;
            }
            if (phase == Phase.DONE) {
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
        } else if (ZooKeeperLearnerPacket.isLearnerPacket(in, in.readerIndex(), in.readableBytes())) {
            if (in.readableBytes() >= ZooKeeperLearnerPacket.SID_END) {
                onZooKeeperLearner(ctx, in);
            }
            return;
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
        if (kind == PortKind.ELECTION && sid == ElectionHeaderCodec.LEGACY_OBSERVER_ID) {
            onLegacyObserver(ctx);
            return;
        }
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
            // The smaller sid cannot dial our quorum port either: a restarted learner would wait for
            // that link's backoff (up to reconnectMaxMs) before it could announce itself to us.
            transport.link(PortKind.QUORUM, index).onPrompted();
            return;
        }
        link = transport.link(kind, index);
        if (transport.isAuthEnabled()) {
            phase = Phase.AUTH_CHALLENGE;
        } else {
            open(ctx);
        }
    }

    /**
     * A peer announced ZooKeeper's legacy observer id ({@code QuorumPeer.OBSERVER_ID}, Long.MAX_VALUE):
     * as {@code QuorumCnxManager.handleConnection} does, it gets a temporary id (-1, -2, ...), logged at
     * INFO, and the tie-break runs on that id, which is below every member's: the connection is closed.
     * ZooKeeper then dials back the address in the header, if it had one; we dial only members of our
     * config, whose links are the only ones the agent has (docs/transport.md, "Election port").
     */
    private void onLegacyObserver(final ChannelHandlerContext ctx) {
        remoteSid = transport.nextObserverId();
        transport.counters().refused(RefuseReason.LEGACY_OBSERVER_ID);
        final String suffix = transport.hostileWarnSuffix();
        if (suffix != null) {
            LOG.info("{}: election connection from {} announces the legacy observer id {}: setting arbitrary "
                    + "identifier to observer: {}; it is below ours, so the connection is closed{}", transport.name(),
                ctx.channel().remoteAddress(), ElectionHeaderCodec.LEGACY_OBSERVER_ID, remoteSid, suffix);
        }
        close(ctx);
    }

    /**
     * A real ZooKeeper learner dialed our quorum port ({@code Learner.registerWithLeader}'s
     * FOLLOWERINFO or OBSERVERINFO, {@link ZooKeeperLearnerPacket}): it elected us and cannot follow
     * us. A member's connection is recorded as incompatible ({@code GET /state}) and kept open,
     * unanswered, until the handshake deadline: closed at once, the learner would re-elect us and dial
     * again within milliseconds; held, it retries once per deadline. Anyone else is refused.
     */
    private void onZooKeeperLearner(final ChannelHandlerContext ctx, final ByteBuf in) {
        remoteSid = ZooKeeperLearnerPacket.sid(in, in.readerIndex());
        transport.counters().refused(RefuseReason.ZOOKEEPER_LEARNER);
        final int index = transport.config().ensemble().indexOf(remoteSid);
        if (index < 0 || remoteSid == transport.mySid()) {
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: closing QUORUM connection from {}: a ZooKeeper learner's {} naming sid {}, "
                        + "not a member{}", transport.name(), ctx.channel().remoteAddress(),
                    ZooKeeperLearnerPacket.typeName(in, in.readerIndex()), remoteSid, suffix);
            }
            close(ctx);
            return;
        }
        transport.peerIncompatible(index, Incompatibility.ZOOKEEPER_LEARNER, ctx.channel());
        phase = Phase.HELD;
        in.skipBytes(in.readableBytes());
        transport.holdZooKeeperLearner(index, ctx.channel());
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
        phase = Phase.DONE;
        transport.addFrameHandlers(ctx.pipeline(), NAME, link);
        // Inside a decode the removal waits until it returns; the bytes left then go to the next handler.
        ctx.pipeline().remove(this);
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
        phase = Phase.DONE;
        LOG.debug("{}: write client connected from {}", transport.name(), ctx.channel().remoteAddress());
        ctx.pipeline().replace(this, ClientWriteHandler.NAME,
            new ClientWriteHandler(transport, router, transport.clientResults()));
    }

    private void onHandshakeTimeout(final ChannelHandlerContext ctx) {
        if (phase == Phase.HELD) {
            LOG.debug("{}: closing the ZooKeeper learner connection of {} held since its FOLLOWERINFO",
                transport.name(), remoteSid);
            close(ctx);
            return;
        }
        if (phase != Phase.CLOSED && phase != Phase.DONE) {
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
                ctx.channel().remoteAddress(), remoteSid, reason.metricName(),
                error == WireError.NONE ? "" : error.description(), suffix);
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

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        if (phase != Phase.CLOSED && phase != Phase.DONE && phase != Phase.HELD) {
            transport.counters().refused(RefuseReason.TRUNCATED_HANDSHAKE);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: {} connection from {} (sid {}) closed during its handshake{}", transport.name(), kind,
                    ctx.channel().remoteAddress(), remoteSid, suffix);
            }
        }
        phase = Phase.CLOSED;
        cancelHandshakeTimeout();
        if (link != null) {
            link.onClosed(ctx.channel());
        }
        super.channelInactive(ctx);
    }

    /**
     * An exception closes the connection, never silently: a TLS failure is a refusal
     * ({@link RefuseReason#TLS_HANDSHAKE_FAILED}); anything else (a reset, a handler bug) is
     * {@code connections_failed{reason}} and a rate-limited WARN line. After the handler closed the
     * connection itself, what follows is a consequence and only debugged.
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (phase == Phase.CLOSED || phase == Phase.HELD) {
            if (phase == Phase.HELD) {
                close(ctx);
            }
            LOG.debug("{}: {} connection with {} failed after closing or while held: {}", transport.name(), kind,
                remoteSid, cause.toString());
            return;
        }
        if (FailReason.of(cause) == FailReason.TLS_ERROR) {
            // With TLS 1.3 the dialer finishes its handshake before the acceptor has checked its
            // certificate; the acceptor's refusal arrives as an alert here, during our header or auth.
            refuseTls(ctx, cause);
            return;
        }
        transport.connectionFailed(LOG, kind + " connection", ctx.channel(), remoteSid, cause);
        close(ctx);
    }
}
