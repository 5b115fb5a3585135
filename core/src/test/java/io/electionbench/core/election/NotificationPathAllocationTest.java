package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.ServerState;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.doubles.DroppingPublisher;

/**
 * A guard, not the proof (JMH -prof gc is): handing notifications through the ring and tallying them
 * allocates nothing, even before the JIT compiles the loop.
 */
class NotificationPathAllocationTest {
    private static final int LOOKING = ServerState.LOOKING.code();

    @Test
    void tallyingAndAnsweringNotificationsAllocatesNothing() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final long[] now = {0};
        final MemberAgent agent = new MemberAgent(9, Ensemble.majority(9), ElectionPolicy.ZOOKEEPER, NodeTiming.DEFAULT,
            new AgentHarness.Storage(), new DroppingPublisher(), ElectionObserver.NONE,
            MemberAgent.newInboundRing(64 * 1024), () -> now[0]);
        final RingBuffer ring = agent.inbound();
        agent.doWork(0);
        InboundMessages.offerNotification(ring, 1, LOOKING, 1, 0, 5, 0, 2);
        pump(agent, ring, now, 50_000);
        final long tid = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(tid);
        pump(agent, ring, now, 200_000);
        final long after = threads.getThreadAllocatedBytes(tid);
        assertEquals(0, after - before, "bytes allocated for 200,000 notifications");
    }

    /** Votes from every peer in the current round (tallied) and from an older round (answered). */
    private static void pump(final MemberAgent agent, final RingBuffer ring, final long[] now, final int count) {
        for (int i = 0; i < count; i++) {
            final long from = 1 + (i % 8);
            final long round = (i & 1) == 0 ? 5 : 4;
            InboundMessages.offerNotification(ring, from, LOOKING, from % 4 + 1, 0, round, 0, 2);
            now[0] += 1000;
            agent.doWork(now[0]);
        }
    }
}
