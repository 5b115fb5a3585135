package io.electionbench.core.log;

import static io.electionbench.core.log.TxnLogContractTest.contents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.electionbench.core.Zxid;

/**
 * {@link FileTxnLog#appendRecords}: a run of records as a learner's transport checked them is logged as
 * the same txns appended one by one would be (the same files, byte for byte, the same index and digest,
 * across segment rolls), is refused whole when any record of it is wrong, is forced once per run under
 * ALWAYS, and a run torn by a crash is cut by recovery as a torn single append is.
 */
class FileTxnLogAppendRecordsTest {
    @TempDir
    Path root;
    private final List<String> warnings = new ArrayList<>();

    private FileTxnLog.Options options(final FsyncPolicy policy) {
        return new FileTxnLog.Options().fsyncPolicy(policy).segmentBytes(1000).warnings(warnings::add);
    }

    /** 1 to 150 bytes, a function of the counter, so runs hold records of many sizes. */
    private static byte[] payload(final long zxid) {
        final byte[] bytes = new byte[1 + (int)(Zxid.counter(zxid) * 37 % 150)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte)(zxid * 31 + i);
        }
        return bytes;
    }

    /** The records of zxids 1:first..1:last laid out as the log writes them, CRCs included, from offset 3. */
    static UnsafeBuffer run(final long first, final long last) {
        final List<byte[]> records = new ArrayList<>();
        int bytes = 0;
        for (long c = first; c <= last; c++) {
            final byte[] record = record(Zxid.make(1, c), payload(Zxid.make(1, c)));
            records.add(record);
            bytes += record.length;
        }
        final UnsafeBuffer out = new UnsafeBuffer(new byte[3 + bytes]);
        int at = 3;
        for (final byte[] record : records) {
            out.putBytes(at, record);
            at += record.length;
        }
        return out;
    }

    static byte[] record(final long zxid, final byte[] payload) {
        final ByteBuffer record = ByteBuffer.allocate(LogRecords.HEADER_BYTES + payload.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(LogRecords.LENGTH_OFFSET, payload.length).putLong(LogRecords.ZXID_OFFSET, zxid);
        record.position(LogRecords.HEADER_BYTES);
        record.put(payload);
        record.putInt(LogRecords.CRC_OFFSET, LogRecords.crc(new CRC32C(), record, 0, payload.length));
        return record.array();
    }

    static int appendRun(final FileTxnLog log, final long first, final long last) {
        final UnsafeBuffer run = run(first, last);
        return log.appendRecords(run, 3, run.capacity() - 3);
    }

    private static Map<String, byte[]> files(final Path dir) throws Exception {
        final Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (final Path p : (Iterable<Path>)list::iterator) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void runsLeaveTheSameFilesAndHistoryAsTheSameTxnsAppendedOneByOne(final FsyncPolicy policy) throws Exception {
        final Path singles = root.resolve("singles");
        final Path runs = root.resolve("runs");
        try (FileTxnLog a = FileTxnLog.open(singles, options(policy));
            FileTxnLog b = FileTxnLog.open(runs, options(policy))) {
            for (long c = 1; c <= 300; c++) {
                final byte[] payload = payload(Zxid.make(1, c));
                a.append(Zxid.make(1, c), new UnsafeBuffer(payload), 0, payload.length);
            }
            // Runs of 1 to 40 records, larger than a 1000-byte segment too, with single appends between.
            long next = 1;
            for (int size = 1; next <= 300; size = size % 40 + 7) {
                final long last = Math.min(300, next + size - 1);
                assertEquals(last - next + 1, appendRun(b, next, last));
                next = last + 1;
                if (next <= 300 && size % 3 == 0) {
                    final byte[] payload = payload(Zxid.make(1, next));
                    b.append(Zxid.make(1, next), new UnsafeBuffer(payload), 0, payload.length);
                    next++;
                }
            }
            assertEquals(a.lastZxid(), b.lastZxid());
            assertEquals(a.digest(), b.digest());
            assertEquals(a.entryCount(), b.entryCount());
            assertEquals(contents(a, 0), contents(b, 0));
            a.flush();
            b.flush();
            assertTrue(a.segmentFiles().length > 20, "the runs crossed segment rolls");
        }
        final Map<String, byte[]> expected = files(singles);
        final Map<String, byte[]> actual = files(runs);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
        try (FileTxnLog reopened = FileTxnLog.open(runs, options(policy))) {
            assertEquals(Zxid.make(1, 300), reopened.lastZxid());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aRunWithOneBadCrcIsRefusedWholeAndTheLogGoesOnAsItWas() throws Exception {
        final Path dir = root.resolve("log");
        try (FileTxnLog log = FileTxnLog.open(dir, options(FsyncPolicy.BATCH))) {
            appendRun(log, 1, 10);
            final long digest = log.digest();
            final UnsafeBuffer bad = run(11, 20);
            final int third = 3 + record(Zxid.make(1, 11), payload(Zxid.make(1, 11))).length
                + record(Zxid.make(1, 12), payload(Zxid.make(1, 12))).length;
            bad.putByte(third + LogRecords.HEADER_BYTES, (byte)(bad.getByte(third + LogRecords.HEADER_BYTES) ^ 1));
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> log.appendRecords(bad, 3, bad.capacity() - 3));
            assertTrue(refused.getMessage().contains("1:13") && refused.getMessage().contains("CRC")
                && refused.getMessage().contains("at byte " + (third - 3)), refused.getMessage());
            assertEquals(Zxid.make(1, 10), log.lastZxid());
            assertEquals(10, log.entryCount());
            assertEquals(digest, log.digest());
            assertEquals(10, appendRun(log, 11, 20), "the good run after it");
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, options(FsyncPolicy.BATCH))) {
            assertEquals(20, reopened.entryCount());
            assertEquals(Zxid.make(1, 20), reopened.lastZxid());
        }
        assertEquals(List.of(), warnings, "nothing of the refused run reached the file");
    }

    @Test
    void aRunWhoseLayoutOrZxidsAreWrongIsRefusedNamingTheRecord() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("log"), options(FsyncPolicy.NEVER))) {
            appendRun(log, 1, 5);
            final UnsafeBuffer again = run(5, 6);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> log.appendRecords(again, 3,
                again.capacity() - 3)).getMessage().contains("does not follow"), "a zxid at or below the last");
            final UnsafeBuffer descending = new UnsafeBuffer(new byte[400]);
            final byte[] seven = record(Zxid.make(1, 7), payload(Zxid.make(1, 7)));
            final byte[] six = record(Zxid.make(1, 6), payload(Zxid.make(1, 6)));
            descending.putBytes(0, seven);
            descending.putBytes(seven.length, six);
            final IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> log.appendRecords(descending, 0, seven.length + six.length));
            assertTrue(order.getMessage().contains("at byte " + seven.length), order.getMessage());
            final UnsafeBuffer cut = run(6, 8);
            final IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> log.appendRecords(cut, 3, cut.capacity() - 4));
            assertTrue(past.getMessage().contains("payload length"), past.getMessage());
            assertThrows(IllegalArgumentException.class, () -> log.appendRecords(cut, 3, 0), "an empty run");
            assertEquals(Zxid.make(1, 5), log.lastZxid());
            assertEquals(5, log.entryCount());
        }
    }

    @Test
    void underAlwaysARunIsForcedOnceAndADeferredRunByTheFlush() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(root.resolve("log"),
            options(FsyncPolicy.ALWAYS).segmentBytes(1 << 20))) {
            appendRun(log, 1, 2);
            final long forces = log.forceCount();
            appendRun(log, 3, 40);
            assertEquals(forces + 1, log.forceCount(), "one force for 38 records");
            final UnsafeBuffer deferred = run(41, 80);
            log.appendRecordsDeferred(deferred, 3, deferred.capacity() - 3);
            assertEquals(forces + 1, log.forceCount(), "a deferred run waits for the flush");
            log.flush();
            assertEquals(forces + 2, log.forceCount());
        }
    }

    /** A crash in the middle of a run's write leaves a torn tail: recovery cuts it as it cuts a torn append. */
    @Test
    void aRunTornByACrashIsCutOnRecoveryLikeATornAppend() throws Exception {
        final Path dir = root.resolve("log");
        final FileTxnLog.Options big = options(FsyncPolicy.NEVER).segmentBytes(1 << 20);
        long tornAt = LogFormat.SEGMENT_HEADER_BYTES;
        try (FileTxnLog log = FileTxnLog.open(dir, big)) {
            appendRun(log, 1, 30);
            for (long c = 1; c <= 20; c++) {
                tornAt += LogRecords.HEADER_BYTES + payload(Zxid.make(1, c)).length;
            }
        }
        final Path segment = dir.resolve(LogFormat.segmentName(Zxid.make(1, 1)));
        try (var channel = Files.newByteChannel(segment, StandardOpenOption.WRITE)) {
            channel.truncate(tornAt + LogRecords.HEADER_BYTES + 1);
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, big)) {
            assertEquals(Zxid.make(1, 20), reopened.lastZxid(), "the records before the torn one survive");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("byte offset " + tornAt), warnings.get(0));
            assertEquals(10, appendRun(reopened, 21, 30), "the run is appended again after the cut");
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, big)) {
            assertEquals(Zxid.make(1, 30), reopened.lastZxid());
            assertEquals(1, warnings.size(), "nothing more to repair");
        }
    }
}
