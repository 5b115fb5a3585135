package io.electionbench.core.sim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The delivery queue runs events in time order and simultaneous ones in the order they were
 * scheduled, which is what makes a seed's run the same every time; and events go back to the pool
 * of their kind, to be reused.
 */
class EventQueueTest {
    private final SimEvent.Pool<SimEvent.ZxidMessage> pool =
        new SimEvent.Pool<>(SimEvent.Path.QUORUM, SimEvent.ZxidMessage::new);

    private SimEvent.ZxidMessage event(final long timeNs, final long tag) {
        final SimEvent.ZxidMessage e = pool.acquire();
        e.timeNs = timeNs;
        e.zxid = tag;
        return e;
    }

    @Test
    void eventsRunInTimeOrderAndTiesInSchedulingOrder() {
        final EventQueue queue = new EventQueue();
        final SplittableRandom random = new SplittableRandom(11);
        final List<long[]> scheduled = new ArrayList<>();
        // More events than the heap's first allocation, few distinct times: many ties, and growth.
        for (int i = 0; i < 1000; i++) {
            final long timeNs = random.nextInt(20);
            scheduled.add(new long[] {timeNs, i});
            queue.add(event(timeNs, i));
        }
        scheduled.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (final long[] expected : scheduled) {
            final SimEvent.ZxidMessage e = (SimEvent.ZxidMessage)queue.poll();
            assertEquals(expected[0], e.timeNs);
            assertEquals(expected[1], e.zxid, "at " + e.timeNs + " ns");
        }
        assertNull(queue.poll());
    }

    @Test
    void aReleasedEventIsReusedByItsPool() {
        final EventQueue queue = new EventQueue();
        final SimEvent.ZxidMessage first = event(5, 1);
        final SimEvent.ZxidMessage second = event(5, 2);
        queue.add(first);
        queue.add(second);
        queue.clear();
        assertEquals(0, queue.size());
        assertSame(second, pool.acquire(), "the last released comes back first");
        assertSame(first, pool.acquire());
        final SimEvent.ZxidMessage fresh = pool.acquire();
        assertEquals(SimEvent.Path.QUORUM, fresh.path);
        assertNull(fresh.next);
    }
}
