package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.FOLLOWING;
import static io.electionbench.core.election.AgentHarness.LEADING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

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

    /**
     * {@code WorkerReceiver.run} answers a sender outside the voting view with its current vote before
     * it looks at the state code; only a voter's unknown code is dropped.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "fast"})
    void aNonVoterIsAnsweredWhateverStateCodeItSends(final String policy) {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3).observer(4).build();
        final AgentHarness h = new AgentHarness(1, e, ElectionPolicy.byName(policy)).start();
        h.take();
        h.notification(4, 9, Long.MIN_VALUE, Long.MIN_VALUE, 1, Long.MIN_VALUE);
        assertEquals(List.of(new AgentHarness.Sent("notification", 4, AgentHarness.LOOKING, 1, 0, 1, 0)),
            h.take("notification"), "the observer gets the current vote");
        h.notification(2, 9, 2, 0, 1, 0);
        assertEquals(List.of(), h.take("notification"), "a voter's unknown state code is dropped");
        assertEquals(1, h.agent.messagesDropped());
    }

    /** Observer 4 of voters 1..3 that decided for 3 after 3's links dropped (the voters still report it). */
    private static AgentHarness observerOfDeadLeader(final ElectionPolicy policy) {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3).observer(4).build();
        final AgentHarness h = new AgentHarness(4, e, policy).start();
        h.notification(3, LEADING, 3, 0, 1, 0);
        h.linkDown(3);
        h.notification(1, FOLLOWING, 3, 0, 1, 0);
        assertEquals(ServerState.OBSERVING, h.agent.state());
        return h;
    }

    /**
     * {@code Learner.connectToLeader}: 5 tries, 100 ms apart, then the follower looks again
     * ({@code QuorumPeer.run}); each try here is a dial whose failure the publisher reports.
     */
    @org.junit.jupiter.api.Test
    void underTheZooKeeperPolicyALearnerDialsItsLeaderFiveTimes100MsApartThenLooksAgain() {
        final AgentHarness h = observerOfDeadLeader(ElectionPolicy.ZOOKEEPER);
        assertEquals(List.of(3L), h.take("connect").stream().map(AgentHarness.Sent::to).toList(), "dialled at once");
        for (int failed = 1; failed < 5; failed++) {
            h.unreachable(3);
            h.advanceMs(99);
            assertEquals(List.of(), h.take("connect"), "not before 100 ms, after failure " + failed);
            h.advanceMs(1);
            assertEquals(1, h.take("connect").size(), "the next try, after failure " + failed);
            assertEquals(ServerState.OBSERVING, h.agent.state());
        }
        h.unreachable(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals("LOOKING: chosen leader unreachable", h.transitions.get(h.transitions.size() - 1));
    }

    /** The fast policy's nodes listen for their whole life: a dial that fails means the leader is gone. */
    @org.junit.jupiter.api.Test
    void underTheFastPolicyALearnerLooksAgainAtTheFirstFailedDial() {
        final AgentHarness h = observerOfDeadLeader(ElectionPolicy.FAST);
        assertEquals(1, h.take("connect").size());
        h.unreachable(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
    }

    /** A failed dial says nothing about a leader that has answered, nor about anyone else. */
    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "fast"})
    void aFailedDialToAnyoneButAnUnansweredLeaderIsIgnored(final String policy) {
        final AgentHarness h = observerOfDeadLeader(ElectionPolicy.byName(policy));
        h.unreachable(2);
        assertEquals(ServerState.OBSERVING, h.agent.state(), "not our leader");
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        h.unreachable(3);
        h.unreachable(3);
        h.unreachable(3);
        h.unreachable(3);
        h.unreachable(3);
        assertEquals(ServerState.OBSERVING, h.agent.state(), "3 answered: its link's drop would tell");
    }

    /**
     * {@code lookForLeader} on a poll timeout: {@code sendNotifications()} only if
     * {@code manager.haveDelivered()}, else {@code manager.connectAll()}; the timeout doubles either way.
     */
    @org.junit.jupiter.api.Test
    void underTheZooKeeperPolicyATimeoutResendsOnlyIfSomethingWasDeliveredAndElseDials() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.ZOOKEEPER).start();
        h.take();
        h.isDelivered = false;
        h.advanceMs(199);
        assertEquals(List.of(), h.take());
        h.advanceMs(1);
        assertEquals(List.of("connect 2", "connect 3"), h.take().stream().map(s -> s.type() + " " + s.to()).toList(),
            "nothing got through: it dials every voter instead of resending");
        h.isDelivered = true;
        h.advanceMs(399);
        assertEquals(List.of(), h.take("notification"), "the timeout doubled to 400 ms");
        h.advanceMs(1);
        assertEquals(List.of(2L, 3L), h.take("notification").stream().map(AgentHarness.Sent::to).toList());
    }

    /** The fast policy resends on its timer whatever the links hold (ElectionPolicy#isResendOnlyIfDelivered). */
    @org.junit.jupiter.api.Test
    void underTheFastPolicyATimeoutResendsEvenIfNothingWasDelivered() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.take();
        h.isDelivered = false;
        h.advanceMs(50);
        assertEquals(List.of("notification 2", "notification 3"),
            h.take().stream().map(s -> s.type() + " " + s.to()).toList());
    }
}
