package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileTxnLog#recordSpan}: what it describes is exactly what the file holds (checked by reading
 * the bytes back and parsing them independently), whole records of one segment, as many as fit.
 */
class FileTxnLogRecordSpanTest {
    private static final int TXNS = 300;
    private static final int MAX_BYTES = 1000;

    @TempDir
    Path dir;

    private static byte[] payloadOf(final long zxid) {
        final byte[] bytes = new byte[(int)(zxid * 13 % 61)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte)(zxid + i * 7);
        }
        return bytes;
    }

    private static FileTxnLog open(final Path dir) throws Exception {
        return FileTxnLog.open(dir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).segmentBytes(4096));
    }

    @Test
    void spansCoverTheHistoryInWholeRecordsOfOneSegmentEachAsLargeAsFit() throws Exception {
        try (FileTxnLog log = open(dir.resolve("log"))) {
            for (long zxid = 1; zxid <= TXNS; zxid++) {
                log.append(zxid, new UnsafeBuffer(payloadOf(zxid)), 0, payloadOf(zxid).length);
            }
            final RecordSpan span = new RecordSpan();
            final Set<Path> files = new HashSet<>();
            long cursor = 0;
            long previousStart = -1;
            long previousEnd = -1;
            Path previousFile = null;
            while (cursor < TXNS) {
                assertTrue(log.recordSpan(cursor + 1, MAX_BYTES, span), "a span from " + (cursor + 1));
                assertTrue(span.length() <= MAX_BYTES, span.toString());
                assertEquals(cursor + 1, span.firstZxid(), span.toString());
                if (span.file() == previousFile && span.position() == previousEnd) {
                    final int firstRecordBytes = LogRecords.HEADER_BYTES + payloadOf(span.firstZxid()).length;
                    assertTrue(previousEnd - previousStart + firstRecordBytes > MAX_BYTES,
                        "the previous span stopped early in the same segment: " + span);
                }
                final long[] zxids = parse(span);
                assertEquals(span.count(), zxids.length, span.toString());
                assertEquals(span.lastZxid(), zxids[zxids.length - 1]);
                assertEquals(span.length() - LogRecords.HEADER_BYTES * (long)span.count(), span.payloadBytes());
                files.add(span.file());
                previousFile = span.file();
                previousStart = span.position();
                previousEnd = span.position() + span.length();
                cursor = span.lastZxid();
            }
            assertTrue(files.size() > 3, "the history spans several segments: " + files);
            assertFalse(log.recordSpan(TXNS + 1, MAX_BYTES, span), "nothing after the last entry");
            final int largest = LogRecords.HEADER_BYTES + payloadOf(TXNS).length;
            assertFalse(log.recordSpan(TXNS, largest - 1, span), "a record larger than the batch is read instead");
            assertTrue(log.recordSpan(TXNS, largest, span));
            assertEquals(1, span.count());
        }
    }

    @Test
    void stagedAppendsAreInTheFileAndCompactedEntriesAreNotDescribed() throws Exception {
        try (FileTxnLog log = open(dir.resolve("log"))) {
            for (long zxid = 1; zxid <= 40; zxid++) {
                log.append(zxid, new UnsafeBuffer(payloadOf(zxid)), 0, payloadOf(zxid).length);
            }
            final RecordSpan span = new RecordSpan();
            assertTrue(log.recordSpan(40, MAX_BYTES, span), "the last append, still staged");
            assertArrayEquals(new long[] {40}, parse(span));

            log.snapshot(25, new UnsafeBuffer(new byte[3]), 0, 3);
            assertTrue(log.recordSpan(0, MAX_BYTES, span));
            assertEquals(26, span.firstZxid(), "the first entry held after the snapshot: " + span);
            assertEquals(26, parse(span)[0]);
        }
    }

    /** Reads the span's bytes from its file and parses them as log records, checking each CRC and payload. */
    private static long[] parse(final RecordSpan span) throws Exception {
        final byte[] file = Files.readAllBytes(span.file());
        final ByteBuffer bytes =
            ByteBuffer.wrap(file, (int)span.position(), span.length()).slice().order(ByteOrder.LITTLE_ENDIAN);
        final long[] zxids = new long[span.count() + 1];
        int n = 0;
        while (bytes.hasRemaining()) {
            final int length = bytes.getInt();
            final long zxid = bytes.getLong();
            final int crc = bytes.getInt();
            final byte[] payload = new byte[length];
            bytes.get(payload);
            final CRC32C expected = new CRC32C();
            expected.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, zxid).array());
            expected.update(payload);
            assertEquals((int)expected.getValue(), crc, "record 0x" + Long.toHexString(zxid) + " CRC");
            assertArrayEquals(payloadOf(zxid), payload, "record 0x" + Long.toHexString(zxid));
            assertTrue(n == 0 || zxid == zxids[n - 1] + 1, "consecutive zxids");
            zxids[n++] = zxid;
        }
        return Arrays.copyOf(zxids, n);
    }
}
