package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.zab.Broadcast;
import io.electionbench.core.zab.Discovery;
import io.electionbench.core.zab.Follower;

/**
 * Bytes to calls: drains an agent's inbound ring and hands each message, read in place through the
 * flyweight of its kind, to the phase it belongs to (Aeron's {@code ConsensusAdapter}): votes to the
 * election, link events and relationship messages to {@link MemberLinks}, ACKEPOCH to
 * {@link Discovery}, ACKs to {@link Broadcast}, the leader's messages to {@link Follower}, writes to the
 * agent. Each phase checks the member's state itself. The layouts are the flyweights'
 * ({@link InboundFlyweight}), documented there once; one preallocated flyweight per kind is rewrapped
 * for every record. Agent thread only; nothing is allocated.
 */
final class InboundAdapter implements MessageHandler {
    /** Messages read per ring read; a duty cycle reads at most twice this many. */
    static final int MESSAGE_LIMIT = 256;

    private final RingBuffer ring;
    private final MemberAgent agent;
    private final MemberLinks links;
    private final FastLeaderElection election;
    private final Discovery discovery;
    private final Broadcast broadcast;
    private final Follower follower;
    private final NotificationFlyweight notification = new NotificationFlyweight();
    private final LearnerInfoFlyweight learnerInfo = new LearnerInfoFlyweight();
    private final SidFlyweight sid = new SidFlyweight();
    private final ZxidFlyweight zxid = new ZxidFlyweight();
    private final AckEpochFlyweight ackEpoch = new AckEpochFlyweight();
    private final SyncStartFlyweight syncStart = new SyncStartFlyweight();
    private final ProposalFlyweight proposal = new ProposalFlyweight();
    private final RecordsFlyweight records = new RecordsFlyweight();
    private final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight();
    private final WriteFlyweight write = new WriteFlyweight();

    InboundAdapter(final RingBuffer ring, final MemberAgent agent, final MemberLinks links,
        final FastLeaderElection election, final Discovery discovery, final Broadcast broadcast,
        final Follower follower) {
        this.ring = ring;
        this.agent = agent;
        this.links = links;
        this.election = election;
        this.discovery = discovery;
        this.broadcast = broadcast;
        this.follower = follower;
    }

    /**
     * Reads up to {@link #MESSAGE_LIMIT} inbound messages. A ring read stops at the end of the buffer:
     * when the records wrap, one read takes the padding at the end and leaves the message at the start
     * for the next, and a duty cycle that read only padding reports no work, so the agent idled (up to
     * its park time; in the simulator, until its next timer: a leader left an ACKEPOCH unread for a
     * whole ping interval). A second read takes the rest.
     *
     * @return the messages read
     */
    int poll() {
        final int read = ring.read(this, MESSAGE_LIMIT);
        return read < MESSAGE_LIMIT ? read + ring.read(this, MESSAGE_LIMIT - read) : read;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        switch (msgTypeId) {
            case InboundMessages.NOTIFICATION -> {
                notification.wrap(buffer, index);
                election.onNotification(notification.fromSid(), notification.state(), notification.leader(),
                    notification.zxid(), notification.electionEpoch(), notification.peerEpoch(),
                    notification.version());
            }
            case InboundMessages.LEARNER_INFO -> {
                learnerInfo.wrap(buffer, index);
                links.onLearnerInfo(learnerInfo.fromSid(), learnerInfo.acceptedEpoch(), learnerInfo.flags());
            }
            case InboundMessages.LEARNER_REJECT -> links.onLearnerReject(sid(buffer, index));
            case InboundMessages.PEER_CONNECTED -> links.onPeerConnected(sid(buffer, index));
            case InboundMessages.PEER_DISCONNECTED -> links.onPeerDisconnected(sid(buffer, index));
            case InboundMessages.QUORUM_DISCONNECTED -> links.onQuorumDisconnected(sid(buffer, index));
            case InboundMessages.PEER_UNREACHABLE -> links.onPeerUnreachable(sid(buffer, index));
            case InboundMessages.PING -> links.onPing(zxid(buffer, index).fromSid());
            case InboundMessages.PING_ACK -> links.onPingAck(zxid(buffer, index).fromSid());
            case InboundMessages.LEADER_INFO -> follower.onLeaderInfo(zxid(buffer, index).fromSid(), zxid.zxid());
            case InboundMessages.NEW_LEADER -> follower.onNewLeader(zxid(buffer, index).fromSid(), zxid.zxid());
            case InboundMessages.ACK -> broadcast.onAck(zxid(buffer, index).fromSid(), zxid.zxid());
            case InboundMessages.COMMIT -> follower.onCommit(zxid(buffer, index).fromSid(), zxid.zxid());
            case InboundMessages.UP_TO_DATE -> follower.onUpToDate(zxid(buffer, index).fromSid(), zxid.zxid());
            case InboundMessages.ACK_EPOCH -> {
                ackEpoch.wrap(buffer, index);
                discovery.onAckEpoch(ackEpoch.fromSid(), ackEpoch.currentEpoch(), ackEpoch.lastZxid(),
                    ackEpoch.snapshotZxid());
            }
            case InboundMessages.SYNC_START -> {
                syncStart.wrap(buffer, index);
                follower.onSyncStart(syncStart.fromSid(), syncStart.mode(), syncStart.zxid());
            }
            case InboundMessages.SNAPSHOT_CHUNK -> {
                chunk.wrap(buffer, index);
                follower.onSnapshotChunk(chunk.fromSid(), chunk.zxid(), chunk.digest(), chunk.totalLength(),
                    chunk.position(), buffer, chunk.bytesOffset(), chunk.bytesLength());
            }
            case InboundMessages.PROPOSAL -> {
                proposal.wrap(buffer, index);
                follower.onProposal(proposal.fromSid(), proposal.zxid(), buffer, proposal.payloadOffset(),
                    proposal.payloadLength());
            }
            case InboundMessages.RECORDS -> {
                records.wrap(buffer, index);
                follower.onRecords(records.fromSid(), buffer, records.recordsOffset(), records.recordsLength(),
                    records.count());
            }
            case InboundMessages.WRITE -> {
                write.wrap(buffer, index);
                agent.onWrite(write.requestId(), buffer, write.payloadOffset(), write.payloadLength());
            }
            default -> agent.messageDropped();
        }
    }

    private long sid(final MutableDirectBuffer buffer, final int index) {
        sid.wrap(buffer, index);
        return sid.fromSid();
    }

    private ZxidFlyweight zxid(final MutableDirectBuffer buffer, final int index) {
        zxid.wrap(buffer, index);
        return zxid;
    }
}
