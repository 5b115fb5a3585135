package io.electionbench.core.election;

import io.electionbench.core.ServerState;

/**
 * Receives a node's state changes on the agent thread, for metrics, the admin endpoint and the
 * simulator's invariant checks. Implementations must not block and should not allocate.
 */
public interface ElectionObserver {
    ElectionObserver NONE = new ElectionObserver() {
    };

    /**
     * The node entered {@code to}.
     *
     * @param reason a constant string saying why (never built per call)
     */
    default void onStateChange(long sid, ServerState from, ServerState to, long nowNs, String reason) {
    }

    /**
     * An election decided.
     *
     * @param quorumMask for a decision reached in the node's own round, the members of the quorum whose
     *                   counted votes were cast while LOOKING; 0 when the node joined an existing leader.
     *                   A quorum may also count FOLLOWING votes that happen to equal the proposal (a
     *                   follower of an earlier leader with the same round number), as ZooKeeper does;
     *                   those members promised nothing about their own data, so they are left out.
     */
    default void onDecision(long sid, long leader, long zxid, long electionEpoch, long peerEpoch, long quorumMask,
        long nowNs) {
    }

    /**
     * The node serves: a leader whose new epoch a quorum acknowledged (NEWLEADER ACKs; writes are
     * accepted from now on), or a learner that received UPTODATE. This is "time-to-ready".
     */
    default void onServing(long sid, long nowNs) {
    }

    /**
     * A learner logged the leader's sync stream and acknowledged NEWLEADER: its history ends at
     * {@code lastZxid} with digest {@code digest} and its current epoch is now {@code epoch}.
     *
     * @param mode the {@link io.electionbench.core.sync.SyncMode} the leader chose
     * @param txns txns received in the sync stream
     * @param bytes payload and snapshot bytes received in the sync stream
     * @param startedNs when the sync stream began (its SYNC_START arrived)
     */
    default void onSynced(long sid, long leader, long epoch, io.electionbench.core.sync.SyncMode mode, long lastZxid,
        long digest, long txns, long bytes, long startedNs, long nowNs) {
    }

    /**
     * The node halted and takes no further part: the epoch space is exhausted (no epoch above what a
     * quorum accepted fits in a zxid). Called once; a node process stops on it.
     *
     * @param reason says which epoch was reached
     */
    default void onHalted(long sid, String reason, long nowNs) {
    }

    /**
     * The node's storage failed ({@code reason} says at what, {@code cause} is the exception, whose message
     * names the file or directory), or a probe of it ({@link PersistentState#checkWritable()}) failed
     * again: the node has given up its role and takes no part in elections until a probe succeeds.
     *
     * @param failures failures since the storage last worked, this one included (1: it just failed)
     * @param retryNs  when the next probe runs, from now; it doubles per failure up to initLimit
     */
    default void onStorageFailure(long sid, String reason, RuntimeException cause, long failures, long retryNs,
        long nowNs) {
    }

    /**
     * A probe found the storage writable again after {@code failures} failures since {@code failedSinceNs}:
     * the node takes part in elections again (it starts looking).
     */
    default void onStorageRecovered(long sid, long failures, long failedSinceNs, long nowNs) {
    }
}
