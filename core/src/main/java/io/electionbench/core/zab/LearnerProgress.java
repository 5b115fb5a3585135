package io.electionbench.core.zab;

/**
 * What a leader knows of one member as its learner: how far it is through recovery ({@link Phase}),
 * what it reported (its accepted epoch, then its current epoch, last zxid and snapshot), how far its
 * sync stream got, what it acknowledged, when it was last heard from, and how its recent syncs
 * ended. One preallocated record per member, reused across learner sessions and leaderships, so
 * nothing is allocated per learner or per message (etcd raft's {@code tracker.Progress} and Aeron's
 * {@code ClusterMember} have the same shape). Agent thread only. See docs/architecture.md,
 * "LearnerProgress".
 */
public final class LearnerProgress {
    /** A learner's progress through recovery, as its leader sees it; it moves one step at a time or back to NONE. */
    public enum Phase {
        /** Not a learner of this leadership (or forgotten: it left, or starts over). */
        NONE,
        /** Announced itself (FOLLOWERINFO); its accepted epoch counts towards the new epoch. */
        INFO,
        /** Sent the new epoch (LEADERINFO). */
        EPOCH_SENT,
        /** Acknowledged the epoch (ACKEPOCH); its sync may start. */
        EPOCH_ACKED,
        /** Its sync stream is running. */
        SYNCING,
        /** Sent NEWLEADER at the end of its stream; proposals now reach it by broadcast. */
        NEWLEADER_SENT,
        /** Acknowledged NEWLEADER: synced, counted for establishment and commits. */
        SYNCED;

        /** Past its sync stream: new proposals are broadcast to it. */
        public boolean isPastNewLeader() {
            return this == NEWLEADER_SENT || this == SYNCED;
        }
    }

    private final int index;
    private Phase phase = Phase.NONE;
    private long lastHeardNs;
    private long acceptedEpoch;
    private long currentEpoch;
    private long lastZxid;
    private long snapshotZxid;
    private long ackedZxid;
    private long syncCursorZxid;
    private long snapshotCursor = -1;
    private int failedSyncs;
    private long syncNotBeforeNs;
    private boolean isSyncDeferred;

    public LearnerProgress(final int index) {
        this.index = index;
    }

    /** The member's index in the ensemble. */
    public int index() {
        return index;
    }

    public Phase phase() {
        return phase;
    }

    /** Moves to {@code next}: the following phase, or NONE. */
    public void phase(final Phase next) {
        assert next == Phase.NONE || next.ordinal() == phase.ordinal() + 1
            : "learner " + index + ": " + phase + " -> " + next;
        phase = next;
    }

    /** True while its sync is under way (SYNCING or NEWLEADER_SENT): forgotten now, it left the sync unfinished. */
    public boolean isInSync() {
        return phase == Phase.SYNCING || phase == Phase.NEWLEADER_SENT;
    }

    /** Forgets the session (phase NONE); what it reported and how its syncs ended are kept. */
    public void forget() {
        phase = Phase.NONE;
        isSyncDeferred = false;
    }

    public long lastHeardNs() {
        return lastHeardNs;
    }

    public void heardAt(final long nowNs) {
        lastHeardNs = nowNs;
    }

    /** The accepted epoch its last FOLLOWERINFO reported. */
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    public void acceptedEpoch(final long epoch) {
        acceptedEpoch = epoch;
    }

    /** Records its ACKEPOCH: current epoch (-1: it had already accepted this epoch), last zxid, snapshot zxid. */
    public void ackedEpoch(final long current, final long last, final long snapshot) {
        currentEpoch = current;
        lastZxid = last;
        snapshotZxid = snapshot;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    public long lastZxid() {
        return lastZxid;
    }

    /** The zxid its snapshot covers up to, from its ACKEPOCH (-1: none). */
    public long snapshotZxid() {
        return snapshotZxid;
    }

    /** The highest zxid it acknowledged once synced (its sync's end at NEWLEADER). */
    public long ackedZxid() {
        return ackedZxid;
    }

    public void ackedZxid(final long zxid) {
        ackedZxid = zxid;
    }

    /** The last zxid its sync stream sent (or the zxid the stream starts after). */
    public long syncCursorZxid() {
        return syncCursorZxid;
    }

    public void syncCursorZxid(final long zxid) {
        syncCursorZxid = zxid;
    }

    /** The next snapshot byte its SNAP sends, or -1 when no snapshot is being sent. */
    public long snapshotCursor() {
        return snapshotCursor;
    }

    public void snapshotCursor(final long position) {
        snapshotCursor = position;
    }

    /** True while its ACKEPOCH arrived but its sync is held back ({@link #isSyncHeldBack}). */
    public boolean isSyncDeferred() {
        return isSyncDeferred;
    }

    public void syncDeferred(final boolean isDeferred) {
        isSyncDeferred = isDeferred;
    }

    /** When its next sync may start, once it left two or more in a row unfinished. */
    public long syncNotBeforeNs() {
        return syncNotBeforeNs;
    }

    /** True if its next sync must wait: it left its last two or more unfinished, and the wait is not over. */
    public boolean isSyncHeldBack(final long nowNs) {
        return failedSyncs >= 2 && nowNs - syncNotBeforeNs < 0;
    }

    /**
     * It left a sync before acknowledging NEWLEADER. From the second such sync in a row, its next sync
     * waits {@code tickNs}, then twice as long per failure up to {@code maxDelayNs}: the first retry is
     * immediate, so a sync cut by one dropped link costs nothing.
     */
    public void syncFailed(final long nowNs, final long tickNs, final long maxDelayNs) {
        final int failed = ++failedSyncs;
        if (failed >= 2) {
            syncNotBeforeNs = nowNs + Math.min(tickNs << Math.min(failed - 2, 30), maxDelayNs);
        }
    }

    /** It acknowledged NEWLEADER: its syncs in a row left unfinished start again from none. */
    public void syncSucceeded() {
        failedSyncs = 0;
    }
}
