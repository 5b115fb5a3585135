package io.electionbench.core.sync;

/** How a leader brings a learner's history to its own (ZooKeeper's DIFF, TRUNC and SNAP packets). */
public enum SyncMode {
    /** The learner's history is a prefix of the leader's: send the leader's txns after the plan's zxid. */
    DIFF(13),
    /**
     * The learner has txns the leader lacks, after the plan's zxid: it truncates to it, then gets a DIFF from
     * there.
     */
    TRUNC(14),
    /** Replace the learner's history with the leader's state at the plan's zxid (then any later txns). */
    SNAP(15);

    private static final SyncMode[] BY_CODE_OFFSET = {DIFF, TRUNC, SNAP};

    private final int code;

    SyncMode(final int code) {
        this.code = code;
    }

    /**
     * ZooKeeper's packet type code, used on the wire and in
     * {@link io.electionbench.core.election.PeerPublisher#sendSyncStart}.
     */
    public int code() {
        return code;
    }

    /** The mode with this wire code, or null when there is none. */
    public static SyncMode ofCode(final int code) {
        return code >= 13 && code <= 15 ? BY_CODE_OFFSET[code - 13] : null;
    }
}
