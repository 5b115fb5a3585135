package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guard, not the proof (JMH -prof gc is): appending allocates nothing per record once the index
 * and staging buffer have grown, with {@link FsyncPolicy#NEVER} and no segment roll, and under
 * {@link FsyncPolicy#BATCH} posting the threshold forces to the writeback thread allocates nothing either.
 */
class FileTxnLogAllocationTest {
    private static final int APPENDS = 100_000;

    @TempDir
    Path dir;

    @Test
    void appendingAllocatesNothingInSteadyState() throws Exception {
        assertAppendsAllocateNothing(new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER));
    }

    @Test
    void postingBackgroundForcesAllocatesNothingInSteadyState() throws Exception {
        final FileTxnLog.Options options = new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.BATCH).batchAppends(2_000);
        final BackgroundForcer forcer = assertAppendsAllocateNothing(options);
        assertNotNull(forcer.thread(), "the thresholds posted forces");
        assertNull(forcer.failure());
    }

    /** Returns the log's background forcer, if it has one. */
    private BackgroundForcer assertAppendsAllocateNothing(final FileTxnLog.Options options) throws Exception {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        try (FileTxnLog log = FileTxnLog.open(dir, options)) {
            appendRange(log, payload, 1, APPENDS);
            // Keep one record so the segment (and its channel) stays; the index keeps its capacity. More
            // warm-up rounds let the JIT settle: a recompilation re-materialises a few scalar-replaced
            // objects once (about 100 bytes), which is not per record. Appends reach the file once per
            // staging buffer (about 800 records here), so that path gets hot late.
            for (int round = 0; round < 3; round++) {
                log.truncateAfter(1);
                appendRange(log, payload, 2, APPENDS);
            }
            // The least of three measured rounds: a late recompilation allocates once (up to ~150
            // bytes, seen under a loaded CI machine), while one allocation per append would be at
            // least 1.6 MB a round and one per staging flush (every ~800 appends) a few KB.
            final long tid = Thread.currentThread().getId();
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                log.truncateAfter(1);
                final long before = threads.getThreadAllocatedBytes(tid);
                appendRange(log, payload, 2, APPENDS);
                least = Math.min(least, threads.getThreadAllocatedBytes(tid) - before);
            }
            assertTrue(least <= 256,
                least + " bytes allocated for " + APPENDS + " appends in the best of three rounds");
            assertEquals(APPENDS + 1, log.entryCount());
            return log.backgroundForcer();
        }
    }

    /** A learner's sync stream logged in runs ({@link FileTxnLog#appendRecords}) allocates nothing either. */
    @Test
    void appendingRunsAllocatesNothingInSteadyState() throws Exception {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final int perRun = 400;
        final UnsafeBuffer[] runs = new UnsafeBuffer[APPENDS / perRun];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = FileTxnLogAppendRecordsTest.run(2 + (long)i * perRun, 1 + (long)(i + 1) * perRun);
        }
        try (FileTxnLog log = FileTxnLog.open(dir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.BATCH)
            .segmentBytes(1L << 30))) {
            FileTxnLogAppendRecordsTest.appendRun(log, 1, 1);
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                log.truncateAfter(io.electionbench.core.Zxid.make(1, 1));
                final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                for (final UnsafeBuffer run : runs) {
                    log.appendRecordsDeferred(run, 3, run.capacity() - 3);
                }
                if (round >= 3) {
                    least = Math.min(least, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
                }
            }
            assertTrue(least <= 256, least + " bytes allocated for " + APPENDS + " records in runs, best of three");
            assertEquals(APPENDS + 1, log.entryCount());
        }
    }

    @Test
    void memoryLogAppendsAllocateNothingInSteadyState() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final MemoryTxnLog log = new MemoryTxnLog();
        appendRange(log, payload, 1, APPENDS);
        log.truncateAfter(1);
        final long tid = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(tid);
        appendRange(log, payload, 2, APPENDS);
        assertEquals(0, threads.getThreadAllocatedBytes(tid) - before, "bytes allocated for " + APPENDS + " appends");
    }

    private static void appendRange(final TxnLog log, final UnsafeBuffer payload, final long first, final int count) {
        for (int i = 0; i < count; i++) {
            payload.putLong(0, first + i);
            log.append(first + i, payload, 0, payload.capacity());
        }
    }
}
