package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;

/** The contract on disk, plus segments, reopening and fsync policies. */
class FileTxnLogTest extends TxnLogContractTest {
    @TempDir
    Path root;
    private int dirs;
    final List<String> warnings = new ArrayList<>();

    @Override
    TxnLog newLog() throws Exception {
        return FileTxnLog.open(root.resolve("log" + dirs++), options().segmentBytes(120));
    }

    FileTxnLog.Options options() {
        return new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).warnings(warnings::add);
    }

    static List<String> names(final Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aSnapshotReceivedInChunksReplacesTheHistoryOnlyWhenFinished() throws Exception {
        final Path dir = root.resolve("receive");
        final byte[] state = new byte[200_000];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte)(i * 31);
        }
        final UnsafeBuffer source = new UnsafeBuffer(state);
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 1), "kept until the snapshot is complete");
            final TxnLog.SnapshotReceiver aborted = log.receiveSnapshot(Zxid.make(2, 5), 42, state.length);
            aborted.write(0, source, 0, 1000);
            aborted.abort();
            assertEquals(Zxid.make(1, 1), log.lastZxid(), "an aborted receive changes nothing");
            assertTrue(names(dir).stream().noneMatch(n -> n.endsWith(".tmp")), names(dir).toString());

            final TxnLog.SnapshotReceiver receiver = log.receiveSnapshot(Zxid.make(2, 5), 42, state.length);
            for (int at = 0; at < state.length; at += 65_536) {
                receiver.write(at, source, at, Math.min(65_536, state.length - at));
                assertEquals(Zxid.make(1, 1), log.lastZxid(), "the history stays until finish");
            }
            receiver.finish();
            assertEquals(Zxid.make(2, 5), log.lastZxid());
            assertEquals(Zxid.make(2, 5), log.snapshotZxid());
            assertEquals(42, log.digest());
            assertEquals(state.length, log.snapshotState().capacity());
            final byte[] mapped = new byte[state.length];
            log.snapshotState().getBytes(0, mapped);
            assertTrue(java.util.Arrays.equals(state, mapped), "the state reads back from the mapped file");

            // A newer snapshot replaces it: the old mapping is released, the new state reads back, one file is left.
            final byte[] newer = new byte[70_000];
            java.util.Arrays.fill(newer, (byte)7);
            final TxnLog.SnapshotReceiver second = log.receiveSnapshot(Zxid.make(3, 1), 43, newer.length);
            second.write(0, new UnsafeBuffer(newer), 0, newer.length);
            second.finish();
            assertEquals(Zxid.make(3, 1), log.snapshotZxid());
            final byte[] back = new byte[newer.length];
            log.snapshotState().getBytes(0, back);
            assertTrue(java.util.Arrays.equals(newer, back), "the newer state reads back");
            assertEquals(List.of("snapshot.0000000300000001"), names(dir));
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, options())) {
            assertEquals(Zxid.make(3, 1), reopened.snapshotZxid());
            assertEquals(43, reopened.snapshotDigest());
            final byte[] back = new byte[70_000];
            reopened.snapshotState().getBytes(0, back);
            assertEquals(70_000, reopened.snapshotState().capacity());
            assertEquals(7, back[69_999], "the file holds every chunk");
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void anEmptySnapshotReceivedReplacesTheHistoryWithNothing() throws Exception {
        final Path dir = root.resolve("receive-empty");
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 1), "diverged");
            final TxnLog.SnapshotReceiver receiver = log.receiveSnapshot(0, 0, 0); // a leader with its whole history
            receiver.finish();
            assertEquals(0, log.snapshotZxid());
            assertEquals(0, log.snapshotState().capacity());
            assertEquals(0, log.lastZxid());
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, options())) {
            assertEquals(0, reopened.snapshotZxid());
            assertEquals(0, reopened.snapshotState().capacity());
        }
    }

    @Test
    void aSnapshotReceiveCutShortByACrashLeavesTheHistoryAsItWas() throws Exception {
        final Path dir = root.resolve("receive-crash");
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 1), "survives");
            log.flush();
            final TxnLog.SnapshotReceiver receiver = log.receiveSnapshot(Zxid.make(2, 5), 42, 10_000);
            receiver.write(0, new UnsafeBuffer(new byte[5_000]), 0, 5_000);
            // the process dies here: neither finish nor abort
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, options())) {
            assertEquals(Zxid.make(1, 1), reopened.lastZxid());
            assertEquals(-1, reopened.snapshotZxid());
        }
        assertTrue(names(dir).stream().noneMatch(n -> n.endsWith(".tmp")),
            "recovery removed the partial snapshot: " + names(dir));
    }

    @Test
    void segmentsRollAtTheConfiguredSizeAndAreNamedByFirstZxid() throws Exception {
        final Path dir = root.resolve("roll");
        // 16-byte header + records of 16 + 10 bytes: four records fit in 120 bytes.
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(120))) {
            for (int i = 1; i <= 10; i++) {
                append(log, Zxid.make(1, i), "0123456789");
            }
            assertEquals(3, log.segmentFiles().length);
        }
        assertEquals(List.of("log.0000000100000001", "log.0000000100000005", "log.0000000100000009"), names(dir));
        assertEquals(120, Files.size(dir.resolve("log.0000000100000001")));
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void reopeningKeepsEverything() throws Exception {
        final Path dir = root.resolve("reopen");
        final List<String> before;
        final long digest;
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(100))) {
            for (int i = 1; i <= 20; i++) {
                append(log, Zxid.make(1 + i / 7, i), "payload-" + i);
            }
            final UnsafeBuffer state = bytes("state");
            log.snapshot(Zxid.make(1, 5), state, 0, state.capacity());
            log.truncateAfter(Zxid.make(2, 12));
            append(log, Zxid.make(4, 1), "after");
            before = contents(log, 0);
            digest = log.digest();
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(100))) {
            assertEquals(before, contents(log, 0));
            assertEquals(digest, log.digest());
            assertEquals(Zxid.make(1, 5), log.snapshotZxid());
            assertEquals(Zxid.make(1, 6), log.firstZxid());
            assertEquals(Zxid.make(4, 1), log.lastZxid());
            assertEquals("state", log.snapshotState().getStringWithoutLengthUtf8(0, 5));
            append(log, Zxid.make(4, 2), "more");
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void truncationAcrossSegmentsDeletesWholeLaterSegments() throws Exception {
        final Path dir = root.resolve("trunc");
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(120))) {
            for (int i = 1; i <= 10; i++) {
                append(log, Zxid.make(1, i), "0123456789");
            }
            log.truncateAfter(Zxid.make(1, 6));
            assertEquals(List.of("log.0000000100000001", "log.0000000100000005"), names(dir));
            assertEquals(16 + 2 * 26, Files.size(dir.resolve("log.0000000100000005")));
            log.truncateAfter(Zxid.make(1, 4));
            assertEquals(List.of("log.0000000100000001"), names(dir));
            append(log, Zxid.make(2, 1), "0123456789");
            append(log, Zxid.make(2, 2), "0123456789");
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(120))) {
            assertEquals(6, log.entryCount());
            assertEquals(Zxid.make(2, 2), log.lastZxid());
        }
        assertEquals(List.of("log.0000000100000001", "log.0000000200000001"), names(dir));
    }

    @Test
    void snapshotDeletesCoveredSegmentsAndOlderSnapshots() throws Exception {
        final Path dir = root.resolve("snap");
        final UnsafeBuffer state = bytes("s");
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(120))) {
            for (int i = 1; i <= 10; i++) {
                append(log, Zxid.make(1, i), "0123456789");
            }
            log.snapshot(Zxid.make(1, 5), state, 0, 1);
            assertEquals(List.of("log.0000000100000005", "log.0000000100000009", "snapshot.0000000100000005"),
                names(dir));
            log.snapshot(Zxid.make(1, 9), state, 0, 1);
            assertEquals(List.of("log.0000000100000009", "snapshot.0000000100000009"), names(dir));
            assertEquals(Zxid.make(1, 10), log.firstZxid());
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options().segmentBytes(120))) {
            assertEquals(List.of("1:10=0123456789"), contents(log, 0));
            log.installSnapshot(Zxid.make(2, 3), 7, state, 0, 1);
        }
        assertEquals(List.of("snapshot.0000000200000003"), names(dir));
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(Zxid.make(2, 3), log.lastZxid());
            assertEquals(7, log.digest());
        }
    }

    @Test
    void alwaysForcesEveryAppend() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("always"), options().fsyncPolicy(FsyncPolicy.ALWAYS))) {
            append(log, 1, "first");
            final long afterFirst = log.forceCount();
            for (int i = 2; i <= 50; i++) {
                append(log, i, "x");
            }
            assertEquals(afterFirst + 49, log.forceCount());
        }
    }

    /** A sync stream's appends under ALWAYS: forced once, by the flush before the ACK, not one by one. */
    @Test
    void alwaysLeavesDeferredAppendsToTheNextFlush() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("deferred"), options().fsyncPolicy(FsyncPolicy.ALWAYS))) {
            append(log, 1, "forced at once");
            final long afterFirst = log.forceCount();
            final UnsafeBuffer payload =
                new UnsafeBuffer("streamed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (int i = 2; i <= 50; i++) {
                log.appendDeferred(i, payload, 0, payload.capacity());
            }
            assertEquals(afterFirst, log.forceCount(), "no force per deferred append");
            log.flush();
            assertEquals(afterFirst + 1, log.forceCount(), "one force covers them all");
            log.flush();
            assertEquals(afterFirst + 1, log.forceCount(), "nothing left to force");
            append(log, 51, "forced at once again");
            assertEquals(afterFirst + 2, log.forceCount());
            assertEquals(51, log.lastZxid());
        }
    }

    @Test
    void neverForcesAppends() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("never"), options().segmentBytes(200))) {
            for (int i = 1; i <= 50; i++) {
                append(log, i, "x");
            }
            log.flush();
            assertEquals(0, log.forceCount());
        }
    }

    @Test
    void batchForcesOnFlushOrAfterTheConfiguredCount() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("batch"),
            options().fsyncPolicy(FsyncPolicy.BATCH).batchAppends(10).batchBytes(1 << 20).backgroundForce(false))) {
            append(log, 1, "x");
            final long base = log.forceCount();
            for (int i = 2; i <= 5; i++) {
                append(log, i, "x");
            }
            assertEquals(base, log.forceCount(), "no force before flush or the batch limit");
            log.flush();
            assertEquals(base + 1, log.forceCount());
            log.flush();
            assertEquals(base + 1, log.forceCount(), "nothing pending, nothing forced");
            for (int i = 6; i <= 15; i++) {
                append(log, i, "x");
            }
            assertEquals(base + 2, log.forceCount(), "forced after 10 appends without a flush");
        }
    }

    @Test
    void batchForcesAfterTheConfiguredBytes() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("batchBytes"),
            options().fsyncPolicy(FsyncPolicy.BATCH).batchAppends(1000).batchBytes(100).backgroundForce(false))) {
            append(log, 1, "x");
            final long base = log.forceCount();
            for (int i = 2; i <= 4; i++) {
                append(log, i, "0123456789");
            }
            assertEquals(base, log.forceCount());
            append(log, 5, "0123456789");
            assertEquals(base + 1, log.forceCount(), "4 records of 26 bytes pass 100 bytes");
        }
    }

    @Test
    void appendsAreStagedUntilAFlushOrAReadNeedsThemAndSurviveAClose() throws Exception {
        final Path dir = root.resolve("staged");
        final Path segment = dir.resolve("log.0000000100000001");
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 1), "0123456789");
            append(log, Zxid.make(1, 2), "0123456789");
            assertEquals(16, Files.size(segment), "two records staged, only the segment header written");
            assertEquals(Zxid.make(1, 2), log.lastZxid());
            log.flush();
            assertEquals(16 + 2 * 26, Files.size(segment), "flush writes them, even under NEVER");
            append(log, Zxid.make(1, 3), "0123456789");
            assertEquals(List.of("1:2=0123456789", "1:3=0123456789"), contents(log, Zxid.make(1, 2)),
                "a read sees staged appends");
            assertEquals(16 + 3 * 26, Files.size(segment));
            append(log, Zxid.make(1, 4), "0123456789");
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(Zxid.make(1, 4), log.lastZxid(), "close writes what is staged");
            assertTrue(warnings.isEmpty(), warnings.toString());
        }
    }

    @Test
    void manyAppendsFillTheStageAndReachTheFileInWholeRecords() throws Exception {
        final Path dir = root.resolve("stagefull");
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            for (int i = 1; i <= 10_000; i++) {
                append(log, Zxid.make(1, i), "0123456789");
            }
            final long size = Files.size(dir.resolve("log.0000000100000001"));
            assertTrue(size > 16 && size < 16 + 10_000 * 26, "written a buffer at a time: " + size);
            assertEquals(0, (size - 16) % 26, "whole records only: " + size);
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(10_000, log.entryCount());
            assertTrue(warnings.isEmpty(), warnings.toString());
        }
    }

    @Test
    void anOwnedSnapshotIsKeptWithoutACopyAndWrittenWhole() throws Exception {
        final Path dir = root.resolve("owned");
        final byte[] state = new byte[3 << 20];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte)(i * 31);
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 1), "0123456789");
            log.installSnapshotOwned(Zxid.make(2, 7), 42, state);
            assertTrue(log.snapshotState().byteArray() == state, "the array itself, not a copy");
            assertEquals(Zxid.make(2, 7), log.lastZxid());
            assertEquals(0, log.entryCount());
        }
        assertEquals(List.of("snapshot.0000000200000007"), names(dir));
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(42, log.digest());
            final byte[] read = new byte[log.snapshotState().capacity()];
            log.snapshotState().getBytes(0, read);
            assertTrue(java.util.Arrays.equals(state, read), "the file holds the state, written in slices");
        }
    }

    @Test
    void aSnapshotFromDirectMemoryIsWrittenWhole() throws Exception {
        final Path dir = root.resolve("direct");
        final UnsafeBuffer state = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(100_000));
        for (int i = 0; i < state.capacity(); i++) {
            state.putByte(i, (byte)(i * 7));
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            log.installSnapshot(Zxid.make(1, 9), 5, state, 1_000, 50_000);
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(50_000, log.snapshotState().capacity());
            for (int i = 0; i < 50_000; i += 997) {
                assertEquals(state.getByte(1_000 + i), log.snapshotState().getByte(i));
            }
        }
    }
}
