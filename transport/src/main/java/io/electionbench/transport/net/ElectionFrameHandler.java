package io.electionbench.transport.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.NotificationCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The adapter of an established election connection: each frame is a notification, decoded in place
 * and offered to the agent's ring. A frame that does not decode is dropped and counted, never closing
 * the connection (ZOOKEEPER-3769); a notification that finds the ring full is dropped, as ZooKeeper's
 * full receive queue drops it. The connection's writability drives the {@link ElectionLink}'s
 * drain (a peer that does not read gets only our newest vote). docs/transport.md, "Election port".
 */
final class ElectionFrameHandler extends PeerFrameHandler {
    static final String NAME = "election-frames";
    private static final Logger LOG = LoggerFactory.getLogger(ElectionFrameHandler.class);

    private final ElectionLink electionLink;
    private final NotificationCodec notification = new NotificationCodec();
    /** The peer votes; a non-voter's notification is answered whatever its state code. */
    private final boolean isVoterPeer;

    ElectionFrameHandler(final PeerTransport transport, final ElectionLink link) {
        super(transport, link);
        this.electionLink = link;
        this.isVoterPeer = transport.config().ensemble().quorum().isVoter(link.peerIndex());
    }

    @Override
    boolean onFrame(final ChannelHandlerContext ctx, final ByteBuf in, final int index, final int length) {
        final WireError error = notification.decode(in, index, length);
        // ZooKeeper's WorkerReceiver answers a sender outside the voting view before it reads the state
        // code: such a notification goes to the agent, which answers it and counts nothing.
        if (error != WireError.NONE && (isVoterPeer || error != WireError.UNKNOWN_STATE)) {
            transport.counters().badFrame(error);
            final String suffix = transport.hostileWarnSuffix();
            if (suffix != null) {
                LOG.warn("{}: dropped notification from {}: {}{}", transport.name(), link.peerSid(),
                    error.description(), suffix);
            }
            return true;
        }
        transport.counters().increment(TransportCounters.NOTIFICATIONS_RECEIVED);
        if (InboundMessages.offerNotification(transport.ring(), link.peerSid(), notification.state(),
            notification.leader(), notification.zxid(), notification.electionEpoch(), notification.peerEpoch(),
            notification.version())) {
            hasOffered = true;
        } else {
            transport.counters().increment(TransportCounters.INBOUND_DROPPED);
        }
        return true;
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
        if (!isClosed && ctx.channel().isWritable()) {
            electionLink.onWritable(ctx.channel());
        }
        super.channelWritabilityChanged(ctx);
    }
}
