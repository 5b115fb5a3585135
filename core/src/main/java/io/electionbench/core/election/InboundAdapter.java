package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Bytes to calls: drains an agent's inbound ring and hands each message, read in place, to the
 * {@link MemberAgent} handler of its kind (Aeron's {@code ConsensusAdapter}). The layouts and
 * their offsets are {@link InboundMessages}'s, documented there once; this class is their only
 * reader. Agent thread only; nothing is allocated.
 */
final class InboundAdapter implements MessageHandler {
    /** Messages read per ring read; a duty cycle reads at most twice this many. */
    static final int MESSAGE_LIMIT = 256;

    private final RingBuffer ring;
    private final MemberAgent agent;

    InboundAdapter(final RingBuffer ring, final MemberAgent agent) {
        this.ring = ring;
        this.agent = agent;
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
        final long from = buffer.getLong(index + InboundMessages.FROM_OFFSET);
        switch (msgTypeId) {
            case InboundMessages.NOTIFICATION:
                agent.onNotification(from,
                    buffer.getInt(index + InboundMessages.N_STATE_OFFSET),
                    buffer.getLong(index + InboundMessages.N_LEADER_OFFSET),
                    buffer.getLong(index + InboundMessages.N_ZXID_OFFSET),
                    buffer.getLong(index + InboundMessages.N_ELECTION_EPOCH_OFFSET),
                    buffer.getLong(index + InboundMessages.N_PEER_EPOCH_OFFSET),
                    buffer.getInt(index + InboundMessages.N_VERSION_OFFSET));
                break;
            case InboundMessages.LEARNER_INFO:
                agent.onLearnerInfo(from, buffer.getLong(index + InboundMessages.LI_ACCEPTED_EPOCH_OFFSET),
                    buffer.getInt(index + InboundMessages.LI_FLAGS_OFFSET));
                break;
            case InboundMessages.LEARNER_REJECT:
                agent.onLearnerReject(from);
                break;
            case InboundMessages.PING:
                agent.onPing(from);
                break;
            case InboundMessages.PING_ACK:
                agent.onPingAck(from);
                break;
            case InboundMessages.PEER_CONNECTED:
                agent.onPeerConnected(from);
                break;
            case InboundMessages.PEER_DISCONNECTED:
                agent.onPeerDisconnected(from);
                break;
            case InboundMessages.QUORUM_DISCONNECTED:
                agent.onQuorumDisconnected(from);
                break;
            default:
                onQuorumMessage(msgTypeId, buffer, index, from);
        }
    }

    /** The recovery and broadcast messages of the quorum port, and client writes. */
    private void onQuorumMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final long from) {
        switch (msgTypeId) {
            case InboundMessages.LEADER_INFO:
                agent.onLeaderInfo(from, buffer.getLong(index + InboundMessages.ZXID_OFFSET));
                break;
            case InboundMessages.ACK_EPOCH:
                agent.onAckEpoch(from, buffer.getLong(index + InboundMessages.AE_CURRENT_EPOCH_OFFSET),
                    buffer.getLong(index + InboundMessages.AE_LAST_ZXID_OFFSET),
                    buffer.getLong(index + InboundMessages.AE_SNAPSHOT_ZXID_OFFSET));
                break;
            case InboundMessages.SYNC_START:
                agent.onSyncStart(from, buffer.getInt(index + InboundMessages.SS_MODE_OFFSET),
                    buffer.getLong(index + InboundMessages.SS_ZXID_OFFSET));
                break;
            case InboundMessages.SNAPSHOT_CHUNK:
                agent.onSnapshotChunk(from, buffer.getLong(index + InboundMessages.SC_ZXID_OFFSET),
                    buffer.getLong(index + InboundMessages.SC_DIGEST_OFFSET),
                    buffer.getLong(index + InboundMessages.SC_TOTAL_OFFSET),
                    buffer.getLong(index + InboundMessages.SC_POSITION_OFFSET),
                    buffer, index + InboundMessages.SC_BYTES_OFFSET,
                    buffer.getInt(index + InboundMessages.SC_LENGTH_OFFSET));
                break;
            case InboundMessages.PROPOSAL:
                agent.onProposal(from, buffer.getLong(index + InboundMessages.P_ZXID_OFFSET),
                    buffer, index + InboundMessages.P_PAYLOAD_OFFSET,
                    buffer.getInt(index + InboundMessages.P_LENGTH_OFFSET));
                break;
            case InboundMessages.NEW_LEADER:
                agent.onNewLeader(from, buffer.getLong(index + InboundMessages.ZXID_OFFSET));
                break;
            case InboundMessages.ACK:
                agent.onAck(from, buffer.getLong(index + InboundMessages.ZXID_OFFSET));
                break;
            case InboundMessages.COMMIT:
                agent.onCommit(from, buffer.getLong(index + InboundMessages.ZXID_OFFSET));
                break;
            case InboundMessages.UP_TO_DATE:
                agent.onUpToDate(from, buffer.getLong(index + InboundMessages.ZXID_OFFSET));
                break;
            case InboundMessages.WRITE:
                agent.onWrite(buffer.getLong(index + InboundMessages.W_REQUEST_OFFSET),
                    buffer, index + InboundMessages.W_PAYLOAD_OFFSET,
                    buffer.getInt(index + InboundMessages.W_LENGTH_OFFSET));
                break;
            default:
                agent.messageDropped();
        }
    }
}
