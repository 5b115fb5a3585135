package io.electionbench.core.sim.check;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;

/**
 * What the checkers read of a simulated ensemble, by member index: the simulator's cluster implements
 * it. The checkers only read; they never drive an agent. Simulator thread only.
 */
public interface ClusterView {
    Ensemble ensemble();

    /** The live agent of member {@code i}, or null while it is down. */
    MemberAgent agentAt(int i);

    /** Member {@code i}'s durable state, which survives its crashes. */
    PersistentState storageAt(int i);
}
