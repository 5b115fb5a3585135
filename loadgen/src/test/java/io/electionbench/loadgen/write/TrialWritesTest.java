package io.electionbench.loadgen.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.electionbench.core.Zxid;
import io.electionbench.loadgen.run.SyncEvent;
import io.electionbench.loadgen.run.SyncSummary;

/** Write unavailability, sync summaries and the acknowledged-write check, on hand-made numbers. */
class TrialWritesTest {
    /** Commits answered at the given times (ms). */
    private static TrialWrites answeredAt(final long... ms) {
        final WriteLedger ledger = new WriteLedger(new OpenLoopSchedule(0, 1_000), 1, 0);
        for (int i = 0; i < ms.length; i++) {
            ledger.onCommitted(1 + i, i + 1, ms[i] * 1_000_000);
        }
        return ledger.finish(ms.length, 0);
    }

    @Test
    void unavailabilityIsTheLongestGapFromTheLastCommitBeforeTheFault() {
        final TrialWrites w = answeredAt(10, 15, 20, 25, 90, 95, 100);
        assertEquals(65_000_000, w.unavailabilityNs(22_000_000, Long.MAX_VALUE),
            "from the commit at 20 ms to the one at 90 ms");
        assertEquals(90_000_000, w.longestGapEndNs(22_000_000, Long.MAX_VALUE));
    }

    @Test
    void commitsJustAfterTheFaultDoNotHideTheStallThatFollows() {
        final TrialWrites w = answeredAt(10, 20, 21, 22, 80, 85);
        assertEquals(58_000_000, w.unavailabilityNs(19_000_000, Long.MAX_VALUE),
            "the dying leader committed at 20-22 ms; the stall runs from 22 to 80 ms");
    }

    @Test
    void theNextFaultBoundsTheWindowAndNoCommitAfterTheFaultIsNoValue() {
        final TrialWrites w = answeredAt(10, 50, 55, 200);
        assertEquals(40_000_000, w.unavailabilityNs(20_000_000, 100_000_000),
            "the gap to 200 ms belongs to the next fault");
        assertEquals(-1, w.unavailabilityNs(300_000_000, Long.MAX_VALUE));
        assertEquals(30_000_000, answeredAt(30, 35).unavailabilityNs(0, Long.MAX_VALUE),
            "no commit before the fault: from the fault");
    }

    @Test
    void syncSummaryTakesOnlySyncsAfterTheFaultThatMovedData() {
        assertNull(SyncSummary.of(List.of(new SyncEvent(1, 500, "DIFF", 0, 0, 100)), 0), "an empty DIFF moves nothing");
        assertNull(SyncSummary.of(List.of(new SyncEvent(1, 500, "DIFF", 10, 1_280, 100)), 1_000), "before the fault");
        final SyncSummary s = SyncSummary.of(List.of(new SyncEvent(1, 2_000_000_000L, "DIFF", 1_000, 128_000,
            500_000_000L), new SyncEvent(2, 2_500_000_000L, "TRUNC", 3_000, 384_000, 500_000_000L),
            new SyncEvent(3, 2_200_000_000L, "DIFF", 0, 0, 1)), 1_000_000_000L);
        assertEquals(2, s.syncs());
        assertEquals(1_000_000_000L, s.spanNs(), "the first starts at 1.5 s, the last ends at 2.5 s");
        assertEquals(4_000, s.txnsPerS(), 1e-9);
        assertEquals(512_000, s.bytesPerS(), 1e-9);
    }

    @Test
    void theSafetyCheckFindsMissingAndReplacedWrites() {
        final org.agrona.collections.Long2LongHashMap entries = LeaderLog.newEntries();
        entries.put(Zxid.make(2, 1), 41);
        entries.put(Zxid.make(2, 2), 42);
        entries.put(Zxid.make(3, 1), LeaderLog.NO_FIRST_LONG);
        final LeaderLog log = new LeaderLog(2, Zxid.make(1, 9), Zxid.make(3, 1), entries);
        assertNull(log.missing(new long[] {Zxid.make(1, 5), Zxid.make(2, 1), Zxid.make(2, 2)}, new long[] {7, 41, 42}),
            "1:5 is covered by the snapshot at 1:9");
        assertEquals("acknowledged write 43 at zxid 2:3 is missing from leader 2's log (last zxid 3:1)",
            log.missing(new long[] {Zxid.make(2, 1), Zxid.make(2, 3)}, new long[] {41, 43}));
        assertEquals("leader 2 holds a different txn at acknowledged zxid 2:2 (write 42, acknowledged as write 44)",
            log.missing(new long[] {Zxid.make(2, 2)}, new long[] {44}));
        assertEquals("leader 2 holds a different txn at acknowledged zxid 3:1 (write ?, acknowledged as write 45)",
            log.missing(new long[] {Zxid.make(3, 1)}, new long[] {45}));
        final long[] zxids = {Zxid.make(1, 5), Zxid.make(2, 1), Zxid.make(2, 2), Zxid.make(2, 3), Zxid.make(3, 1)};
        final long[] seqs = {7, 41, 44, 43, 45};
        assertEquals(3, log.countMissing(zxids, seqs), "2:2 holds another write, 2:3 is absent, 3:1 holds no sequence");
        assertEquals(0, log.countMissing(new long[] {Zxid.make(1, 5), Zxid.make(2, 2)}, new long[] {7, 42}));
        assertEquals("node 2 holds a different txn at acknowledged zxid 2:2 (write 42, acknowledged as write 44)",
            log.missing(zxids, seqs, "node 2"));
    }
}
