package io.electionbench.loadgen.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SyncTrialTest {
    private static final long MS = 1_000_000;

    @Test
    void oneFollowerAggregatesToItsOwnFigures() {
        final FollowerSync f = new FollowerSync(1, "DIFF", 1_000_000, 128_000_000, 800 * MS, 5_000 * MS, 900 * MS);
        final SyncTrial t = new SyncTrial(3, List.of(f), Map.of());
        assertEquals(800 * MS, t.windowNs());
        assertEquals(1_250_000, t.txnsPerSecond(), 1e-6);
        assertEquals(f.bytesPerSecond(), t.bytesPerSecond(), 1e-6);
        assertEquals(160e6, t.bytesPerSecond(), 1e-3);
        assertEquals(900 * MS, t.readyNs());
    }

    @Test
    void theWindowRunsFromTheFirstStartToTheLastEnd() {
        // Follower 1 synced 4.0..5.0 s, follower 2 4.5..6.0 s: 2 s for both streams together.
        final FollowerSync a = new FollowerSync(1, "DIFF", 1_000_000, 128_000_000, 1_000 * MS, 5_000 * MS, 1_200 * MS);
        final FollowerSync b = new FollowerSync(2, "DIFF", 1_000_000, 128_000_000, 1_500 * MS, 6_000 * MS, 2_100 * MS);
        final SyncTrial t = new SyncTrial(5, List.of(a, b), Map.of());
        assertEquals(2_000 * MS, t.windowNs());
        assertEquals(2_000_000, t.totalTxns());
        assertEquals(1_000_000, t.txnsPerSecond(), 1e-6);
        assertEquals(2_100 * MS, t.readyNs(), "the slowest follower");
        assertTrue(t.txnsPerSecond() < a.txnsPerSecond() + b.txnsPerSecond());
    }

    @Test
    void threadsAreGroupedByTheirNodesRole() {
        assertEquals(ThreadCpu.LEADER_AGENT, ThreadCpu.role("election-5", 5, 2));
        assertEquals(ThreadCpu.LEADER_TRANSPORT, ThreadCpu.role("transport-5-3-1", 5, 2));
        assertEquals(ThreadCpu.FOLLOWER_AGENT, ThreadCpu.role("election-2", 5, 2));
        assertEquals(ThreadCpu.FOLLOWER_TRANSPORT, ThreadCpu.role("transport-1-7-1", 5, 2));
        assertEquals(ThreadCpu.PEERS, ThreadCpu.role("election-3", 5, 2));
        assertEquals(ThreadCpu.PEERS, ThreadCpu.role("transport-4-2-1", 5, 2));
        assertEquals(ThreadCpu.OTHER, ThreadCpu.role("C2 CompilerThread0", 5, 2));
        assertEquals(ThreadCpu.OTHER, ThreadCpu.role("transport-x", 5, 2));
        assertEquals(ThreadCpu.OTHER, ThreadCpu.role("main", 5, 2));
    }

    @Test
    void heapEstimateGrowsWithTheSnapshotAndTheFollowers() {
        final long small = SyncMemory.requiredHeapBytes(1, 1_000_000, 0);
        assertTrue(small < 1L << 30, "a 1M-txn DIFF fits the default heap: " + small);
        final long gib = SyncMemory.requiredHeapBytes(1, 1_000_000, 1L << 30);
        assertTrue(gib > 2L << 30 && gib < 3L << 30, "the set-up's two copies of a 1 GiB snapshot and room: " + gib);
        assertTrue(SyncMemory.requiredHeapBytes(3, 1_000_000, 1L << 30) > gib);
        assertEquals("5g", SyncMemory.xmx((4L << 30) + 1));
        assertEquals("4g", SyncMemory.xmx(4L << 30));
    }
}
