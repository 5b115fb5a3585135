package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.Zxid;

/** The {@link TxnLog} contract, run against each implementation. */
abstract class TxnLogContractTest {
    /** A fresh, empty log; each call gives an independent one. */
    abstract TxnLog newLog() throws Exception;

    static UnsafeBuffer bytes(final String text) {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    static void append(final TxnLog log, final long zxid, final String text) {
        final UnsafeBuffer payload = bytes("xx" + text + "yy");
        log.append(zxid, payload, 2, payload.capacity() - 4);
    }

    /** (zxid, text) of every held entry from fromZxid. */
    static List<String> contents(final TxnLog log, final long fromZxid) {
        final List<String> out = new ArrayList<>();
        log.read(fromZxid, (zxid, buffer, offset, length) -> {
            out.add(Zxid.toString(zxid) + "=" + buffer.getStringWithoutLengthUtf8(offset, length));
            return true;
        });
        return out;
    }

    @Test
    void appendedEntriesReadBackInOrder() throws Exception {
        try (TxnLog log = newLog()) {
            assertEquals(-1, log.lastZxid());
            assertEquals(-1, log.firstZxid());
            append(log, Zxid.make(1, 1), "a");
            append(log, Zxid.make(1, 2), "");
            append(log, Zxid.make(2, 1), "c".repeat(1000));
            assertEquals(List.of("1:1=a", "1:2=", "2:1=" + "c".repeat(1000)), contents(log, 0));
            assertEquals(List.of("1:2=", "2:1=" + "c".repeat(1000)), contents(log, Zxid.make(1, 2)));
            assertEquals(List.of("2:1=" + "c".repeat(1000)), contents(log, Zxid.make(1, 3)));
            assertEquals(Zxid.make(1, 1), log.firstZxid());
            assertEquals(Zxid.make(2, 1), log.lastZxid());
            assertEquals(3, log.entryCount());
            assertTrue(log.contains(Zxid.make(1, 2)));
            assertFalse(log.contains(Zxid.make(1, 3)));
        }
    }

    @Test
    void readStopsWhenTheHandlerSaysSo() throws Exception {
        try (TxnLog log = newLog()) {
            for (int i = 1; i <= 5; i++) {
                append(log, i, "e" + i);
            }
            final int[] seen = {0};
            assertEquals(2, log.read(2, (zxid, buffer, offset, length) -> ++seen[0] < 2));
        }
    }

    @Test
    void aNonIncreasingZxidIsRejectedNamingBoth() throws Exception {
        try (TxnLog log = newLog()) {
            append(log, Zxid.make(3, 7), "a");
            final IllegalArgumentException same =
                assertThrows(IllegalArgumentException.class, () -> append(log, Zxid.make(3, 7), "b"));
            assertTrue(same.getMessage().contains("3:7"), same.getMessage());
            final IllegalArgumentException lower =
                assertThrows(IllegalArgumentException.class, () -> append(log, Zxid.make(2, 9), "b"));
            assertTrue(lower.getMessage().contains("2:9") && lower.getMessage().contains("3:7"), lower.getMessage());
            assertEquals(List.of("3:7=a"), contents(log, 0));
        }
    }

    @Test
    void truncateAfterDropsEverythingLater() throws Exception {
        try (TxnLog log = newLog()) {
            for (int i = 1; i <= 6; i++) {
                append(log, Zxid.make(1, i), "e" + i);
            }
            log.truncateAfter(Zxid.make(1, 6));
            assertEquals(6, log.entryCount());
            log.truncateAfter(Zxid.make(1, 3));
            assertEquals(List.of("1:1=e1", "1:2=e2", "1:3=e3"), contents(log, 0));
            assertEquals(Zxid.make(1, 3), log.lastZxid());
            append(log, Zxid.make(2, 1), "new");
            assertEquals(List.of("1:1=e1", "1:2=e2", "1:3=e3", "2:1=new"), contents(log, 0));
            log.truncateAfter(0);
            assertEquals(0, log.entryCount());
            assertEquals(-1, log.lastZxid());
        }
    }

    @Test
    void snapshotDropsCoveredEntriesAndKeepsTheState() throws Exception {
        try (TxnLog log = newLog()) {
            for (int i = 1; i <= 6; i++) {
                append(log, Zxid.make(1, i), "e" + i);
            }
            final UnsafeBuffer state = bytes("state-at-1:4");
            log.snapshot(Zxid.make(1, 4), state, 0, state.capacity());
            assertEquals(Zxid.make(1, 4), log.snapshotZxid());
            assertEquals(Zxid.make(1, 5), log.firstZxid());
            assertEquals(List.of("1:5=e5", "1:6=e6"), contents(log, 0));
            assertEquals("state-at-1:4",
                log.snapshotState().getStringWithoutLengthUtf8(0, log.snapshotState().capacity()));
            final IllegalArgumentException below =
                assertThrows(IllegalArgumentException.class, () -> log.truncateAfter(Zxid.make(1, 3)));
            assertTrue(below.getMessage().contains("SNAP"), below.getMessage());
            assertThrows(IllegalArgumentException.class, () -> log.snapshot(Zxid.make(1, 7), state, 0, 1));
            log.snapshot(Zxid.make(1, 6), state, 0, 5);
            assertEquals(0, log.entryCount());
            assertEquals(Zxid.make(1, 6), log.lastZxid());
            append(log, Zxid.make(1, 7), "e7");
            assertEquals(List.of("1:7=e7"), contents(log, 0));
        }
    }

    @Test
    void digestsAgreeForEqualHistoriesWhereverCompacted() throws Exception {
        try (TxnLog a = newLog(); TxnLog b = newLog(); TxnLog c = newLog()) {
            assertEquals(a.digest(), b.digest());
            for (int i = 1; i <= 8; i++) {
                append(a, Zxid.make(1, i), "e" + i);
                append(b, Zxid.make(1, i), "e" + i);
            }
            assertEquals(a.digest(), b.digest());
            final UnsafeBuffer state = bytes("s");
            b.snapshot(Zxid.make(1, 5), state, 0, 1);
            assertEquals(a.digest(), b.digest(), "compaction keeps the digest of the same history");
            c.installSnapshot(Zxid.make(1, 5), b.digest() - digestOfTail(b), state, 0, 1);
            for (int i = 6; i <= 8; i++) {
                append(c, Zxid.make(1, i), "e" + i);
            }
            assertEquals(a.digest(), c.digest(), "a SNAP carrying the leader's digest gives the same digest");
            a.truncateAfter(Zxid.make(1, 7));
            assertNotEquals(a.digest(), b.digest());
            append(a, Zxid.make(1, 8), "e8");
            assertEquals(a.digest(), b.digest(), "re-appending the same txn restores the digest");
        }
    }

    private static long digestOfTail(final TxnLog log) {
        final long[] sum = {0};
        log.read(0, (zxid, buffer, offset, length) -> {
            sum[0] += HistoryDigest.entryHash(zxid, buffer, offset, length);
            return true;
        });
        return sum[0];
    }

    @Test
    void digestsDifferForDifferentHistories() throws Exception {
        try (TxnLog a = newLog(); TxnLog payload = newLog(); TxnLog zxid = newLog(); TxnLog longer = newLog()) {
            for (int i = 1; i <= 4; i++) {
                append(a, Zxid.make(1, i), "e" + i);
                append(payload, Zxid.make(1, i), i == 3 ? "E3" : "e" + i);
                append(zxid, Zxid.make(i == 4 ? 2 : 1, i), "e" + i);
                append(longer, Zxid.make(1, i), "e" + i);
            }
            append(longer, Zxid.make(1, 5), "");
            assertNotEquals(a.digest(), payload.digest());
            assertNotEquals(a.digest(), zxid.digest());
            assertNotEquals(a.digest(), longer.digest());
        }
    }

    @Test
    void installSnapshotReplacesTheHistory() throws Exception {
        try (TxnLog log = newLog()) {
            for (int i = 1; i <= 4; i++) {
                append(log, Zxid.make(3, i), "e" + i);
            }
            final UnsafeBuffer state = bytes("leader");
            log.installSnapshot(Zxid.make(2, 9), 42, state, 0, state.capacity());
            assertEquals(Zxid.make(2, 9), log.lastZxid());
            assertEquals(Zxid.make(2, 9), log.snapshotZxid());
            assertEquals(0, log.entryCount());
            assertEquals(42, log.digest());
            final byte[] stored = new byte[log.snapshotState().capacity()];
            log.snapshotState().getBytes(0, stored);
            assertArrayEquals("leader".getBytes(StandardCharsets.UTF_8), stored);
            append(log, Zxid.make(4, 1), "x");
            assertEquals(List.of("4:1=x"), contents(log, 0));
        }
    }
}
