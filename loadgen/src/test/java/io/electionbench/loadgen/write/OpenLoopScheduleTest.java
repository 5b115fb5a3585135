package io.electionbench.loadgen.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The open-loop schedule and the coordinated-omission accounting of {@link WriteLedger}, without sockets. */
class OpenLoopScheduleTest {
    private static final long MS = 1_000_000;

    @Test
    void writesAreDueAtStartPlusIOverRate() {
        final OpenLoopSchedule s = new OpenLoopSchedule(1_000, 200);
        assertEquals(1_000, s.intendedNs(0));
        assertEquals(1_000 + 5 * MS, s.intendedNs(1));
        assertEquals(1_000 + 1_000 * MS, s.intendedNs(200));
        assertEquals(0, s.dueBy(999), "nothing before the start");
        assertEquals(1, s.dueBy(1_000), "write 0 is due at the start");
        assertEquals(1, s.dueBy(1_000 + 5 * MS - 1));
        assertEquals(2, s.dueBy(1_000 + 5 * MS));
        assertEquals(201, s.dueBy(1_000 + 1_000 * MS));
    }

    @Test
    void dueByCountsExactlyTheWritesWhoseTimeHasComeForAnyRate() {
        final SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < 200; run++) {
            final double rate = 0.5 + random.nextDouble() * 50_000;
            final long start = random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
            final OpenLoopSchedule s = new OpenLoopSchedule(start, rate);
            for (int k = 0; k < 50; k++) {
                final long now = start + random.nextLong(0, 10_000 * MS);
                final long due = s.dueBy(now);
                assertTrue(s.intendedNs(due - 1) <= now && s.intendedNs(due) > now,
                    "rate " + rate + " now " + (now - start) + ": due " + due + " at "
                    + (s.intendedNs(due - 1) - start) + ", next "
                        + (s.intendedNs(due) - start));
            }
        }
    }

    @Test
    void aRateMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, Double.POSITIVE_INFINITY));
    }

    /**
     * 1,000 writes a second and a server that answers nothing for 100 ms, then everything at once: the
     * 100 writes due during the stall count 100 ms down to nothing, as the clients that sent them saw
     * it. A closed-loop writer timing each write from its send would have sent one write during the
     * stall and recorded one slow sample among a hundred fast ones.
     */
    @Test
    void aStallCountsForEveryWriteDueDuringIt() {
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000);
        final WriteLedger ledger = new WriteLedger(s, 1, 0);
        for (long i = 0; i < 100; i++) {
            ledger.onCommitted(1 + i, i + 1, s.intendedNs(i) + MS / 2); // before the stall: 0.5 ms each
        }
        final long resumeNs = s.intendedNs(200);
        for (long i = 100; i < 200; i++) {
            ledger.onCommitted(1 + i, i + 1, resumeNs); // due during the stall, answered when it ends
        }
        final TrialWrites w = ledger.finish(200, 0);
        assertEquals(200, w.committed());
        final long[] latencies = w.latenciesNs();
        assertEquals(200, latencies.length);
        assertEquals(100 * MS, latencies[100], "the first write of the stall waited all of it");
        assertEquals(MS, latencies[199], "the last waited one interval");
        assertEquals(50.5 * MS, w.latencyHistogram().getValueAtPercentile(75), 0.01 * 50 * MS,
            "half the writes were caught by the stall: the 75th percentile is its middle");
        assertEquals(100 * MS, w.latencyHistogram().getMaxValue(), 0.001 * 100 * MS);
        assertEquals(s.intendedNs(199), ledger.maxCommittedIntendedNs());
    }

    @Test
    void aWriteCommittedTwiceCountsOnceButBothAcknowledgementsAreChecked() {
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 100);
        final WriteLedger ledger = new WriteLedger(s, 7, 0);
        assertTrue(ledger.onCommitted(7, 11, 3 * MS));
        ledger.onLost();
        assertEquals(false, ledger.onCommitted(7, 12, 9 * MS), "a retried write that committed twice");
        final TrialWrites w = ledger.finish(1, 0);
        assertEquals(1, w.committed());
        assertEquals(1, w.unknown());
        assertEquals(1, w.latenciesNs().length);
        assertEquals(3 * MS, w.latenciesNs()[0]);
        assertEquals(2, w.ackZxids().length, "both zxids hold write 7 as far as the ensemble told us");
    }
}
