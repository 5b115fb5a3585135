package io.electionbench.core.sync;

/** How a leader brings a learner's history to its own (ZooKeeper's DIFF, TRUNC and SNAP packets). */
public enum SyncMode {
    /** The learner's history is a prefix of the leader's: send the leader's txns after the plan's zxid. */
    DIFF,
    /** The learner has txns the leader lacks, after the plan's zxid: it truncates to it, then gets a DIFF from there. */
    TRUNC,
    /** Replace the learner's history with the leader's state at the plan's zxid (then any later txns). */
    SNAP
}
