package io.electionbench.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;

class SimulatorSmokeTest {
    @Test
    void staggeredStartElectsThree() {
        for (final ElectionPolicy policy : new ElectionPolicy[] {ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER}) {
            final Simulator sim = new Simulator(Ensemble.majority(5), policy, NodeTiming.DEFAULT, NetworkModel.LAN, 1).recordTrace();
            sim.start(1);
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(60)));
            sim.start(2);
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(60)));
            sim.start(3);
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(60)), sim.trace());
            assertEquals(ServerState.LEADING, sim.agent(3).state(), sim.trace());
            sim.start(4);
            sim.start(5);
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(60)), sim.trace());
            assertEquals(3, sim.agent(5).leader(), sim.trace());
            assertTrue(sim.violations().isEmpty(), sim.violations().toString());
            System.out.println(policy + "\n" + sim.trace());
        }
    }
}
