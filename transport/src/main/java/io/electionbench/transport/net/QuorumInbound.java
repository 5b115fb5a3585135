package io.electionbench.transport.net;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.log.LogRecords;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;

/**
 * The quorum-port adapter's mapping from decoded wire messages to the agent's ring
 * ({@link InboundMessages}): pure functions, event loop only.
 */
final class QuorumInbound {
    /**
     * Bytes an inbound ring record adds in front of a payload, at most (SNAPSHOT_CHUNK's fixed fields,
     * see {@link InboundMessages}); a payload must fit {@code ring.maxMsgLength()} minus this.
     */
    static final int RING_RECORD_OVERHEAD = 48;
    /**
     * The most bytes of records one RECORDS ring record carries (a record larger than that goes alone): a
     * 128 KiB batch from the leader becomes two runs, so the agent logs the first while the second is copied.
     */
    static final int RUN_BYTES = 64 * 1024;

    private QuorumInbound() {
    }

    /** True for the types a peer may send on a quorum link (everything but the write-client protocol). */
    static boolean isPeerType(final int type) {
        return type != 0 && type != QuorumMessageCodec.WRITE && type != QuorumMessageCodec.RESULT;
    }

    /** True if the decoded message's payload can ever fit {@code ring}; a larger one would be refused for good. */
    static boolean fitsRing(final RingBuffer ring, final QuorumMessageCodec message) {
        final int largest = message.type() == QuorumMessageCodec.RECORDS
            ? message.maxRecordLength() : message.payloadLength();
        return largest <= ring.maxMsgLength() - RING_RECORD_OVERHEAD;
    }

    /**
     * Hands the records of a decoded (so checked) RECORDS frame to the agent's ring as RECORDS runs of
     * whole records, each as many as fit {@value #RUN_BYTES} bytes (at least one), from the record
     * {@code resumeAt} bytes into the records on: one ring record, one copy, per run instead of per txn.
     *
     * @return bytes into the records of the first record not handed over because the ring is full, or
     *         {@code m.payloadLength()} when every one was
     */
    static int offerRecords(final RingBuffer ring, final long from, final QuorumMessageCodec m, final ByteBuf buf,
        final ByteBufView view, final int resumeAt) {
        final int start = m.payloadOffset();
        final int end = start + m.payloadLength();
        final int runLimit = Math.min(RUN_BYTES, ring.maxMsgLength() - InboundMessages.RECORDS_HEADER_BYTES);
        int at = start + resumeAt;
        while (at < end) {
            int runEnd = at;
            int count = 0;
            while (runEnd < end) {
                final int recordBytes = LogRecords.HEADER_BYTES + buf.getIntLE(runEnd + LogRecords.LENGTH_OFFSET);
                if (count > 0 && runEnd - at + recordBytes > runLimit) {
                    break;
                }
                runEnd += recordBytes;
                count++;
            }
            final DirectBuffer run = view.wrap(buf, at, runEnd - at);
            if (!InboundMessages.offerRecords(ring, from, run, 0, runEnd - at, count)) {
                break;
            }
            at = runEnd;
        }
        return at - start;
    }

    /**
     * Hands a decoded peer message from {@code from} to the agent's ring.
     *
     * @return false when the ring is full (the caller keeps the frame and retries)
     */
    static boolean offer(final RingBuffer ring, final long from, final QuorumMessageCodec m, final ByteBuf buf,
        final ByteBufView view) {
        switch (m.type()) {
            case QuorumMessageCodec.LEARNER_INFO:
                return InboundMessages.offerLearnerInfo(ring, from, m.acceptedEpoch(), m.zxid(),
                    m.flags() & (InboundMessages.LEARNER_OBSERVER | InboundMessages.LEARNER_RESUME));
            case QuorumMessageCodec.LEARNER_REJECT:
                return InboundMessages.offerSidOnly(ring, InboundMessages.LEARNER_REJECT, from);
            case QuorumMessageCodec.PING:
                return InboundMessages.offerZxid(ring, InboundMessages.PING, from, m.zxid());
            case QuorumMessageCodec.PING_ACK:
                return InboundMessages.offerZxid(ring, InboundMessages.PING_ACK, from, m.zxid());
            case QuorumMessageCodec.LEADER_INFO:
                return InboundMessages.offerZxid(ring, InboundMessages.LEADER_INFO, from, m.epoch());
            case QuorumMessageCodec.ACK_EPOCH:
                return InboundMessages.offerAckEpoch(ring, from, m.epoch(), m.zxid(), m.snapshotZxid());
            case QuorumMessageCodec.SYNC_START:
                return InboundMessages.offerSyncStart(ring, from, m.mode(), m.zxid());
            case QuorumMessageCodec.SNAPSHOT_CHUNK: {
                final DirectBuffer bytes = view.wrap(buf, m.payloadOffset(), m.payloadLength());
                return InboundMessages.offerSnapshotChunk(ring, from, m.zxid(), m.digest(), m.totalLength(),
                    m.position(), bytes, 0, m.payloadLength());
            }
            case QuorumMessageCodec.PROPOSAL: {
                final DirectBuffer payload = view.wrap(buf, m.payloadOffset(), m.payloadLength());
                return InboundMessages.offerProposal(ring, from, m.zxid(), payload, 0, m.payloadLength());
            }
            case QuorumMessageCodec.NEW_LEADER:
                return InboundMessages.offerZxid(ring, InboundMessages.NEW_LEADER, from, m.zxid());
            case QuorumMessageCodec.ACK:
                return InboundMessages.offerZxid(ring, InboundMessages.ACK, from, m.zxid());
            case QuorumMessageCodec.COMMIT:
                return InboundMessages.offerZxid(ring, InboundMessages.COMMIT, from, m.zxid());
            case QuorumMessageCodec.UP_TO_DATE:
                return InboundMessages.offerZxid(ring, InboundMessages.UP_TO_DATE, from, m.zxid());
            default:
                throw new IllegalArgumentException("not a peer message type for offer: " + m.type());
        }
    }
}
