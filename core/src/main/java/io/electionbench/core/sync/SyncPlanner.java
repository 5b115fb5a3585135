package io.electionbench.core.sync;

import java.util.function.LongPredicate;

import io.electionbench.core.Zxid;

/**
 * ZooKeeper's sync decision ({@code LearnerHandler.syncFollower}; reference section 5.2) as a pure
 * function over primitives. The first matching rule wins:
 * <ol>
 * <li>The learner's last zxid equals the leader's: an empty DIFF ({@link SyncReason#UP_TO_DATE}).
 * <li>The learner is past the leader's last committed zxid (and its zxid is a txn, not a new-epoch
 * zxid): TRUNC to that zxid, in the same epoch ({@link SyncReason#AHEAD_IN_EPOCH}) or another
 * ({@link SyncReason#AHEAD_ACROSS_EPOCHS}); SNAP instead when the learner compacted into its
 * snapshot txns the TRUNC would have to drop ({@link SyncReason#AHEAD_INTO_SNAPSHOT}).
 * <li>The learner's last zxid lies in the leader's in-memory committed window: DIFF if the leader
 * holds that txn ({@link SyncReason#IN_COMMITTED_WINDOW}) or it is a new-epoch zxid the leader can
 * continue from ({@link SyncReason#NEW_EPOCH_ZXID}); otherwise SNAP ({@link SyncReason#DIVERGED}).
 * <li>The learner's last zxid is older than the window: DIFF from the on-disk log if the leader holds
 * that txn there ({@link SyncReason#IN_TXN_LOG}); otherwise SNAP.
 * <li>Anything else: SNAP ({@link SyncReason#BEHIND_LOG}).
 * </ol>
 * The rules rest on two ZAB invariants: a zxid names one txn everywhere, and with it the whole history
 * before it (a txn is only logged on top of the history its epoch's leader established); and within
 * an epoch the counters are contiguous from 1, so two histories that both reach into an epoch agree
 * on it up to the shorter one's end. ZooKeeper's {@code forceSnapshotSync} switch is left out (test
 * only), as is its 0.33 x snapshot-size cap on reading the txn log (a caller can fold that into
 * {@code diskFirstZxid}).
 */
public final class SyncPlanner {
    private SyncPlanner() {
    }

    /**
     * Plans one learner's sync. Allocation-free when the predicate is (e.g. a stored
     * {@code log::contains}).
     *
     * @param leaderLastZxid       the leader's last logged (processed) zxid
     * @param minCommittedZxid     first zxid of the leader's in-memory committed window; when the
     *                             window is empty both bounds are {@code leaderLastZxid}, as in ZooKeeper
     * @param maxCommittedZxid     last zxid of that window
     * @param diskFirstZxid        first zxid still in the leader's on-disk txn log, -1 if none
     * @param leaderHas            whether a zxid is a txn the leader holds and can replay (window or log)
     * @param followerLastZxid     the learner's last logged zxid (ACKEPOCH's zxid), -1 if empty
     * @param followerCurrentEpoch the learner's current epoch (the last epoch whose NEWLEADER it acknowledged)
     * @param followerSnapshotZxid the zxid the learner's snapshot covers up to, -1 if none (or not told)
     * @param out                  receives the plan
     * @return out
     */
    public static SyncPlan plan(
        final long leaderLastZxid, final long minCommittedZxid, final long maxCommittedZxid, final long diskFirstZxid,
        final LongPredicate leaderHas, final long followerLastZxid, final long followerCurrentEpoch,
        final long followerSnapshotZxid, final SyncPlan out) {
        final long f = followerLastZxid;
        final boolean isNewEpochZxid = f >= 0 && Zxid.counter(f) == 0;
        if (f == leaderLastZxid) {
            return out.set(SyncMode.DIFF, f, SyncReason.UP_TO_DATE);
        }
        if (f > maxCommittedZxid && !isNewEpochZxid) {
            return planAhead(leaderLastZxid, maxCommittedZxid, f, followerSnapshotZxid, out);
        }
        if (minCommittedZxid <= f && f <= maxCommittedZxid) {
            return planInWindow(leaderLastZxid, leaderHas, f, followerCurrentEpoch, isNewEpochZxid, out);
        }
        if (f < minCommittedZxid && diskFirstZxid >= 0 && diskFirstZxid <= f && leaderHas.test(f)) {
            return out.set(SyncMode.DIFF, f, SyncReason.IN_TXN_LOG);
        }
        final long replayableFrom = diskFirstZxid >= 0 ? Math.min(diskFirstZxid, minCommittedZxid) : minCommittedZxid;
        return out.set(SyncMode.SNAP, leaderLastZxid, f < replayableFrom ? SyncReason.BEHIND_LOG : SyncReason.DIVERGED);
    }

