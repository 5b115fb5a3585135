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
    default void onDecision(long sid, long leader, long zxid, long electionEpoch, long peerEpoch, long quorumMask, long nowNs) {
    }

    /** A leader has a quorum of learners connected, or a learner has heard from its leader. */
    default void onServing(long sid, long nowNs) {
    }
}
