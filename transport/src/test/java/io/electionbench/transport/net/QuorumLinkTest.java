package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.PeerPublisher;

/**
 * The quorum link between two real transports over loopback: every recovery message arrives as its
 * ring record, nothing is sent on a down link except the kept LEARNER_INFO, a dropped link reaches
 * the agent as a QUORUM_DISCONNECTED, healing an isolation that dropped quorum frames resets the
 * connection, and a full ring pauses the link instead of dropping anything.
 */
@ExtendWith(LeakWatch.class)
class QuorumLinkTest {
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void everyQuorumMessageArrivesAsItsRingRecord() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final PeerPublisher publisher = nodes.node(2).publisher();
            final UnsafeBuffer bytes = new UnsafeBuffer(new byte[100]);
            for (int i = 0; i < 100; i++) {
                bytes.putByte(i, (byte)(i + 3));
            }
            assertTrue(publisher.isWritable(1));
            assertTrue(publisher.sendLeaderInfo(1, 7));
            assertTrue(publisher.sendAckEpoch(1, -1, 0x6_0000_0009L, 0x6_0000_0002L));
            assertTrue(publisher.sendSyncStart(1, 15, 0x6_0000_0004L));
            assertTrue(publisher.sendSnapshotChunk(1, 0x6_0000_0004L, 0xD16E57L, 250, 200, bytes, 50, 50));
            assertTrue(publisher.sendProposal(1, 0x7_0000_0001L, bytes, 10, 20));
            assertTrue(publisher.sendNewLeader(1, 0x7_0000_0000L));
            assertTrue(publisher.sendAck(1, 0x7_0000_0001L));
            assertTrue(publisher.sendCommit(1, 0x7_0000_0001L));
            assertTrue(publisher.sendUpToDate(1, 0x7_0000_0001L));
            assertTrue(publisher.sendLearnerInfo(1, 6, 0x6_0000_0009L, QuorumMessageCodec.FLAG_OBSERVER));
            assertTrue(publisher.sendPing(1, 4));
            assertTrue(publisher.sendPingAck(1, 5));
            assertTrue(publisher.sendLearnerReject(1));