    /**
     * Rule 2, as ZooKeeper's {@code LearnerHandler.syncFollower}: the learner logged txns past the
     * leader's last committed one; no quorum can have committed them (the leader was elected with the
     * most recent history of a quorum), so they go: TRUNC to that zxid, in whatever epoch the learner's
     * last txn is. ZooKeeper's refusal of a cross-epoch TRUNC (and its comment that the learner would
     * crash) is only in {@code queueCommittedProposals}, for a learner inside the window; its
     * {@code Learner.syncWithLeader} truncates by zxid. Safe across epochs too: a learner's txns of a
     * later epoch e lie on the history e's leader established, which a quorum held; every leader elected
     * after that holds the same history up to e (its discovery quorum meets e's, and a learner more
     * recent than the leader is refused there), so a leader whose last txn is older than e holds exactly
     * that history, and the learner's txns up to the leader's last are the leader's. A learner that
     * compacted past the truncation point (a snapshot holds what TRUNC must drop, and cannot be
     * un-applied) would fail the TRUNC at every election, as ZooKeeper's learner exits on a failed
     * truncation: SNAP replaces its history instead.
     */
    private static SyncPlan planAhead(final long leaderLastZxid, final long maxCommittedZxid, final long f,
        final long followerSnapshotZxid, final SyncPlan out) {
        if (followerSnapshotZxid > maxCommittedZxid) {
            return out.set(SyncMode.SNAP, leaderLastZxid, SyncReason.AHEAD_INTO_SNAPSHOT);
        }
        if (maxCommittedZxid >= 0 && Zxid.epoch(f) == Zxid.epoch(maxCommittedZxid)) {
            return out.set(SyncMode.TRUNC, maxCommittedZxid, SyncReason.AHEAD_IN_EPOCH);
        }
        return out.set(SyncMode.TRUNC, maxCommittedZxid, SyncReason.AHEAD_ACROSS_EPOCHS);
    }

    /**
     * Rule 3 ({@code queueCommittedProposals}). If the leader holds the learner's last txn, the
     * learner's history is a prefix of the leader's: DIFF. A new-epoch zxid e:0 means "joined epoch e,
     * no txns of it": the learner holds what epoch e's leader established, which is the leader's
     * history before e:1 if the leader holds e:1 and the learner acknowledged epoch e; then DIFF
     * (ZooKeeper DIFFs without checking; that is wrong when the leader never saw epoch e). Otherwise
     * the learner's last txn is one the leader never had. ZooKeeper would TRUNC to the previous
     * proposal if the next one were in the learner's epoch, but under contiguous counters that next
     * proposal would imply the leader holds the learner's txn, so only the cross-epoch case is left,
     * which ZooKeeper answers with SNAP, and so do we.
     */
    private static SyncPlan planInWindow(final long leaderLastZxid, final LongPredicate leaderHas, final long f,
        final long followerCurrentEpoch, final boolean isNewEpochZxid, final SyncPlan out) {
        if (leaderHas.test(f)) {
            return out.set(SyncMode.DIFF, f, SyncReason.IN_COMMITTED_WINDOW);
        }
        if (isNewEpochZxid && followerCurrentEpoch >= Zxid.epoch(f) && leaderHas.test(f + 1)) {
            return out.set(SyncMode.DIFF, f, SyncReason.NEW_EPOCH_ZXID);
        }
        return out.set(SyncMode.SNAP, leaderLastZxid, SyncReason.DIVERGED);
    }
}
