package io.electionbench.core.log;

import static io.electionbench.core.Zxid.make;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The committed window's contract: the newest txns as a run, with their payloads, whatever their sizes. */
class CommittedWindowTest {
    private static UnsafeBuffer payload(final long zxid, final int length) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++) {
            b.putByte(i, (byte)(zxid * 31 + i));
        }
        return b;
    }

    private static void add(final CommittedWindow w, final long zxid, final int length) {
        w.add(zxid, payload(zxid, length), 0, length);
    }

    /** Every txn read back, checking each payload byte. */
    private static List<Long> readAll(final CommittedWindow w, final int length) {
        final List<Long> zxids = new ArrayList<>();
        w.read(0, Long.MAX_VALUE, (zxid, buffer, offset, len) -> {
            assertEquals(length, len);
            for (int i = 0; i < len; i++) {
                assertEquals((byte)(zxid * 31 + i), buffer.getByte(offset + i), "byte " + i + " of " + zxid);
            }
            zxids.add(zxid);
            return true;
        });
        return zxids;
    }

    @Test
    void itKeepsTheNewestCapacityTxnsAndIgnoresOldOnes() {
        final CommittedWindow w = new CommittedWindow(3, 100);
        for (int c = 1; c <= 5; c++) {
            add(w, make(1, c), 10);
        }
        add(w, make(1, 2), 10);
        assertEquals(List.of(make(1, 3), make(1, 4), make(1, 5)), readAll(w, 10));
        assertEquals(make(1, 3), w.minZxid());
        assertEquals(make(1, 5), w.maxZxid());
        assertFalse(w.contains(make(1, 2)));
        assertTrue(w.contains(make(1, 4)));
    }

    @Test
    void payloadsThatWrapAroundTheRingReadBackWhole() {
        // 500 txns of 1,000 bytes grow the ring from 4 KiB; then they wrap in it for 2,000 more.
        final CommittedWindow w = new CommittedWindow(500, 1000);
        for (int c = 1; c <= 2500; c++) {
            add(w, make(2, c), 1000);
        }
        final List<Long> zxids = readAll(w, 1000);
        assertEquals(500, zxids.size());
        assertEquals(make(2, 2001), zxids.get(0));
        assertEquals(make(2, 2500), zxids.get(499));
    }

    @Test
    void aTxnLargerThanTheLimitEmptiesItAndTheNextStartsItAgain() {
        final CommittedWindow w = new CommittedWindow(10, 100);
        add(w, make(1, 1), 50);
        add(w, make(1, 2), 101);
        assertTrue(w.isEmpty());
        add(w, make(1, 3), 50);
        assertEquals(List.of(make(1, 3)), readAll(w, 50));
    }

    @Test
    void aRangeReadStopsAtItsEndAndDropBeforeShortensTheRun() {
        final CommittedWindow w = new CommittedWindow(10, 100);
        for (int c = 1; c <= 6; c++) {
            add(w, make(1, c), 8);
        }
        final List<Long> range = new ArrayList<>();
        w.read(make(1, 2), make(1, 4), (zxid, buffer, offset, length) -> range.add(zxid));
        assertEquals(List.of(make(1, 2), make(1, 3), make(1, 4)), range);
        w.dropBefore(make(1, 5));
        assertEquals(List.of(make(1, 5), make(1, 6)), readAll(w, 8));
    }

    @Test
    void loadTakesTheNewestTxnsTheLogHolds() {
        final MemoryTxnLog log = new MemoryTxnLog();
        for (int c = 1; c <= 8; c++) {
            log.append(make(1, c), payload(make(1, c), 8), 0, 8);
        }
        log.snapshot(make(1, 2), payload(0, 8), 0, 8);
        final CommittedWindow w = new CommittedWindow(4, 100);
        add(w, make(0, 9), 8);
        w.load(log);
        assertEquals(List.of(make(1, 5), make(1, 6), make(1, 7), make(1, 8)), readAll(w, 8));
        final CommittedWindow wide = new CommittedWindow(500, 100);
        wide.load(log);
        assertEquals(make(1, 3), wide.minZxid(), "only what the log holds after its snapshot");
    }
}
