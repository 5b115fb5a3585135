package io.electionbench.core.sync;

import static io.electionbench.core.Zxid.make;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.LongPredicate;

import org.junit.jupiter.api.Test;

import io.electionbench.core.log.MemoryTxnLog;

/**
 * One example per rule. The leader's history: 1:1..1:6 then 3:1..3:4; its snapshot covers up to 1:2,
 * so its on-disk log starts at 1:3, and its in-memory committed window is 1:6..3:4.
 */
class SyncPlannerTest {
    private static final long LAST = make(3, 4);
    private static final long MIN = make(1, 6);
    private static final long DISK_FIRST = make(1, 3);

    private final MemoryTxnLog leader = new MemoryTxnLog();
    private final LongPredicate leaderHas = leader::contains;
    private final SyncPlan plan = new SyncPlan();

    SyncPlannerTest() {
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[4]);
        for (int i = 1; i <= 6; i++) {
            leader.append(make(1, i), payload, 0, 4);
        }
        for (int i = 1; i <= 4; i++) {
            leader.append(make(3, i), payload, 0, 4);
        }
        leader.snapshot(make(1, 2), payload, 0, 4);
    }

    private SyncPlan plan(final long followerLast, final long followerEpoch) {
        return SyncPlanner.plan(LAST, MIN, LAST, DISK_FIRST, leaderHas, followerLast, followerEpoch, -1, plan);
    }

    private static void assertPlan(final SyncMode mode, final long zxid, final SyncReason reason, final SyncPlan plan) {
        assertEquals(mode + "(" + io.electionbench.core.Zxid.toString(zxid) + ", " + reason + ")", plan.toString());
    }

    @Test
    void anUpToDateLearnerGetsAnEmptyDiff() {
        assertPlan(SyncMode.DIFF, LAST, SyncReason.UP_TO_DATE, plan(LAST, 3));
    }

    @Test
    void aLearnerAheadInTheSameEpochIsTruncatedToTheLeadersLastCommitted() {
        // It logged 3:5 and 3:6, which the old leader proposed but no quorum logged.
        assertPlan(SyncMode.TRUNC, LAST, SyncReason.AHEAD_IN_EPOCH, plan(make(3, 6), 3));
    }

    @Test
    void aLearnerThatCompactedPastTheTruncationPointGetsASnapInstead() {
        // It compacted up to 3:5, which a TRUNC to 3:4 would have to drop and a snapshot cannot undo.
        final SyncPlan compacted =
            SyncPlanner.plan(LAST, MIN, LAST, DISK_FIRST, leaderHas, make(3, 6), 3, make(3, 5), plan);
        assertPlan(SyncMode.SNAP, LAST, SyncReason.AHEAD_INTO_SNAPSHOT, compacted);
        // A snapshot up to the truncation point itself, or before it, leaves the TRUNC possible.
        final SyncPlan atPoint = SyncPlanner.plan(LAST, MIN, LAST, DISK_FIRST, leaderHas, make(3, 6), 3, LAST, plan);
        assertPlan(SyncMode.TRUNC, LAST, SyncReason.AHEAD_IN_EPOCH, atPoint);
        final SyncPlan before =
            SyncPlanner.plan(LAST, MIN, LAST, DISK_FIRST, leaderHas, make(3, 6), 3, make(1, 6), plan);
        assertPlan(SyncMode.TRUNC, LAST, SyncReason.AHEAD_IN_EPOCH, before);
    }

    @Test
    void aLearnerAheadInALaterEpochIsTruncatedToTheLeadersLastCommittedAsInZooKeeper() {
        // Txns of epoch 4, which the leader never committed, on top of the history epoch 4's leader
        // established: the leader's whole history (LearnerHandler.syncFollower TRUNCs with no epoch test).
        assertPlan(SyncMode.TRUNC, LAST, SyncReason.AHEAD_ACROSS_EPOCHS, plan(make(4, 2), 4));
        final SyncPlan compacted =
            SyncPlanner.plan(LAST, MIN, LAST, DISK_FIRST, leaderHas, make(4, 2), 4, make(4, 1), plan);
        assertPlan(SyncMode.SNAP, LAST, SyncReason.AHEAD_INTO_SNAPSHOT, compacted);
    }

    @Test
    void aLearnerWhoseLastTxnIsInTheWindowGetsADiff() {
        assertPlan(SyncMode.DIFF, make(3, 1), SyncReason.IN_COMMITTED_WINDOW, plan(make(3, 1), 3));
    }

    @Test
    void aLearnerWithTxnsOfAnEpochTheLeaderNeverCommittedGetsASnap() {
        // 2:3 lies inside the window's range but epoch 2 is not in the leader's history.
        assertPlan(SyncMode.SNAP, LAST, SyncReason.DIVERGED, plan(make(2, 3), 2));
        // 1:7 continues epoch 1 past the leader's 1:6; the leader then moved to epoch 3.
        assertPlan(SyncMode.SNAP, LAST, SyncReason.DIVERGED, plan(make(1, 7), 1));
    }

    @Test
    void aLearnerAtANewEpochZxidGetsADiffOnlyIfTheLeaderHoldsThatEpochsFirstTxn() {
        assertPlan(SyncMode.DIFF, make(3, 0), SyncReason.NEW_EPOCH_ZXID, plan(make(3, 0), 3));
        assertPlan(SyncMode.SNAP, LAST, SyncReason.DIVERGED, plan(make(3, 0), 2));
        assertPlan(SyncMode.SNAP, LAST, SyncReason.DIVERGED, plan(make(2, 0), 2));
    }

    @Test
    void aLearnerBehindTheWindowGetsADiffFromTheTxnLog() {
        assertPlan(SyncMode.DIFF, make(1, 3), SyncReason.IN_TXN_LOG, plan(make(1, 3), 1));
    }

    @Test
    void aLearnerBehindTheCompactedPrefixGetsASnap() {
        assertPlan(SyncMode.SNAP, LAST, SyncReason.BEHIND_LOG, plan(make(1, 2), 1));
        assertPlan(SyncMode.SNAP, LAST, SyncReason.BEHIND_LOG, plan(make(1, 1), 1));
        assertPlan(SyncMode.SNAP, LAST, SyncReason.BEHIND_LOG, plan(-1, 0));
    }

    @Test
    void anEmptyWindowLeavesTheDiskLogToDecide() {
        final SyncPlan p = SyncPlanner.plan(LAST, LAST, LAST, DISK_FIRST, leaderHas, make(1, 4), 1, -1, plan);
        assertPlan(SyncMode.DIFF, make(1, 4), SyncReason.IN_TXN_LOG, p);
    }
}
