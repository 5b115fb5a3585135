package io.electionbench.core.sync;

/** Which rule of {@link SyncPlanner#plan} decided, for logs, metrics and tests. */
public enum SyncReason {
    /** The learner's last zxid is the leader's: an empty DIFF. */
    UP_TO_DATE,
    /** The learner is past the leader's last committed txn within the same epoch: TRUNC to it. */
    AHEAD_IN_EPOCH,
    /**
     * The learner is past the leader's last committed txn in the same epoch, but compacted txns past it
     * into its snapshot, which a TRUNC cannot undo: SNAP.
     */
    AHEAD_INTO_SNAPSHOT,
    /**
     * The learner is past the leader's last committed txn in a later epoch: TRUNC to it, as ZooKeeper's
     * {@code LearnerHandler.syncFollower} does (see {@link SyncPlanner} for why that is safe).
     */
    AHEAD_ACROSS_EPOCHS,
    /** The leader holds the learner's last txn in its in-memory committed window: DIFF. */
    IN_COMMITTED_WINDOW,
    /** The learner joined an epoch without txns, whose first txn the leader holds: DIFF. */
    NEW_EPOCH_ZXID,
    /** The leader holds the learner's last txn in its on-disk log, before the window: DIFF. */
    IN_TXN_LOG,
    /** The learner's last txn is not in the leader's history: it diverged. */
    DIVERGED,
    /** The learner's last txn is older than anything the leader can replay. */
    BEHIND_LOG
}