            final List<InboundRecord> got = drain(nodes.ring(1), 13);
            assertEquals(InboundMessages.LEADER_INFO, got.get(0).type);
            assertEquals(7L, got.get(0).longs[0]);
            assertEquals(InboundMessages.ACK_EPOCH, got.get(1).type);
            assertArrayEquals(new long[] {-1, 0x6_0000_0009L, 0x6_0000_0002L}, got.get(1).longs);
            assertEquals(InboundMessages.SYNC_START, got.get(2).type);
            assertEquals(15, got.get(2).mode);
            assertEquals(0x6_0000_0004L, got.get(2).longs[0]);
            assertEquals(InboundMessages.SNAPSHOT_CHUNK, got.get(3).type);
            assertArrayEquals(new long[] {0x6_0000_0004L, 0xD16E57L, 250, 200}, got.get(3).longs);
            assertEquals(50, got.get(3).payload.length);
            assertEquals((byte)53, got.get(3).payload[0]);
            assertEquals(InboundMessages.PROPOSAL, got.get(4).type);
            assertEquals(0x7_0000_0001L, got.get(4).longs[0]);
            assertEquals(20, got.get(4).payload.length);
            assertEquals((byte)13, got.get(4).payload[0]);
            assertEquals((byte)32, got.get(4).payload[19]);
            final int[] zxidTypes = {InboundMessages.NEW_LEADER, InboundMessages.ACK, InboundMessages.COMMIT,
                InboundMessages.UP_TO_DATE};
            final long[] zxids = {0x7_0000_0000L, 0x7_0000_0001L, 0x7_0000_0001L, 0x7_0000_0001L};
            for (int i = 0; i < zxidTypes.length; i++) {
                assertEquals(zxidTypes[i], got.get(5 + i).type);
                assertEquals(zxids[i], got.get(5 + i).longs[0]);
            }
            assertEquals(InboundMessages.LEARNER_INFO, got.get(9).type);
            assertArrayEquals(new long[] {6, 0x6_0000_0009L}, got.get(9).longs);
            assertEquals(1, got.get(9).mode, "observer");
            assertEquals(InboundMessages.PING, got.get(10).type);
            assertEquals(InboundMessages.PING_ACK, got.get(11).type);
            assertEquals(InboundMessages.LEARNER_REJECT, got.get(12).type);
            for (final InboundRecord record : got) {
                assertEquals(2L, record.from);
            }
            assertEquals(13, nodes.counters(1).get(TransportCounters.QUORUM_RECEIVED));
        }
    }

    @Test
    void aDownLinkRefusesRecoveryMessagesAndKeepsTheLearnerInfo() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            final PeerPublisher publisher = nodes.node(2).publisher();
            assertFalse(publisher.isWritable(1));
            assertFalse(publisher.sendLeaderInfo(1, 1));
            assertFalse(publisher.sendProposal(1, 1, new UnsafeBuffer(new byte[8]), 0, 8));
            assertFalse(publisher.sendAck(1, 1));
            assertFalse(publisher.sendCommit(9, 1), "no such member");
            assertFalse(publisher.isWritable(9));
            assertTrue(publisher.sendPing(1, 3), "dropped with the link, as before");
            assertTrue(publisher.sendLearnerInfo(1, 2, 0x2_0000_0001L, 0), "kept until the link is up");
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final InboundRecord info = drain(nodes.ring(1), 1).get(0);
            assertEquals(InboundMessages.LEARNER_INFO, info.type);
            assertArrayEquals(new long[] {2, 0x2_0000_0001L}, info.longs);
            assertTrue(publisher.sendCommit(1, 5));
            assertEquals(InboundMessages.COMMIT, drain(nodes.ring(1), 1).get(0).type, "the ping was not sent");
        }
    }

    @Test
    void aDroppedLinkEndsTheRelationshipForTheAgent() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            nodes.node(2).close();
            final InboundRecord reset = drain(nodes.ring(1), 1).get(0);
            assertEquals(InboundMessages.QUORUM_DISCONNECTED, reset.type);
            assertEquals(2L, reset.from);
            assertFalse(nodes.node(1).isQuorumLinkUp(2));
        }
    }

    /**
     * An injected isolation drops a COMMIT on the quorum link, leaving a hole TCP never would: healing
     * resets that connection, so the peer's agent hears the relationship end (and resyncs) instead of
     * going on without the commit; the link then comes back and carries messages again.
     */
    @Test
    void healingAnIsolationThatDroppedAQuorumFrameResetsTheConnection() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            nodes.node(2).enableFaults().isolate(1);
            assertTrue(nodes.node(2).publisher().sendCommit(1, 41));
            Loopback.await(TIMEOUT_MS, "the commit dropped", () ->
                nodes.counters(2).get(TransportCounters.FAULT_DROPPED) >= 1);
            final long linksDown = nodes.counters(2).get(TransportCounters.LINKS_DOWN);
            nodes.node(2).healFaults();
            final InboundRecord reset = drain(nodes.ring(1), 1).get(0);
            assertEquals(InboundMessages.QUORUM_DISCONNECTED, reset.type,
                "the relationship ends, not a silent gap: " + reset);
            assertEquals(2L, reset.from);
            assertTrue(nodes.counters(2).get(TransportCounters.LINKS_DOWN) > linksDown);
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final long[] commits = {0};
            Loopback.await(TIMEOUT_MS, "a commit over the new connection", () -> {
                nodes.node(2).publisher().sendCommit(1, 42);
                nodes.ring(1).read((type, buffer, index, length) -> {
                    if (type == InboundMessages.COMMIT && buffer.getLong(index + 8) == 42) {
                        commits[0]++;
                    }
                });
                return commits[0] >= 1;
            });
        }
    }

    /**
     * The agent could not send to a learner and asks for its link to be reset
     * ({@link PeerPublisher#resetQuorumLink}): the connection closes, both agents hear the relationship
     * end (QUORUM_DISCONNECTED), the reset is counted, and the link comes back and carries messages.
     */
    @Test
    void aResetRequestedByTheAgentClosesTheConnectionAndItComesBack() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final long linksDown = nodes.counters(2).get(TransportCounters.LINKS_DOWN);
            nodes.node(2).publisher().resetQuorumLink(1);
            final InboundRecord atPeer = drain(nodes.ring(1), 1).get(0);
            assertEquals(InboundMessages.QUORUM_DISCONNECTED, atPeer.type, "the learner sees the drop: " + atPeer);
            assertEquals(2L, atPeer.from);
            final InboundRecord atSelf = drain(nodes.ring(2), 1).get(0);
            assertEquals(InboundMessages.QUORUM_DISCONNECTED, atSelf.type,
                "and so does the agent that asked: " + atSelf);
            assertEquals(1, nodes.counters(2).get(TransportCounters.QUORUM_RESETS));
            assertTrue(nodes.counters(2).get(TransportCounters.LINKS_DOWN) > linksDown);
            nodes.node(2).publisher().resetQuorumLink(9);
            assertEquals(1, nodes.counters(2).get(TransportCounters.QUORUM_RESETS), "no such member: nothing to reset");
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final long[] commits = {0};
            Loopback.await(TIMEOUT_MS, "a commit over the new connection", () -> {
                nodes.node(2).publisher().sendCommit(1, 43);
                nodes.ring(1).read((type, buffer, index, length) -> {
                    if (type == InboundMessages.COMMIT && buffer.getLong(index + 8) == 43) {
                        commits[0]++;
                    }
                });
                return commits[0] >= 1;
            });
        }
    }

    @Test
    void healReportsOnlyThePeersWhoseQuorumFramesWereDropped() {
        final FaultFilter faults = new FaultFilter(io.electionbench.core.quorum.Ensemble.majority(3));
        assertTrue(faults.enable());
        faults.isolate(2);
        assertEquals(0, faults.heal(), "an isolation that dropped no quorum frame leaves connections alone");
        faults.isolate(2, 3);
        faults.quorumFrameDropped(1);
        faults.quorumFrameDropped(1);
        faults.quorumFrameDropped(2);
        assertEquals(0b110, faults.heal());
        assertFalse(faults.isIsolated(1) || faults.isIsolated(2));
        assertEquals(0, faults.heal(), "each hole is reported once");
    }

    /**
     * A stream of 4,000 proposals of 1 KiB (4 MB), with a COMMIT after every tenth, into a 64 KiB ring
     * drained slowly: everything arrives, in order, nothing is dropped, and the link paused.
     */
    @Test
    void aFullRingPausesTheLinkAndLosesNothing() throws Exception {
        final int proposals = 4_000;
        final int payloadBytes = 1024;
        try (Loopback nodes = new Loopback(2, null, 64 * 1024)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final SlowConsumer consumer = new SlowConsumer(nodes.ring(1), proposals + proposals / 10, payloadBytes,
                () -> nodes.counters(1).get(TransportCounters.INBOUND_PAUSED) > 0);
            consumer.start();
            final PeerPublisher publisher = nodes.node(2).publisher();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
            final long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            for (int zxid = 1; zxid <= proposals; zxid++) {
                while (!publisher.isWritable(1)) {
                    assertTrue(System.nanoTime() - deadline < 0, "the link never became writable again");
                    LockSupport.parkNanos(10_000);
                }
                payload.putLong(0, zxid);
                payload.putLong(payloadBytes - 8, -zxid);
                assertTrue(publisher.sendProposal(1, zxid, payload, 0, payloadBytes), "proposal " + zxid);
                if (zxid % 10 == 0) {
                    assertTrue(publisher.sendCommit(1, zxid));
                }
            }
            consumer.join(TIMEOUT_MS);
            assertFalse(consumer.isAlive(), "consumer finished");
            assertEquals("", consumer.error.toString());
            assertEquals(proposals + proposals / 10, consumer.received.get());
            assertTrue(nodes.counters(1).get(TransportCounters.INBOUND_PAUSED) > 0, "the link paused");
            assertEquals(0, nodes.counters(1).get(TransportCounters.INBOUND_DROPPED));
            assertEquals(proposals + proposals / 10, nodes.counters(1).get(TransportCounters.QUORUM_RECEIVED));
        }
    }

    /** Drains a ring a few records at a time, checking order and content as the stream was sent. */
    private static final class SlowConsumer extends Thread {
        final AtomicInteger received = new AtomicInteger();
        final StringBuilder error = new StringBuilder();
        private final RingBuffer ring;
        private final int expected;
        private final int payloadBytes;
        private final AtomicBoolean isDone = new AtomicBoolean();
        private long lastProposal;

        private final java.util.function.BooleanSupplier hasPaused;

        /** @param hasPaused the consumer reads nothing until this holds, so the ring fills and the link must pause */
        SlowConsumer(final RingBuffer ring, final int expected, final int payloadBytes,
            final java.util.function.BooleanSupplier hasPaused) {
            super("slow-consumer");
            setDaemon(true);
            this.ring = ring;
            this.expected = expected;
            this.payloadBytes = payloadBytes;
            this.hasPaused = hasPaused;
        }

        @Override
        public void run() {
            final long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            while (!hasPaused.getAsBoolean() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(100_000);
            }
            while (received.get() < expected && error.length() == 0 && System.nanoTime() - deadline < 0) {
                ring.read((type, buffer, index, length) -> check(InboundRecord.read(type, buffer, index)), 2);
                // Pacing, not waiting for an outcome: this consumer is meant to be slower than the link.
                LockSupport.parkNanos(20_000);
            }
            isDone.set(true);
        }

        private void check(final InboundRecord record) {
            if (record.type == InboundMessages.PROPOSAL) {
                final long zxid = record.longs[0];
                final UnsafeBuffer payload = new UnsafeBuffer(record.payload);
                if (zxid != lastProposal + 1 || payload.getLong(0) != zxid
                    || payload.getLong(payloadBytes - 8) != -zxid) {
                    error.append("proposal ").append(zxid).append(" after ").append(lastProposal);
                }
                lastProposal = zxid;
                received.incrementAndGet();
            } else if (record.type == InboundMessages.COMMIT) {
                if (record.longs[0] != lastProposal || lastProposal % 10 != 0) {
                    error.append("commit ").append(record.longs[0]).append(" after proposal ").append(lastProposal);
                }
                received.incrementAndGet();
            } else if (record.type != InboundMessages.PEER_CONNECTED) {
                error.append("unexpected ").append(record);
            }
        }
    }

    /** Reads {@code count} quorum records (skipping the election link's PEER_CONNECTED), waiting up to the timeout. */
    static List<InboundRecord> drain(final RingBuffer ring, final int count) {
        final List<InboundRecord> records = new ArrayList<>();
        Loopback.await(TIMEOUT_MS, count + " records (have " + records + ")", () -> {
            ring.read((type, buffer, index, length) -> {
                if (type != InboundMessages.PEER_CONNECTED && type != InboundMessages.PEER_DISCONNECTED) {
                    records.add(InboundRecord.read(type, buffer, index));
                }
            });
            return records.size() >= count;
        });
        return records;
    }
}
