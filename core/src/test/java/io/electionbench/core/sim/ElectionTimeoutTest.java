package io.electionbench.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.network.NetworkModel;

/**
 * The simulator's publisher answers {@code haveDelivered} as the transport does, so a LOOKING member
 * under the zookeeper policy with no peer connected dials on its timeouts instead of resending
 * ({@code FastLeaderElection.lookForLeader}), and still elects once peers come up.
 */
class ElectionTimeoutTest {
    @Test
    void aMemberAloneDialsInsteadOfResendingAndElectsWhenAPeerStarts() {
        try (Simulator sim = new Simulator(Ensemble.majority(3), ElectionPolicy.ZOOKEEPER, NodeTiming.DEFAULT,
            NetworkModel.LAN, 5)) {
            sim.start(1);
            final long initial = sim.agent(1).notificationsSent();
            assertEquals(2, initial, "its vote, to 2 and 3");
            sim.runFor(TimeUnit.SECONDS.toNanos(10));
            assertEquals(initial, sim.agent(1).notificationsSent(), "ten seconds of timeouts, nothing resent");
            sim.start(2);
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(10)), sim.describe());
            assertEquals(ServerState.LEADING, sim.agent(2).state());
            assertEquals(ServerState.FOLLOWING, sim.agent(1).state());
        }
    }
}
