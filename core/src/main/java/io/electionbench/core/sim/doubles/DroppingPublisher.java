package io.electionbench.core.sim.doubles;

import org.agrona.DirectBuffer;

import io.electionbench.core.election.PeerPublisher;

/**
 * A publisher that accepts every message and sends it nowhere: for benchmarks and tests that drive one
 * agent by hand and want its sends to cost nothing and allocate nothing.
 */
public final class DroppingPublisher implements PeerPublisher {
    @Override
    public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        return true;
    }

    @Override
    public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final int flags) {
        return true;
    }

    @Override
    public boolean sendLearnerReject(final long toSid) {
        return true;
    }

    @Override
    public boolean sendPing(final long toSid, final long zxid) {
        return true;
    }

    @Override
    public boolean sendPingAck(final long toSid, final long zxid) {
        return true;
    }

    @Override
    public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
        return true;
    }

    @Override
    public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid,
        final long snapshotZxid) {
        return true;
    }

    @Override
    public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
        return true;
    }

    @Override
    public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final DirectBuffer buffer, final int offset, final int length) {
        return true;
    }

    @Override
    public boolean sendProposal(final long toSid, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        return true;
    }

    @Override
    public boolean sendNewLeader(final long toSid, final long zxid) {
        return true;
    }

    @Override
    public boolean sendAck(final long toSid, final long zxid) {
        return true;
    }

    @Override
    public boolean sendCommit(final long toSid, final long zxid) {
        return true;
    }

    @Override
    public boolean sendUpToDate(final long toSid, final long zxid) {
        return true;
    }
}
