package io.electionbench.core.election;

/**
 * A member out of elections after its storage failed with an I/O error: it neither votes nor answers
 * votes, and proposes nobody, itself least, until a probe write succeeds
 * ({@link PersistentState#checkWritable}), tried after one tick, then twice as long after each failure
 * up to initLimit (and on from where it was when the storage fails again within initLimit of a probe
 * that succeeded). ZooKeeper's server exits on a failed log write ({@code SyncRequestProcessor.run}
 * treats it as fatal); staying up and out keeps the node observable and lets it rejoin by itself once
 * the disk has room, and a leader whose log cannot grow no longer wins every election with the zxid it
 * failed to write. Out of elections it is in no quorum, so the others elect among themselves, and any
 * two quorums still intersect. The agent changes role; this keeps the schedule and tells the observer
 * (docs/storage.md, "When the disk fails"). Agent thread only.
 */
final class StorageProbe {
    private final long mySid;
    private final NodeTiming timing;
    private final PersistentState storage;
    private final ElectionObserver observer;

    private boolean isFailed;
    private long failedSinceNs;
    private long failuresInRow;
    private long failures;
    private long retryNs;
    private long probeNs;
    private long recoveredNs;
    private boolean hasRecovered;

    StorageProbe(final long mySid, final NodeTiming timing, final PersistentState storage,
        final ElectionObserver observer) {
        this.mySid = mySid;
        this.timing = timing;
        this.storage = storage;
        this.observer = observer;
    }

    /** The storage failed with an I/O error under a role; the caller ends the role. */
    void failed(final String reason, final RuntimeException cause, final long nowNs) {
        isFailed = true;
        failedSinceNs = nowNs;
        failuresInRow = 1;
        failures++;
        // Failing again soon after a probe succeeded (room for a probe, not for the next sync): keep backing off.
        retryNs = hasRecovered && nowNs - recoveredNs < timing.initLimitNs()
            ? Math.min(retryNs * 2, maxRetryNs()) : timing.tickNs();
        probeNs = nowNs + retryNs;
        observer.onStorageFailure(mySid, reason, cause, failuresInRow, retryNs, nowNs);
    }

    private long maxRetryNs() {
        return Math.max(timing.tickNs(), timing.initLimitNs());
    }

    /** True when the next probe is due. */
    boolean isDue(final long nowNs) {
        return nowNs - probeNs >= 0;
    }

    /**
     * Probes the storage: a failure schedules the next probe; a success takes the member back into
     * elections (the caller starts looking).
     *
     * @return true if the storage takes a write again
     */
    boolean probe(final long nowNs) {
        try {
            storage.checkWritable();
        } catch (final RuntimeException e) {
            failuresInRow++;
            failures++;
            retryNs = Math.min(retryNs * 2, maxRetryNs());
            probeNs = nowNs + retryNs;
            observer.onStorageFailure(mySid, "the storage still fails", e, failuresInRow, retryNs, nowNs);
            return false;
        }
        isFailed = false;
        hasRecovered = true;
        recoveredNs = nowNs;
        observer.onStorageRecovered(mySid, failuresInRow, failedSinceNs, nowNs);
        return true;
    }

    boolean isFailed() {
        return isFailed;
    }

    long probeNs() {
        return probeNs;
    }

    /** Failed operations under a role and failed probes after them. */
    long failures() {
        return failures;
    }
}
