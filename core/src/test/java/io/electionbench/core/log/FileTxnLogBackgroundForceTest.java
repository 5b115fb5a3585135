package io.electionbench.core.log;

import static io.electionbench.core.log.TxnLogContractTest.append;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under BATCH the threshold forces run on the log's writeback thread; every other force stays synchronous. */
class FileTxnLogBackgroundForceTest {
    @TempDir
    Path root;
    /** The writeback thread never calls the sink, but a failing test should not also corrupt the list. */
    final List<String> warnings = new CopyOnWriteArrayList<>();

    FileTxnLog.Options batch(final int appends) {
        return new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.BATCH).batchAppends(appends).batchBytes(1 << 20)
            .warnings(warnings::add);
    }

    static void appendRange(final FileTxnLog log, final long first, final long last) {
        for (long zxid = first; zxid <= last; zxid++) {
            append(log, zxid, "x");
        }
    }

    static void awaitForces(final FileTxnLog log, final long count) {
        Await.until("forceCount " + count, () -> log.forceCount() >= count, () -> "forceCount " + log.forceCount());
    }

    @Test
    void theThresholdsForceOnTheWritebackThread() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("counted"), batch(10))) {
            append(log, 1, "x");
            final long base = log.forceCount();
            appendRange(log, 2, 9);
            assertNull(log.backgroundForcer().thread(), "no thread before the first threshold");
            append(log, 10, "x");
            final Thread thread = log.backgroundForcer().thread();
            assertNotNull(thread, "the tenth append without a flush posts a force");
            assertEquals("log-writeback-" + root.resolve("counted"), thread.getName());
            assertTrue(thread.isDaemon());
            awaitForces(log, base + 1);
            appendRange(log, 11, 20);
            awaitForces(log, base + 2);
            assertEquals(base + 2, log.forceCount(), "one force per threshold");
            assertTrue(thread.isAlive(), "the thread parks between requests");
            assertNull(log.backgroundForcer().failure());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void theBytesThresholdForcesOnTheWritebackThreadToo() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("bytes"), batch(1000).batchBytes(100))) {
            append(log, 1, "x");
            final long base = log.forceCount();
            for (int i = 2; i <= 5; i++) {
                append(log, i, "0123456789");
            }
            awaitForces(log, base + 1);
        }
    }

    @Test
    void flushForcesItselfAfterABackgroundForce() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("flush"), batch(10))) {
            append(log, 1, "x");
            final long base = log.forceCount();
            appendRange(log, 2, 10);
            awaitForces(log, base + 1);
            log.flush();
            assertEquals(base + 2, log.forceCount(),
                "the background force of every append did not let flush skip its own");
            log.flush();
            assertEquals(base + 2, log.forceCount(), "nothing appended since, nothing forced");
        }
    }

    @Test
    void aFailedBackgroundForceFailsEveryLaterForce() throws Exception {
        final Path dir = root.resolve("failed");
        final FileTxnLog log = FileTxnLog.open(dir, batch(10));
        appendRange(log, 1, 10);
        final BackgroundForcer forcer = log.backgroundForcer();
        final Path segment = log.segmentFiles()[0];
        forcer.failed(new Segment(segment, null, 1, 10, 0), new IOException("Input/output error"));
        append(log, 11, "x");
        final UncheckedIOException flushed = assertThrows(UncheckedIOException.class, log::flush);
        assertSame(forcer.failure(), flushed.getCause(), "the flush's own force succeeded, the earlier one did not");
        assertThrows(UncheckedIOException.class, log::flush, "and so does every later one");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(segment.toString()) && warnings.get(0).contains("Input/output error"),
            warnings.get(0));
        final Thread thread = forcer.thread();
        assertThrows(UncheckedIOException.class, log::close);
        Await.until("close stops the thread even so", () -> !thread.isAlive(), thread::toString);
        assertThrows(IllegalStateException.class, log::flush, "and closes the log");
    }

    @Test
    void aFlushBeforeTheThresholdStartsNoThread() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("flushed"), batch(10))) {
            for (int round = 0; round < 5; round++) {
                appendRange(log, round * 9 + 1, round * 9 + 9);
                log.flush();
            }
            assertNull(log.backgroundForcer().thread());
        }
    }

    @Test
    void closeStopsTheWritebackThreadAndForcesItself() throws Exception {
        final FileTxnLog log = FileTxnLog.open(root.resolve("close"), batch(10));
        append(log, 1, "x");
        final long base = log.forceCount();
        appendRange(log, 2, 11);
        final Thread thread = log.backgroundForcer().thread();
        awaitForces(log, base + 1);
        append(log, 12, "x");
        log.close();
        Await.until("close stops the thread", () -> !thread.isAlive(), thread::toString);
        assertEquals(base + 2, log.forceCount(), "close forced the append after the background force");
        assertEquals(List.of(), warnings);
        try (FileTxnLog reopened = FileTxnLog.open(root.resolve("close"), batch(10))) {
            assertEquals(12, reopened.lastZxid());
        }
    }

    /**
     * Each round posts a force and then, with it likely still running, truncates into the tail, deletes whole
     * segments or closes the log; the writeback thread meets closed channels and must stay quiet.
     */
    @Test
    void truncationAndCloseRacingABackgroundForceDoNotFail() throws Exception {
        long zxid = 0;
        for (int round = 0; round < 20; round++) {
            final Path dir = root.resolve("race" + round);
            final FileTxnLog log = FileTxnLog.open(dir, batch(4).segmentBytes(200));
            final Thread thread;
            try {
                for (int cut = 0; cut < 10; cut++) {
                    final long kept = zxid;
                    appendRange(log, zxid + 1, zxid + 20);
                    zxid += 20;
                    log.truncateAfter(cut % 2 == 0 ? kept + 1 : kept + 18);
                    zxid = log.lastZxid();
                }
                appendRange(log, zxid + 1, zxid + 4);
                zxid += 4;
                thread = log.backgroundForcer().thread();
                assertNull(log.backgroundForcer().failure());
            } finally {
                log.close();
            }
            final Thread stopped = thread;
            Await.until("close stops the thread", () -> !stopped.isAlive(), stopped::toString);
            assertNull(log.backgroundForcer().failure(), "a closed channel is not a failure");
            try (FileTxnLog reopened = FileTxnLog.open(dir, batch(4))) {
                assertEquals(zxid, reopened.lastZxid());
            }
        }
        assertEquals(List.of(), warnings);
    }

    /**
     * Under ALWAYS, which never forces appends in the background, a snapshot of 2.5 writeback stretches
     * being received is forced in the background twice while it arrives; it then installs as usual.
     */
    @Test
    void aSnapshotBeingReceivedIsWrittenBackWhileItArrives() throws Exception {
        final int chunk = 1 << 20;
        final int total = FileTxnLog.SNAPSHOT_WRITEBACK_BYTES * 5 / 2;
        final org.agrona.concurrent.UnsafeBuffer bytes =
            new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(chunk));
        final Path dir = root.resolve("snap");
        try (FileTxnLog log = FileTxnLog.open(dir, batch(10).fsyncPolicy(FsyncPolicy.ALWAYS))) {
            final long base = log.forceCount();
            final TxnLog.SnapshotReceiver receiver = log.receiveSnapshot(0x2_0000_0009L, 77, total);
            for (int at = 0; at < total; at += chunk) {
                bytes.setMemory(0, chunk, (byte)(at >>> 20));
                receiver.write(at, bytes, 0, Math.min(chunk, total - at));
                if (at + chunk == FileTxnLog.SNAPSHOT_WRITEBACK_BYTES) {
                    final Thread thread = log.backgroundForcer().thread();
                    assertNotNull(thread, "the first stretch starts the writeback thread");
                    awaitForces(log, base + 1);
                }
            }
            awaitForces(log, base + 2);
            assertEquals(base + 2, log.forceCount(), "one background force per stretch, none of segments");
            receiver.finish();
            assertEquals(0x2_0000_0009L, log.snapshotZxid());
            assertEquals(total, log.snapshotState().capacity());
            assertEquals((byte)(FileTxnLog.SNAPSHOT_WRITEBACK_BYTES >>> 20),
                log.snapshotState().getByte(FileTxnLog.SNAPSHOT_WRITEBACK_BYTES));
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, batch(10))) {
            assertEquals(0x2_0000_0009L, reopened.snapshotZxid());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void alwaysNeverAndADisabledOptionStartNoThread() throws Exception {
        final FileTxnLog.Options[] options = {
            batch(10).fsyncPolicy(FsyncPolicy.ALWAYS),
            batch(10).fsyncPolicy(FsyncPolicy.NEVER),
            batch(10).backgroundForce(false),
        };
        for (int i = 0; i < options.length; i++) {
            final String name = "nothread" + i;
            try (FileTxnLog log = FileTxnLog.open(root.resolve(name), options[i])) {
                appendRange(log, 1, 50);
                log.flush();
                assertTrue(log.backgroundForcer() == null || log.backgroundForcer().thread() == null,
                    "no thread started");
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("log-writeback-" + root.resolve(name))));
            }
        }
    }
}
