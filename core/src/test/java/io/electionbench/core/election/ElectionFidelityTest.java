package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.FOLLOWING;
import static io.electionbench.core.election.AgentHarness.LEADING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.electionbench.core.ServerState;
import io.electionbench.core.quorum.Ensemble;

/**
 * Election details where the project follows ZooKeeper 3.9.5's {@code FastLeaderElection} to the
 * letter, each checked on one agent driven by hand.
 */
class ElectionFidelityTest {
    /**
     * {@code receivedFollowingNotification} stores a same-round FOLLOWING or LEADING vote in recvset
     * with the version-0 constructor, so {@code Vote.equals} against the (version 2) notification
     * compares the leader only: a follower still reporting the election's peer epoch and a leader
     * already reporting its new one (ZOOKEEPER-1805) agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "fast"})
    void sameRoundFollowingVotesAgreeOnTheLeaderWhateverTheirPeerEpoch(final String policy) {
        final AgentHarness h = new AgentHarness(2, Ensemble.majority(3), ElectionPolicy.byName(policy)).start();
        h.notification(1, FOLLOWING, 3, 0, 1, 1);
        assertEquals(ServerState.LOOKING, h.agent.state());
        h.notification(3, LEADING, 3, 0, 1, 2);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), h.transitions.toString());
        assertEquals(3, h.agent.leader());
    }
}
