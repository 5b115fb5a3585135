package io.electionbench.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.check.SimPayloads;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.network.NetworkModel;

/**
 * The simulator's recovery invariants hold on a correct run and fire when the history is damaged
 * behind the protocol's back, so a check that cannot fail would be caught here.
 */
class RecoveryInvariantsTest {
    private static final long BOUND = TimeUnit.SECONDS.toNanos(60);

    private static Simulator startedEnsemble(final int size) {
        final Simulator sim =
            new Simulator(Ensemble.majority(size), ElectionPolicy.FAST, NodeTiming.DEFAULT, NetworkModel.LAN, 7);
        for (int sid = 1; sid <= size; sid++) {
            sim.start(sid);
        }
        assertTrue(sim.runUntilStable(BOUND));
        return sim;
    }

    private static List<String> invariants(final Simulator sim) {
        return sim.violations().stream().map(Violation::invariant).distinct().collect(Collectors.toList());
    }

    @Test
    void writesCommitOnEveryMemberAndACleanRunReportsNothing() {
        final Simulator sim = startedEnsemble(5);
        for (int i = 0; i < 100; i++) {
            assertTrue(sim.write(1000 + i));
        }
        assertTrue(sim.runUntilStable(BOUND));
        assertEquals(100, sim.writesAcknowledged().size());
        sim.crash(5);
        assertTrue(sim.runUntilStable(BOUND));
        sim.start(5);
        assertTrue(sim.runUntilStable(BOUND));
        sim.checkConverged();
        assertEquals(List.of(), sim.violations());
        for (int sid = 1; sid <= 5; sid++) {
            assertEquals(Zxid.make(1, 100), sim.storage(sid).lastLoggedZxid(), "server " + sid);
        }
    }

    @Test
    void aBrokenRunReportsItsFirstDistinctViolationsAndCountsTheRest() {
        final Simulator sim =
            new Simulator(Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT, NetworkModel.LAN, 1);
        sim.addViolation(new Violation(0, "two-leaders", "servers 1 and 2 both lead a quorum"));
        sim.addViolation(new Violation(5, "two-leaders", "servers 1 and 2 both lead a quorum"));
        assertEquals(1, sim.violations().size(), "a state seen broken again at the next check is one violation");
        for (int i = 0; i < 2 * Simulator.MAX_VIOLATIONS_KEPT; i++) {
            sim.addViolation(new Violation(i, "leader-completeness", "case " + i));
        }
        assertEquals(Simulator.MAX_VIOLATIONS_KEPT, sim.violations().size());
        assertEquals(1 + Simulator.MAX_VIOLATIONS_KEPT + 1, sim.violationsDropped());
        assertEquals("case 0", sim.violations().get(1).detail(), "the first ones are kept");
    }

    @Test
    void aLeaderElectedOverAMemberWithMoreHistoryIsReported() {
        final Simulator sim =
            new Simulator(Ensemble.majority(3), ElectionPolicy.ZOOKEEPER, NodeTiming.DEFAULT, NetworkModel.LAN, 7);
        sim.start(1);
        sim.start(2);
        // Behind the protocol's back, 1 gains txns its initial vote does not show: it still adopts
        // 2's better-looking vote and sends it, so 2's election by {1, 2} passes over a member whose
        // own data, when it voted, was greater.
        sim.storage(1).appendRange(1, 1, 5);
        sim.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        assertEquals(ServerState.LEADING, sim.agent(2).state());
        assertTrue(invariants(sim).contains("leader-completeness"), sim.violations().toString());
    }

    @Test
    void anAcknowledgedWriteRemovedFromAQuorumIsReportedLostWhenTheNextLeaderEstablishes() {
        final Simulator sim = startedEnsemble(3);
        for (int i = 0; i < 10; i++) {
            sim.write(i);
        }
        assertTrue(sim.runUntilStable(BOUND));
        sim.crash(1);
        sim.crash(2);
        sim.crash(3);
        // Behind the protocol's back: 1 and 2 lose their last acknowledged txn (what a buggy TRUNC would do).
        sim.storage(1).log().truncateAfter(Zxid.make(1, 9));
        sim.storage(2).log().truncateAfter(Zxid.make(1, 9));
        sim.start(1);
        sim.start(2);
        sim.runUntilStable(BOUND);
        assertTrue(invariants(sim).contains("acknowledged-write-lost"), sim.violations().toString());
    }

    @Test
    void aFollowerWhoseHistoryDiffersFromItsLeadersIsReported() {
        final Simulator sim = startedEnsemble(3);
        sim.write(1);
        assertTrue(sim.runUntilStable(BOUND));
        final long follower = sim.agent(1).state() == ServerState.FOLLOWING ? 1 : 2;
        final UnsafeBuffer bogus = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);
        SimPayloads.fill(bogus, 999);
        sim.storage(follower).log().truncateAfter(0);
        sim.storage(follower).log().append(Zxid.make(1, 1), bogus, 0, SimPayloads.LENGTH);
        sim.checkConverged();
        assertEquals(List.of("histories-diverge"), invariants(sim));
    }

    @Test
    void anEpochEstablishedWithoutAQuorumIsReported() {
        final Simulator sim = startedEnsemble(3);
        final long leader = 3;
        assertEquals(ServerState.LEADING, sim.agent(leader).state());
        sim.crash(1);
        sim.crash(2);
        // Two followers forget the epoch they acknowledged: the next establishment finds no quorum holding it.
        sim.storage(1).epochs(0, 0);
        sim.storage(2).epochs(0, 0);
        sim.crash(3);
        sim.storage(3).epochs(0, 0);
        sim.start(1);
        sim.start(2);
        sim.start(3);
        sim.runUntilStable(BOUND);
        assertEquals(List.of(), sim.violations(),
            "epochs reset everywhere are consistent again: epoch 1 re-established by a quorum");
        sim.storage(1).epochs(0, 0);
        sim.storage(2).epochs(0, 0);
        sim.crash(3);
        sim.runUntilStable(BOUND);
        assertTrue(invariants(sim).contains("one-leader-per-epoch") || invariants(sim).contains("epoch-without-quorum"),
            sim.violations().toString());
    }
}
