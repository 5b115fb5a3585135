package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

/** Every field an {@code offer} writes comes back from its kind's flyweight, at its documented place. */
class InboundFlyweightTest {
    private final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[] {9, 8, 7, 6, 5});

    @Test
    void notificationFieldsRoundTrip() {
        InboundMessages.offerNotification(ring, 3, 2, 5, 0x7_0000_0011L, 41, 7, 2);
        final NotificationFlyweight n = new NotificationFlyweight();
        readOne(InboundMessages.NOTIFICATION, n, NotificationFlyweight.LENGTH, () -> {
            assertEquals(3, n.fromSid());
            assertEquals(2, n.state());
            assertEquals(5, n.leader());
            assertEquals(0x7_0000_0011L, n.zxid());
            assertEquals(41, n.electionEpoch());
            assertEquals(7, n.peerEpoch());
            assertEquals(2, n.version());
        });
    }

    @Test
    void learnerRecordsRoundTrip() {
        InboundMessages.offerLearnerInfo(ring, 4, 6, 0x6_0000_0003L, InboundMessages.LEARNER_OBSERVER);
        final LearnerInfoFlyweight info = new LearnerInfoFlyweight();
        readOne(InboundMessages.LEARNER_INFO, info, LearnerInfoFlyweight.LENGTH, () -> {
            assertEquals(4, info.fromSid());
            assertEquals(6, info.acceptedEpoch());
            assertEquals(InboundMessages.LEARNER_OBSERVER, info.flags());
        });

        InboundMessages.offerAckEpoch(ring, 2, 5, 0x5_0000_0009L, 0x5_0000_0001L);
        final AckEpochFlyweight ack = new AckEpochFlyweight();
        readOne(InboundMessages.ACK_EPOCH, ack, AckEpochFlyweight.LENGTH, () -> {
            assertEquals(2, ack.fromSid());
            assertEquals(5, ack.currentEpoch());
            assertEquals(0x5_0000_0009L, ack.lastZxid());
            assertEquals(0x5_0000_0001L, ack.snapshotZxid());
        });

        InboundMessages.offerSyncStart(ring, 1, 3, 0x4_0000_0002L);
        final SyncStartFlyweight sync = new SyncStartFlyweight();
        readOne(InboundMessages.SYNC_START, sync, SyncStartFlyweight.LENGTH, () -> {
            assertEquals(1, sync.fromSid());
            assertEquals(3, sync.mode());
            assertEquals(0x4_0000_0002L, sync.zxid());
        });
    }

    @Test
    void sidAndZxidRecordsRoundTrip() {
        InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, 9);
        final SidFlyweight sid = new SidFlyweight();
        readOne(InboundMessages.QUORUM_DISCONNECTED, sid, SidFlyweight.LENGTH, () -> {
            assertEquals(9, sid.fromSid());
        });

        InboundMessages.offerZxid(ring, InboundMessages.COMMIT, 8, 0x3_0000_0004L);
        final ZxidFlyweight zxid = new ZxidFlyweight();
        readOne(InboundMessages.COMMIT, zxid, ZxidFlyweight.LENGTH, () -> {
            assertEquals(8, zxid.fromSid());
            assertEquals(0x3_0000_0004L, zxid.zxid());
        });
    }

    @Test
    void payloadRecordsRoundTrip() {
        InboundMessages.offerProposal(ring, 2, 0x2_0000_0001L, payload, 1, 3);
        final ProposalFlyweight p = new ProposalFlyweight();
        readOne(InboundMessages.PROPOSAL, p, ProposalFlyweight.PAYLOAD_OFFSET + 3, () -> {
            assertEquals(2, p.fromSid());
            assertEquals(0x2_0000_0001L, p.zxid());
            assertEquals(3, p.payloadLength());
            assertEquals(8, p.buffer.getByte(p.payloadOffset()));
            assertEquals(6, p.buffer.getByte(p.payloadOffset() + 2));
        });

        InboundMessages.offerSnapshotChunk(ring, 3, 0x2_0000_0005L, 77, 1000, 512, payload, 0, 5);
        final SnapshotChunkFlyweight c = new SnapshotChunkFlyweight();
        readOne(InboundMessages.SNAPSHOT_CHUNK, c, SnapshotChunkFlyweight.BYTES_OFFSET + 5, () -> {
            assertEquals(3, c.fromSid());
            assertEquals(0x2_0000_0005L, c.zxid());
            assertEquals(77, c.digest());
            assertEquals(1000, c.totalLength());
            assertEquals(512, c.position());
            assertEquals(5, c.bytesLength());
            assertEquals(5, c.buffer.getByte(c.bytesOffset() + 4));
        });

        InboundMessages.offerWrite(ring, 0xABCDL, payload, 2, 2);
        final WriteFlyweight w = new WriteFlyweight();
        readOne(InboundMessages.WRITE, w, WriteFlyweight.PAYLOAD_OFFSET + 2, () -> {
            assertEquals(0xABCDL, w.requestId());
            assertEquals(2, w.payloadLength());
            assertEquals(7, w.buffer.getByte(w.payloadOffset()));
        });
    }

    /** Reads the ring's one record through the flyweight, checked inside the read: a read record is zeroed. */
    private void readOne(final int type, final InboundFlyweight flyweight, final int length, final Runnable check) {
        final int read = ring.read((msgTypeId, buffer, index, len) -> {
            assertEquals(type, msgTypeId);
            assertEquals(length, len);
            flyweight.wrap(buffer, index);
            check.run();
        }, 1);
        assertEquals(1, read);
    }
}
