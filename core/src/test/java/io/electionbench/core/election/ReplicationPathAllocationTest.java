package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.doubles.DroppingPublisher;
import io.electionbench.core.sim.doubles.MemoryState;
import io.electionbench.core.sync.SyncMode;

/**
 * A guard, not the proof (JMH -prof gc is): in steady state the write path allocates nothing, on the
 * leader (write in, log, propose, ack in, commit, answer) and on a follower (proposal in, log, ack).
 */
class ReplicationPathAllocationTest {
    private static final int LOOKING = ServerState.LOOKING.code();
    private static final int WARMUP = 150_000;
    private static final int MEASURED = 200_000;
    /**
     * The JIT occasionally allocates a few hundred bytes once while it recompiles the loop; one object
     * per message would be at least 16 bytes x 200,000 = 3.2 MB. Below this bound, nothing is
     * allocated per message.
     */
    private static final long MAX_ONE_OFF_BYTES = 4096;

    /** A log sized for the whole test up front, so no buffer grows while measuring. */
    private static MemoryState presizedState() {
        return new MemoryState(new MemoryTxnLog(WARMUP + MEASURED + 16, (WARMUP + MEASURED + 16) * 16));
    }

    private static com.sun.management.ThreadMXBean threads() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        return (com.sun.management.ThreadMXBean)bean;
    }

    @Test
    void theLeadersWritePathAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads = threads();
        final long[] now = {0};
        final long[] committed = {0};
        final MemberAgent leader = new MemberAgent(3, Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT,
            presizedState(), new DroppingPublisher(), ElectionObserver.NONE,
            MemberAgent.newInboundRing(1 << 20), () -> now[0]);
        leader.writeListener((id, status, zxid, sid) -> committed[0] += status == WriteListener.COMMITTED ? 1 : 0);
        final RingBuffer ring = leader.inbound();
        leader.doWork(0);
        InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, 1);
        InboundMessages.offerNotification(ring, 1, LOOKING, 3, 0, 1, 0, 2);
        InboundMessages.offerNotification(ring, 2, LOOKING, 3, 0, 1, 0, 2);
        leader.doWork(1);
        leader.doWork(100_000_000);
        assertEquals(ServerState.LEADING, leader.state());
        InboundMessages.offerLearnerInfo(ring, 1, 0, 0, 0);
        InboundMessages.offerAckEpoch(ring, 1, 0, 0, -1);
        leader.doWork(100_000_001);
        InboundMessages.offerZxid(ring, InboundMessages.ACK, 1, Zxid.make(1, 0));
        leader.doWork(100_000_002);
        assertTrue(leader.isServing());
        now[0] = 100_000_002;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        pumpWrites(leader, ring, payload, now, 1, WARMUP);
        final long tid = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(tid);
        pumpWrites(leader, ring, payload, now, WARMUP + 1, MEASURED);
        final long after = threads.getThreadAllocatedBytes(tid);
        assertEquals(WARMUP + MEASURED, committed[0], "every write committed");
        assertTrue(after - before < MAX_ONE_OFF_BYTES,
            (after - before) + " bytes allocated for " + MEASURED + " writes");
    }

    private static void pumpWrites(final MemberAgent leader, final RingBuffer ring, final UnsafeBuffer payload,
        final long[] now, final long first, final int count) {
        for (long i = first; i < first + count; i++) {
            payload.putLong(0, i);
            InboundMessages.offerWrite(ring, i, payload, 0, 16);
            now[0] += 1000;
            leader.doWork(now[0]);
            InboundMessages.offerZxid(ring, InboundMessages.ACK, 1, Zxid.make(1, i));
            leader.doWork(now[0]);
        }
    }

    @Test
    void aFollowersProposalPathAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads = threads();
        final long[] now = {0};
        final MemberAgent follower = new MemberAgent(1, Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT,
            presizedState(), new DroppingPublisher(), ElectionObserver.NONE,
            MemberAgent.newInboundRing(1 << 20), () -> now[0]);
        final RingBuffer ring = follower.inbound();
        follower.doWork(0);
        InboundMessages.offerNotification(ring, 2, LOOKING, 3, 0, 1, 0, 2);
        InboundMessages.offerNotification(ring, 3, LOOKING, 3, 0, 1, 0, 2);
        follower.doWork(1);
        assertEquals(ServerState.FOLLOWING, follower.state());
        InboundMessages.offerZxid(ring, InboundMessages.LEADER_INFO, 3, 1);
        InboundMessages.offerSyncStart(ring, 3, SyncMode.DIFF.code(), 0);
        InboundMessages.offerZxid(ring, InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
        InboundMessages.offerZxid(ring, InboundMessages.UP_TO_DATE, 3, 0);
        follower.doWork(2);
        assertTrue(follower.isServing());
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        pumpProposals(follower, ring, payload, now, 1, WARMUP);
        final long tid = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(tid);
        pumpProposals(follower, ring, payload, now, WARMUP + 1, MEASURED);
        final long after = threads.getThreadAllocatedBytes(tid);
        assertEquals(Zxid.make(1, WARMUP + MEASURED), follower.storage().lastLoggedZxid());
        assertTrue(after - before < MAX_ONE_OFF_BYTES,
            (after - before) + " bytes allocated for " + MEASURED + " proposals");
    }

    private static void pumpProposals(final MemberAgent follower, final RingBuffer ring, final UnsafeBuffer payload,
        final long[] now, final long first, final int count) {
        for (long i = first; i < first + count; i++) {
            payload.putLong(0, i);
            InboundMessages.offerProposal(ring, 3, Zxid.make(1, i), payload, 0, 16);
            InboundMessages.offerZxid(ring, InboundMessages.COMMIT, 3, Zxid.make(1, i));
            now[0] += 1000;
            follower.doWork(now[0]);
        }
    }
}
