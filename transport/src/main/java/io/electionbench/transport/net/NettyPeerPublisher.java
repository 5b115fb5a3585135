package io.electionbench.transport.net;

import org.agrona.DirectBuffer;

import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The agent's {@link PeerPublisher} over a {@link PeerTransport}. Agent thread only; never blocks,
 * never locks.
 *
 * <p>A notification is a primitive record in the election link's ring (false when the ring is full).
 * Every quorum message is encoded at once into a pooled direct buffer of exactly its frame's size (a
 * payload is copied once, from the caller's buffer into it) and queued on the quorum link, so all
 * quorum messages to a peer keep their order; nothing else is allocated. A quorum send returns false
 * when the link is down (the recovery messages: LEADER_INFO onwards; LEARNER_INFO is kept and sent
 * when the link comes up, pings and rejects are dropped with the link, as before) or when it is
 * hopelessly backed up: more than {@link PeerLink#MAX_PENDING_BYTES} pending, or its queue full.
 * {@link #isWritable} is Netty's channel writability (water marks in {@link PeerTransport}) and false
 * without a link, so a paced bulk stream never comes near that cap.
 */
final class NettyPeerPublisher implements PeerPublisher {
    private final Ensemble ensemble;
    private final PeerLink[] electionLinks;
    private final PeerLink[] quorumLinks;
    private final TransportCounters counters;
    private final ByteBufAllocator alloc;

    NettyPeerPublisher(final Ensemble ensemble, final PeerLink[] electionLinks, final PeerLink[] quorumLinks,
        final TransportCounters counters, final ByteBufAllocator alloc) {
        this.ensemble = ensemble;
        this.electionLinks = electionLinks;
        this.quorumLinks = quorumLinks;
        this.counters = counters;
        this.alloc = alloc;
    }

    @Override
    public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        final PeerLink link = link(electionLinks, toSid);
        return link != null && counted(link.offerNotification(state, leader, zxid, electionEpoch, peerEpoch));
    }

    @Override
    public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final boolean isObserver) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.LEARNER_INFO_LENGTH, 0), false);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeLearnerInfo(frame, acceptedEpoch, lastZxid, isObserver);
        return publish(link, frame);
    }

    @Override
    public boolean sendLearnerReject(final long toSid) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.HEADER_LENGTH, 0), false);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeLearnerReject(frame);
        return publish(link, frame);
    }

    @Override
    public boolean sendPing(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.PING, zxid, false);
    }

    @Override
    public boolean sendPingAck(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.PING_ACK, zxid, false);
    }

    @Override
    public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
        return sendZxid(toSid, QuorumMessageCodec.LEADER_INFO, newEpoch, true);
    }

    @Override
    public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.ACK_EPOCH_LENGTH, 0), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeAckEpoch(frame, currentEpoch, lastZxid);
        return publish(link, frame);
    }

    @Override
    public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.SYNC_START_LENGTH, 0), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeSyncStart(frame, mode, zxid);
        return publish(link, frame);
    }

    @Override
    public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final DirectBuffer buffer, final int offset, final int length) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.SC_BYTES_OFFSET, length), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeSnapshotChunk(frame, zxid, digest, totalLength, position, buffer, offset, length);
        return publish(link, frame);
    }

    @Override
    public boolean sendProposal(final long toSid, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.P_PAYLOAD_OFFSET, length), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeProposal(frame, zxid, payload, offset, length);
        return publish(link, frame);
    }

    @Override
    public boolean sendNewLeader(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.NEW_LEADER, zxid, true);
    }

    @Override
    public boolean sendAck(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.ACK, zxid, true);
    }

    @Override
    public boolean sendCommit(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.COMMIT, zxid, true);
    }

    @Override
    public boolean sendUpToDate(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.UP_TO_DATE, zxid, true);
    }

    @Override
    public boolean isWritable(final long toSid) {
        final PeerLink link = link(quorumLinks, toSid);
        return link != null && link.isWritable();
    }

    private boolean sendZxid(final long toSid, final int type, final long zxid, final boolean needsLink) {
        final PeerLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.ZXID_LENGTH, 0), needsLink);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeZxid(frame, type, zxid);
        return publish(link, frame);
    }

    /**
     * A pooled buffer for one frame of {@code frameBytes}, or null when there is no such peer, the link
     * is down and {@code needsLink}, or the link is hopelessly backed up.
     *
     * @throws IllegalArgumentException if the frame would exceed the 512 KiB frame limit (a caller bug)
     */
    private ByteBuf claim(final PeerLink link, final int frameBytes, final boolean needsLink) {
        if (frameBytes > FrameCodec.LENGTH_FIELD + FrameCodec.MAX_FRAME_LENGTH || frameBytes < 0) {
            throw new IllegalArgumentException("a quorum frame of " + frameBytes + " bytes exceeds the frame limit");
        }
        if (link == null || (needsLink && !link.isConnected())) {
            return null;
        }
        if (!link.hasRoomFor(frameBytes)) {
            counters.increment(TransportCounters.OUTBOUND_DROPPED);
            return null;
        }
        return alloc.directBuffer(frameBytes, frameBytes);
    }

    private boolean publish(final PeerLink link, final ByteBuf frame) {
        return counted(link.offerFrame(frame));
    }

    private PeerLink link(final PeerLink[] links, final long sid) {
        final int index = ensemble.indexOf(sid);
        return index < 0 ? null : links[index];
    }

    private boolean counted(final boolean isSent) {
        if (!isSent) {
            counters.increment(TransportCounters.OUTBOUND_DROPPED);
        }
        return isSent;
    }
}
