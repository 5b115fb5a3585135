package io.electionbench.core.log;

import static io.electionbench.core.log.TxnLogContractTest.append;
import static io.electionbench.core.log.TxnLogContractTest.contents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;

/**
 * Damage on purpose. Three segments of 26-byte records (16-byte header + 10-byte payload), four per
 * 120-byte segment: log.1:1 holds 1:1..1:4, log.1:5 holds 1:5..1:8, log.1:9 holds 1:9 (offset 16)
 * and 1:10 (offset 42), 68 bytes.
 */
class FileTxnLogRecoveryTest {
    private static final String FIRST = "log.0000000100000001";
    private static final String MIDDLE = "log.0000000100000005";
    private static final String LAST = "log.0000000100000009";

    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private FileTxnLog.Options options() {
        return new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).segmentBytes(120).warnings(warnings::add);
    }

    @BeforeEach
    void writeTenRecords() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            for (int i = 1; i <= 10; i++) {
                append(log, Zxid.make(1, i), "0123456789");
            }
        }
        assertEquals(68, Files.size(dir.resolve(LAST)));
    }

    private List<String> reopenContents() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            return contents(log, 0);
        }
    }

    private static List<String> expected(final int upTo) {
        final List<String> out = new ArrayList<>();
        for (int i = 1; i <= upTo; i++) {
            out.add("1:" + i + "=0123456789");
        }
        return out;
    }

    private void flipByte(final String file, final long offset) throws Exception {
        final byte[] bytes = Files.readAllBytes(dir.resolve(file));
        bytes[(int)offset] ^= 0x40;
        Files.write(dir.resolve(file), bytes);
    }

    private Map<String, byte[]> files() throws Exception {
        final Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (final Path p : (Iterable<Path>)list::iterator) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** Opening throws naming the file and offset, and changes no file. */
    private LogCorruptedException assertCorrupt(final String file, final long offset) throws Exception {
        final Map<String, byte[]> before = files();
        final LogCorruptedException ex =
            assertThrows(LogCorruptedException.class, () -> FileTxnLog.open(dir, options()));
        assertEquals(dir.resolve(file), ex.file());
        assertEquals(offset, ex.offset());
        assertTrue(ex.getMessage().contains(file) && ex.getMessage().contains("byte offset " + offset),
            ex.getMessage());
        final Map<String, byte[]> after = files();
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertTrue(Arrays.equals(bytes, after.get(name)), name + " changed"));
        assertTrue(warnings.isEmpty(), warnings.toString());
        return ex;
    }

    private void assertOneWarning(final String file, final long offset) {
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(file) && warnings.get(0).contains("byte offset " + offset),
            warnings.get(0));
    }

    @Test
    void aTornLastRecordIsCutWithAWarning() throws Exception {
        try (var channel = Files.newByteChannel(dir.resolve(LAST), StandardOpenOption.WRITE)) {
            channel.truncate(68 - 5);
        }
        assertEquals(expected(9), reopenContents());
        assertOneWarning(LAST, 42);
        assertEquals(42, Files.size(dir.resolve(LAST)));
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            append(log, Zxid.make(1, 10), "0123456789");
        }
        assertEquals(expected(10), reopenContents());
    }

    @Test
    void aTornRecordHeaderIsCut() throws Exception {
        try (var channel = Files.newByteChannel(dir.resolve(LAST), StandardOpenOption.WRITE)) {
            channel.truncate(42 + 7);
        }
        assertEquals(expected(9), reopenContents());
        assertOneWarning(LAST, 42);
    }

    @Test
    void aBadCrcInTheLastRecordIsCut() throws Exception {
        flipByte(LAST, 42 + 16 + 3);
        assertEquals(expected(9), reopenContents());
        assertOneWarning(LAST, 42);
        assertTrue(warnings.get(0).contains("CRC"), warnings.get(0));
    }

    @Test
    void garbageAfterAValidTailIsCut() throws Exception {
        final byte[] garbage = new byte[300];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(dir.resolve(LAST), garbage, StandardOpenOption.APPEND);
        assertEquals(expected(10), reopenContents());
        assertOneWarning(LAST, 68);
        assertEquals(68, Files.size(dir.resolve(LAST)));
    }

    @Test
    void zeroesAfterAValidTailAreCut() throws Exception {
        Files.write(dir.resolve(LAST), new byte[4096], StandardOpenOption.APPEND);
        assertEquals(expected(10), reopenContents());
        assertOneWarning(LAST, 68);
    }

    @Test
    void aLastSegmentWithNoCompleteRecordIsRemoved() throws Exception {
        try (var channel = Files.newByteChannel(dir.resolve(LAST), StandardOpenOption.WRITE)) {
            channel.truncate(16 + 10);
        }
        assertEquals(expected(8), reopenContents());
        assertOneWarning(LAST, 16);
        assertTrue(Files.notExists(dir.resolve(LAST)));
    }

    @Test
    void aBadRecordFollowedByAValidOneInTheLastSegmentIsCorruption() throws Exception {
        flipByte(LAST, 16 + 16 + 2);
        assertTrue(assertCorrupt(LAST, 16).getMessage().contains("valid record follows at byte offset 42"));
    }

    @Test
    void aBadByteInAMiddleSegmentIsCorruption() throws Exception {
        flipByte(MIDDLE, 42 + 16 + 9);
        assertTrue(assertCorrupt(MIDDLE, 42).getMessage().contains("CRC"));
    }

    @Test
    void aBadLengthInAMiddleRecordIsCorruption() throws Exception {
        flipByte(FIRST, 42 + 3);
        assertCorrupt(FIRST, 42);
    }

    @Test
    void aCutShortMiddleSegmentIsCorruption() throws Exception {
        try (var channel = Files.newByteChannel(dir.resolve(MIDDLE), StandardOpenOption.WRITE)) {
            channel.truncate(120 - 26);
        }
        assertTrue(assertCorrupt(LAST, 8).getMessage().contains("missing or cut short"));
    }

    @Test
    void aMissingMiddleSegmentIsCorruption() throws Exception {
        Files.delete(dir.resolve(MIDDLE));
        assertTrue(assertCorrupt(LAST, 8).getMessage().contains("missing"));
    }

    @Test
    void aMissingFirstSegmentIsCorruption() throws Exception {
        Files.delete(dir.resolve(FIRST));
        assertTrue(assertCorrupt(MIDDLE, 8).getMessage().contains("no snapshot"));
    }

    @Test
    void aSegmentNamedForTheWrongZxidIsCorruption() throws Exception {
        Files.move(dir.resolve(LAST), dir.resolve("log.0000000100000008"));
        assertCorrupt("log.0000000100000008", 8);
    }

    @Test
    void aDamagedSnapshotIsCorruption() throws Exception {
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            final UnsafeBuffer state = new UnsafeBuffer(new byte[40]);
            log.snapshot(Zxid.make(1, 6), state, 0, 40);
        }
        flipByte("snapshot.0000000100000006", 32 + 5);
        assertCorrupt("snapshot.0000000100000006", 28);
    }

    @Test
    void aLeftoverTemporarySnapshotIsRemoved() throws Exception {
        Files.write(dir.resolve("snapshot.0000000100000003.tmp"), new byte[10]);
        assertEquals(expected(10), reopenContents());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(Files.notExists(dir.resolve("snapshot.0000000100000003.tmp")));
    }

    @Test
    void anInterruptedInstallIsCompletedFromItsTemporary() throws Exception {
        final UnsafeBuffer state = new UnsafeBuffer("leader".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final Path tmp = SnapshotFile.writeTemporary(dir, Zxid.make(2, 4), 99, state, 0, 6);
        for (final String segment : List.of(LAST, MIDDLE, FIRST)) {
            Files.delete(dir.resolve(segment));
        }
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(Zxid.make(2, 4), log.lastZxid());
            assertEquals(99, log.digest());
        }
        assertTrue(Files.notExists(tmp));
        assertEquals(1, warnings.size(), warnings.toString());
    }

    @Test
    void segmentsLeftBehindByAnInterruptedCompactionAreRemoved() throws Exception {
        final UnsafeBuffer state = new UnsafeBuffer(new byte[1]);
        final Path tmp = SnapshotFile.writeTemporary(dir, Zxid.make(1, 9), 0, state, 0, 1);
        SnapshotFile.publish(tmp);
        try (FileTxnLog log = FileTxnLog.open(dir, options())) {
            assertEquals(List.of("1:10=0123456789"), contents(log, 0));
            assertEquals(Zxid.make(1, 9), log.snapshotZxid());
        }
        assertTrue(Files.notExists(dir.resolve(FIRST)) && Files.notExists(dir.resolve(MIDDLE)));
        assertTrue(Files.exists(dir.resolve(LAST)));
    }

    /** Records of 1:1 (10 bytes), 1:2 (payloadBytes, random, a segment of its own) and 1:3 in dir/large. */
    private Path writeALargeRecord(final int payloadBytes) throws Exception {
        final Path large = dir.resolve("large");
        final byte[] payload = new byte[payloadBytes];
        new java.util.Random(11).nextBytes(payload);
        try (FileTxnLog log = FileTxnLog.open(large, options())) {
            append(log, Zxid.make(1, 1), "0123456789");
            log.append(Zxid.make(1, 2), new UnsafeBuffer(payload), 0, payloadBytes);
            append(log, Zxid.make(1, 3), "0123456789");
            assertEquals(3, log.segmentFiles().length);
        }
        return large;
    }

    @Test
    void aRecordLargerThanTheReadWindowIsCheckedWhole() throws Exception {
        final int payloadBytes = 3 * FileWindow.INITIAL_BYTES;
        final Path large = writeALargeRecord(payloadBytes);
        try (FileTxnLog log = FileTxnLog.open(large, options())) {
            assertEquals(3, log.entryCount());
            final int[] length = new int[1];
            log.read(Zxid.make(1, 2), (zxid, buffer, offset, bytes) -> {
                length[0] = bytes;
                return false;
            });
            assertEquals(payloadBytes, length[0]);
        }
        final Path middle = large.resolve("log.0000000100000002");
        final byte[] bytes = Files.readAllBytes(middle);
        bytes[16 + 16 + payloadBytes - 7] ^= 0x40;
        Files.write(middle, bytes);
        final LogCorruptedException ex = assertThrows(LogCorruptedException.class,
            () -> FileTxnLog.open(large, options()));
        assertEquals(middle, ex.file());
        assertEquals(16, ex.offset());
        assertTrue(ex.getMessage().contains("CRC"), ex.getMessage());
    }

    @Test
    void aValidRecordBeyondTheReadWindowAfterDamageIsCorruption() throws Exception {
        final int payloadBytes = 2 * FileWindow.INITIAL_BYTES;
        final Path large = writeALargeRecord(payloadBytes);
        final Path middle = large.resolve("log.0000000100000002");
        final Path last = large.resolve("log.0000000100000003");
        // The large record, its payload damaged, then 1:3 whole, as the last segment: damage, then a valid record.
        final byte[] tail = Files.readAllBytes(last);
        final byte[] joined = Files.readAllBytes(middle);
        joined[16 + 16 + 5] ^= 0x40;
        Files.delete(last);
        Files.write(middle, joined);
        Files.write(middle, Arrays.copyOfRange(tail, 16, tail.length), StandardOpenOption.APPEND);
        final LogCorruptedException ex = assertThrows(LogCorruptedException.class,
            () -> FileTxnLog.open(large, options()));
        assertEquals(middle, ex.file());
        assertEquals(16, ex.offset());
        final String follows = "valid record follows at byte offset " + (16 + 16 + payloadBytes);
        assertTrue(ex.getMessage().contains(follows), ex.getMessage());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }
}
