package io.electionbench.core.sim.network;

import org.agrona.DirectBuffer;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;

/**
 * Turns one server's sends into scheduled deliveries, keeping the publisher contract: a send the link
 * refuses ({@link SimLinks}: closed, or full) returns false, and a full quorum link is not writable.
 * An accepted message to a peer that is down, or across a cut, just never arrives. A send to itself
 * or to a sid outside the ensemble is accepted and goes nowhere.
 */
final class SimPublisher implements PeerPublisher {
    private final SimNetwork network;
    private final Ensemble ensemble;
    private final int from;
    /** Peers this incarnation has sent notifications to (ZooKeeper's {@code queueSendMap} keys). */
    private long notifiedMask;

    SimPublisher(final SimNetwork network, final Ensemble ensemble, final int from) {
        this.network = network;
        this.ensemble = ensemble;
        this.from = from;
    }

    @Override
    public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        final int to = ensemble.indexOf(toSid);
        if (to >= 0 && to != from) {
            notifiedMask |= 1L << to;
            if (!network.acceptsNotification(from, to)) {
                return false;
            }
        }
        network.countNotificationSent();
        final SimEvent.Notification n = event(network.pools.notifications, toSid);
        if (n != null) {
            n.state = state;
            n.leader = leader;
            n.zxid = zxid;
            n.electionEpoch = electionEpoch;
            n.peerEpoch = peerEpoch;
            final PersistentState own = network.endpoints().storage(from);
            n.senderEpoch = own.currentEpoch();
            n.senderZxid = own.lastLoggedZxid();
            network.sendNotification(n);
        }
        return true;
    }

    @Override
    public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final int flags) {
        if (!accepts(toSid, SendFailure.LEARNER_INFO, false)) {
            return false;
        }
        final SimEvent.LearnerInfo m = event(network.pools.learnerInfos, toSid);
        if (m != null) {
            m.acceptedEpoch = acceptedEpoch;
            m.lastZxid = lastZxid;
            m.flags = flags;
            network.sendQuorum(m);
        }
        return true;
    }

    @Override
    public boolean sendLearnerReject(final long toSid) {
        if (!accepts(toSid, SendFailure.LEARNER_REJECT, false)) {
            return false;
        }
        final SimEvent.LearnerReject m = event(network.pools.learnerRejects, toSid);
        if (m != null) {
            network.sendQuorum(m);
        }
        return true;
    }

    @Override
    public boolean sendPing(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.PING, SendFailure.PING, false, toSid, zxid);
    }

    @Override
    public boolean sendPingAck(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.PING_ACK, SendFailure.PING_ACK, false, toSid, zxid);
    }

    @Override
    public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
        return zxidMessage(InboundMessages.LEADER_INFO, SendFailure.LEADER_INFO, true, toSid, newEpoch);
    }

    @Override
    public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid,
        final long snapshotZxid) {
        if (!accepts(toSid, SendFailure.ACK_EPOCH, true)) {
            return false;
        }
        final SimEvent.AckEpoch m = event(network.pools.ackEpochs, toSid);
        if (m != null) {
            m.currentEpoch = currentEpoch;
            m.lastZxid = lastZxid;
            m.snapshotZxid = snapshotZxid;
            network.sendQuorum(m);
        }
        return true;
    }

    @Override
    public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
        if (!accepts(toSid, SendFailure.SYNC_START, true)) {
            return false;
        }
        final SimEvent.SyncStart m = event(network.pools.syncStarts, toSid);
        if (m != null) {
            m.mode = mode;
            m.zxid = zxid;
            network.sendQuorum(m);
        }
        return true;
    }

    @Override
    public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final DirectBuffer buffer, final int offset, final int length) {
        if (!accepts(toSid, SendFailure.SNAPSHOT_CHUNK, true)) {
            return false;
        }
        final SimEvent.SnapshotChunk m = event(network.pools.snapshotChunks, toSid);
        if (m != null) {
            m.zxid = zxid;
            m.digest = digest;
            m.totalLength = totalLength;
            m.position = position;
            m.bytes(buffer, offset, length);
            network.sendQuorum(m);
        }
        return true;
    }

    /** A txn of a sync stream (a broadcast comes through {@link #broadcastProposal}). */
    @Override
    public boolean sendProposal(final long toSid, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        return proposal(SendFailure.SYNC_TXN, toSid, zxid, payload, offset, length);
    }

    @Override
    public long broadcastProposal(final long[] toSids, final int count, final long zxid, final DirectBuffer payload,
        final int offset, final int length) {
        long failed = 0;
        for (int i = 0; i < count; i++) {
            if (!proposal(SendFailure.PROPOSAL, toSids[i], zxid, payload, offset, length)) {
                failed |= 1L << i;
            }
        }
        return failed;
    }

    private boolean proposal(final SendFailure kind, final long toSid, final long zxid, final DirectBuffer payload,
        final int offset, final int length) {
        if (!accepts(toSid, kind, true)) {
            return false;
        }
        final SimEvent.Proposal m = event(network.pools.proposals, toSid);
        if (m != null) {
            m.zxid = zxid;
            m.payload(payload, offset, length);
            network.sendQuorum(m);
        }
        return true;
    }

    @Override
    public boolean sendNewLeader(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.NEW_LEADER, SendFailure.NEW_LEADER, true, toSid, zxid);
    }

    @Override
    public boolean sendAck(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.ACK, SendFailure.ACK, true, toSid, zxid);
    }

    @Override
    public boolean sendCommit(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.COMMIT, SendFailure.COMMIT, true, toSid, zxid);
    }

    @Override
    public boolean sendUpToDate(final long toSid, final long zxid) {
        return zxidMessage(InboundMessages.UP_TO_DATE, SendFailure.UP_TO_DATE, true, toSid, zxid);
    }

    @Override
    public boolean isWritable(final long toSid) {
        final int to = ensemble.indexOf(toSid);
        return to >= 0 && to != from && network.isWritable(from, to);
    }

    /**
     * True if a peer this incarnation has notified holds a connection from it: the transport hands a
     * notification to a connection at once and keeps the newest one for a peer without one.
     */
    @Override
    public boolean haveDelivered() {
        long rest = notifiedMask;
        while (rest != 0) {
            final int to = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (network.isOpen(from, to)) {
                return true;
            }
        }
        return false;
    }

    /** A new process: it has notified nobody yet. */
    void restarted() {
        notifiedMask = 0;
    }

    /** One dial to {@code toSid}: {@link SimNetwork#dial}. */
    @Override
    public void connect(final long toSid) {
        final int to = ensemble.indexOf(toSid);
        if (to >= 0 && to != from) {
            network.dial(from, to);
        }
    }

    /**
     * Closes this end at once, dropping what waits in the link; the other end sees the reset after
     * what is already on its way, or, across a cut, when the cut heals. Both ends dial again.
     */
    @Override
    public void resetQuorumLink(final long toSid) {
        final int to = ensemble.indexOf(toSid);
        if (to >= 0 && to != from) {
            network.resetQuorumLink(from, to);
        }
    }

    /** Every message that carries one zxid or epoch: pings, LEADERINFO, NEWLEADER, ACK, COMMIT, UPTODATE. */
    private boolean zxidMessage(final int type, final SendFailure kind, final boolean needsOpen, final long toSid,
        final long zxid) {
        if (!accepts(toSid, kind, needsOpen)) {
            return false;
        }
        final SimEvent.ZxidMessage m = event(network.pools.zxidMessages, toSid);
        if (m != null) {
            m.type = type;
            m.zxid = zxid;
            network.sendQuorum(m);
        }
        return true;
    }

    /** False, counted, when the quorum link to {@code toSid} refuses a message of {@code kind}. */
    private boolean accepts(final long toSid, final SendFailure kind, final boolean needsOpen) {
        final int to = ensemble.indexOf(toSid);
        return to < 0 || to == from || network.acceptsQuorum(from, to, kind, needsOpen);
    }

    private <E extends SimEvent> E event(final SimEvent.Pool<E> pool, final long toSid) {
        final int to = ensemble.indexOf(toSid);
        return to < 0 || to == from ? null : network.newEvent(pool, from, to);
    }
}
