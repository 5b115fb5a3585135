package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;

/**
 * The agent thread's election-duration histogram: buckets as Prometheus reads them ({@code le}, upper bound
 * included), recording allocates nothing, and a reader never sees the sum and the buckets disagree or the counts
 * go back.
 */
class ElectionDurationsTest {
    private static final int BUCKETS = ElectionDurations.UPPER_BOUNDS_SECONDS.length;

    @Test
    void eachDurationLandsInTheFirstBucketWhoseBoundHoldsIt() {
        final ElectionDurations durations = new ElectionDurations();
        durations.record(0);
        durations.record(TimeUnit.MILLISECONDS.toNanos(1));
        durations.record(TimeUnit.MILLISECONDS.toNanos(1) + 1);
        durations.record(TimeUnit.MILLISECONDS.toNanos(300));
        durations.record(TimeUnit.MINUTES.toNanos(5));
        durations.record(-5);
        final long[] counts = new long[BUCKETS];
        final long sumNs = durations.read(counts);
        final long[] expected = new long[BUCKETS];
        expected[0] = 3;
        expected[1] = 1;
        expected[8] = 1;
        expected[BUCKETS - 1] = 1;
        assertArrayEquals(expected, counts);
        assertEquals(0.5, ElectionDurations.UPPER_BOUNDS_SECONDS[8]);
        assertEquals(2_000_001L + 300_000_000L + TimeUnit.MINUTES.toNanos(5), sumNs);
    }

    @Test
    void recordingAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ElectionDurations durations = new ElectionDurations();
        recordMany(durations, 200_000);
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        recordMany(durations, 1_000_000);
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes");
        final long[] counts = new long[BUCKETS];
        durations.read(counts);
        long total = 0;
        for (final long count : counts) {
            total += count;
        }
        assertEquals(1_200_000, total);
    }

    /**
     * Every recorded election takes 3 ms, so a consistent copy has a sum of exactly 3 ms times its count. The
     * writer records every 2 us, far more often than any member decides an election; on shared cores it is also
     * preempted halfway through a record now and then, when the reader has to answer with its last copy.
     */
    @Test
    void aReaderNeverSeesTheSumAndTheBucketsDisagree() throws Exception {
        final ElectionDurations durations = new ElectionDurations();
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(3);
        final AtomicBoolean done = new AtomicBoolean();
        final Thread writer = new Thread(() -> {
            for (int i = 0; i < 200_000; i++) {
                durations.record(durationNs);
                final long nextNs = System.nanoTime() + 2_000;
                while (System.nanoTime() < nextNs) {
                    Thread.onSpinWait();
                }
            }
            done.set(true);
        }, "agent");
        writer.start();
        final long[] counts = new long[BUCKETS];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int reads = 0;
        long previous = 0;
        while (!done.get() && System.nanoTime() < deadline) {
            final long sumNs = durations.read(counts);
            long total = 0;
            for (final long count : counts) {
                total += count;
            }
            assertEquals(total * durationNs, sumNs, "read " + reads + ": " + total + " elections");
            assertTrue(total >= previous, "read " + reads + ": " + total + " elections after " + previous);
            previous = total;
            reads++;
        }
        writer.join(TimeUnit.SECONDS.toMillis(20));
        assertTrue(done.get(), "the writer finished");
        assertTrue(reads > 0, "read while it wrote");
    }

    /**
     * A writer preempted halfway through a record (sequence odd, the bucket counted, the sum not yet): a reader
     * answers within its bound with the last consistent copy, not the torn cells. The halfway state is set by hand
     * through the private fields, as the preemption that once produced it in a full build cannot be scheduled.
     */
    @Test
    void aWriterStoppedHalfwayGetsTheLastConsistentCopy() throws Exception {
        final ElectionDurations durations = new ElectionDurations();
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(3);
        durations.record(durationNs);
        final long[] counts = new long[BUCKETS];
        assertEquals(durationNs, durations.read(counts));
        ((AtomicLong)field("sequence").get(durations)).incrementAndGet();
        final AtomicLongArray cells = (AtomicLongArray)field("cells").get(durations);
        cells.incrementAndGet(2);
        final long startNs = System.nanoTime();
        final long sumNs = durations.read(counts);
        final long tookNs = System.nanoTime() - startNs;
        assertEquals(durationNs, sumNs);
        assertEquals(1, counts[2], "the last consistent copy: the one election of 3 ms, not the half-recorded one");
        assertTrue(tookNs < TimeUnit.SECONDS.toNanos(1), "answered in " + tookNs / 1_000_000 + " ms");
    }

    private static Field field(final String name) throws NoSuchFieldException {
        final Field field = ElectionDurations.class.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static void recordMany(final ElectionDurations durations, final int count) {
        for (int i = 0; i < count; i++) {
            durations.record((i & 1023) * 1_000_000L);
        }
    }
}
