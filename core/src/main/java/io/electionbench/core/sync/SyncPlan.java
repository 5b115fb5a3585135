package io.electionbench.core.sync;

import io.electionbench.core.Zxid;

/**
 * The result of {@link SyncPlanner#plan}: a mode and the zxid it carries. Mutable and reused by the
 * caller so that planning allocates nothing.
 */
public final class SyncPlan {
    private SyncMode mode = SyncMode.SNAP;
    private long zxid = -1;
    private SyncReason reason = SyncReason.BEHIND_LOG;

    /** DIFF, TRUNC or SNAP. */
    public SyncMode mode() {
        return mode;
    }

    /**
     * DIFF: the learner's last zxid, after which the leader sends its txns. TRUNC: the zxid the learner
     * truncates after, and after which the leader sends its txns. SNAP: the leader's last zxid, the
     * point its state is taken at.
     */
    public long zxid() {
        return zxid;
    }

    /** The rule that decided. */
    public SyncReason reason() {
        return reason;
    }

    SyncPlan set(final SyncMode mode, final long zxid, final SyncReason reason) {
        this.mode = mode;
        this.zxid = zxid;
        this.reason = reason;
        return this;
    }

    @Override
    public String toString() {
        return mode + "(" + Zxid.toString(zxid) + ", " + reason + ")";
    }
}
