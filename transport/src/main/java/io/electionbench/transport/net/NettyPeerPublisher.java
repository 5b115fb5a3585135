package io.electionbench.transport.net;

import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;

/**
 * The agent's {@link PeerPublisher} over a {@link PeerTransport}: each send encodes a primitive
 * record into the addressee's outbound ring and wakes its event loop. Agent thread only; never
 * blocks, never locks, allocates nothing. A send returns false only when the ring is full or the
 * addressee is unknown; while a link is down, the newest notification and learner info are kept and
 * sent when it comes up.
 */
final class NettyPeerPublisher implements PeerPublisher {
    private final Ensemble ensemble;
    private final PeerLink[] electionLinks;
    private final PeerLink[] quorumLinks;
    private final TransportCounters counters;

    NettyPeerPublisher(final Ensemble ensemble, final PeerLink[] electionLinks, final PeerLink[] quorumLinks,
        final TransportCounters counters) {
        this.ensemble = ensemble;
        this.electionLinks = electionLinks;
        this.quorumLinks = quorumLinks;
        this.counters = counters;
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
        return link != null && counted(link.offerLearnerInfo(acceptedEpoch, lastZxid, isObserver));
    }

    @Override
    public boolean sendLearnerReject(final long toSid) {
        final PeerLink link = link(quorumLinks, toSid);
        return link != null && counted(link.offerLong(PeerLink.OUT_LEARNER_REJECT, 0));
    }

    @Override
    public boolean sendPing(final long toSid, final long zxid) {
        final PeerLink link = link(quorumLinks, toSid);
        return link != null && counted(link.offerLong(PeerLink.OUT_PING, zxid));
    }

    @Override
    public boolean sendPingAck(final long toSid, final long zxid) {
        final PeerLink link = link(quorumLinks, toSid);
        return link != null && counted(link.offerLong(PeerLink.OUT_PING_ACK, zxid));
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
