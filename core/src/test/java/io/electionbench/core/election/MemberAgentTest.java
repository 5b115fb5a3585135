package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.FOLLOWING;
import static io.electionbench.core.election.AgentHarness.LEADING;
import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;

/** The election state machine stepped by hand with a fake clock, one rule of ZooKeeper's FLE per test. */
class MemberAgentTest {
    private static final ElectionPolicy ZK = ElectionPolicy.ZOOKEEPER;
    private static final ElectionPolicy FAST = ElectionPolicy.FAST;

    private static AgentHarness node(final long sid, final int size, final ElectionPolicy policy) {
        return new AgentHarness(sid, Ensemble.majority(size), policy).start();
    }

    private static List<Long> recipients(final List<AgentHarness.Sent> sent) {
        return sent.stream().map(AgentHarness.Sent::to).sorted().collect(Collectors.toList());
    }

    @Test
    void startsLookingAndTellsEveryOtherVoterItsInitialVote() {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(5), ZK, Zxid.make(2, 7), 2).start();
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals(1, h.agent.logicalClock());
        final List<AgentHarness.Sent> sent = h.take("notification");
        assertEquals(List.of(1L, 2L, 4L, 5L), recipients(sent));
        for (final AgentHarness.Sent s : sent) {
            assertEquals(new AgentHarness.Sent("notification", s.to(), LOOKING, 3, Zxid.make(2, 7), 1, 2), s);
        }
    }

    @Test
    void adoptsABetterVoteAndTellsEveryone() {
        final AgentHarness h = node(3, 5, ZK);
        h.take();
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertEquals(5, h.agent.proposedLeader());
        final List<AgentHarness.Sent> sent = h.take("notification");
        assertEquals(List.of(1L, 2L, 4L, 5L), recipients(sent));
        assertTrue(sent.stream().allMatch(s -> s.leader() == 5 && s.electionEpoch() == 1));
    }

    @Test
    void keepsItsProposalAgainstAWorseVote() {
        final AgentHarness h = node(3, 5, ZK);
        h.take();
        h.notification(1, LOOKING, 1, 0, 1, 0);
        assertEquals(3, h.agent.proposedLeader());
        assertTrue(h.take("notification").isEmpty());
    }

    @Test
    void higherRoundResetsTheTallyAndAdoptsTheBetterOfThatVoteAndTheInitialVote() {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(5), ZK, Zxid.make(1, 10), 1).start();
        h.notification(4, LOOKING, 4, Zxid.make(1, 20), 1, 1);
        assertEquals(4, h.agent.proposedLeader());
        h.notification(1, LOOKING, 1, Zxid.make(1, 5), 2, 1);
        assertEquals(2, h.agent.logicalClock());
        assertEquals(3, h.agent.proposedLeader(),
            "the initial vote beats 1's, the adopted vote of the old round is forgotten");
        assertEquals(Zxid.make(1, 10), h.agent.proposedZxid());
    }

    @Test
    void votesFromAnOlderRoundNeverCount() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(1, LOOKING, 5, 0, 2, 0);
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.advanceMs(1000);
        assertEquals(ServerState.LOOKING, h.agent.state(), "4 and 5 voted for 5 in round 1; only 1 and 3 in round 2");
        h.notification(4, LOOKING, 5, 0, 2, 0);
        h.advanceMs(200);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        assertEquals(5, h.agent.leader());
        assertEquals(2, h.agent.voteElectionEpoch());
    }

    @Test
    void zookeeperPolicyDropsEvenAHigherRoundWhileWaitingIfItIsNotBetter() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.notification(1, LOOKING, 5, 0, 2, 0);
        assertEquals(1, h.agent.logicalClock(), "consumed and dropped inside the finalize loop, as ZooKeeper does");
        h.advanceMs(200);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
    }

    @Test
    void aLowerRoundIsIgnoredButAnsweredWithOurProposal() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, 0, 2, 0);
        h.take();
        h.notification(1, LOOKING, 1, 0, 1, 0);
        final List<AgentHarness.Sent> sent = h.take("notification");
        assertEquals(List.of(new AgentHarness.Sent("notification", 1, LOOKING, 5, 0, 2, 0)), sent);
        assertEquals(2, h.agent.logicalClock());
    }

    @Test
    void onlyVotesEqualToTheProposalInTheRoundCount() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.notification(1, LOOKING, 4, 0, 1, 0);
        h.notification(2, LOOKING, 4, 0, 1, 0);
        h.advanceMs(1000);
        assertEquals(ServerState.LOOKING, h.agent.state(), "votes for 4 do not count for 5");
        h.notification(1, LOOKING, 5, 0, 1, 0);
        h.advanceMs(200);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
    }

    @Test
    void zookeeperPolicyWaitsTwoHundredMillisecondsOfQuiet() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.advanceMs(199);
        assertEquals(ServerState.LOOKING, h.agent.state());
        h.advanceMs(1);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        assertEquals(List.of("LOOKING: started", "FOLLOWING: quorum and quiet"), h.transitions);
    }

    @Test
    void zookeeperPolicyRestartsTheWaitOnAnyNotificationThatIsNotBetter() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.advanceMs(150);
        h.notification(1, LOOKING, 1, 0, 1, 0);
        h.advanceMs(100);
        assertEquals(ServerState.LOOKING, h.agent.state(), "the worse vote restarted the 200 ms wait");
        h.advanceMs(100);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
    }

    @Test
    void aBetterNotificationCancelsTheWait() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(4, LOOKING, 4, 0, 1, 0);
        h.notification(2, LOOKING, 4, 0, 1, 0);
        h.advanceMs(100);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.advanceMs(500);
        assertEquals(ServerState.LOOKING, h.agent.state(), "5 is better; its tally is only {3, 5}");
        assertEquals(5, h.agent.proposedLeader());
    }

    @Test
    void fastPolicyDecidesAtOnceWhenEveryConnectedVoterAgrees() {
        final AgentHarness h = node(1, 3, FAST);
        h.connected(2);
        h.connected(3);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state(), "2 has not voted for 3 yet");
        h.notification(2, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "no time passed: every connected voter agrees");
        assertEquals(3, h.agent.leader());
    }

    /** Server 1 of 3 under the fast policy, which has just decided to follow 3 in round 1. */
    private static AgentHarness fastFollowerOfThree() {
        final AgentHarness h = node(1, 3, FAST);
        h.connected(2);
        h.connected(3);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        return h;
    }

    /**
     * A leader deaf to its voters (a one-way cut) proposes itself, wins their round and never decides:
     * a fast learner that has heard nothing from it looks again once it still proposes itself in a
     * LOOKING notification of that round after longer than deciding takes (50 ms of quiet and one 50 ms
     * resend), not before, instead of waiting initLimit ticks for LEADERINFO.
     */
    @Test
    void aFastLearnerLeavesALeaderThatStillLooksLongerThanDecidingTakes() {
        final AgentHarness h = fastFollowerOfThree();
        h.advanceMs(60);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "60 ms: the leader may still be deciding");
        h.advanceMs(40);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: the leader it chose still looks"), h.transitions.toString());
        assertEquals(100, ElectionPolicy.FAST.stillLookingLeaderNs() / 1_000_000);
    }

    /** The leader it chose now proposes someone else in the round decided: it will not lead that round. */
    @Test
    void aFastLearnerLeavesALeaderThatProposesAnotherAtOnce() {
        final AgentHarness h = fastFollowerOfThree();
        h.notification(3, LOOKING, 2, 5, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: the leader it chose still looks"), h.transitions.toString());
    }

    /** Once the leader has answered (LEADERINFO), or under ZooKeeper's policy, a LOOKING notice changes nothing. */
    @Test
    void aLearnerThatHeardItsLeaderOrFollowsZooKeepersRulesWaitsForItsLeader() {
        final AgentHarness h = fastFollowerOfThree();
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        h.advanceMs(500);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "the leader answered: it leads");

        final AgentHarness zk = node(1, 3, ZK);
        zk.notification(3, LOOKING, 3, 0, 1, 0);
        zk.notification(2, LOOKING, 3, 0, 1, 0);
        zk.advanceMs(200);
        assertEquals(ServerState.FOLLOWING, zk.agent.state());
        zk.advanceMs(1_000);
        zk.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, zk.agent.state(), "ZooKeeper's learner waits initLimit for LEADERINFO");
        assertEquals(Long.MAX_VALUE, ElectionPolicy.ZOOKEEPER.stillLookingLeaderNs());
    }

    @Test
    void fastPolicyWaitsAboutOneExchangeWhenAConnectedVoterIsSilent() {
        final AgentHarness h = node(1, 5, FAST);
        for (long sid = 2; sid <= 5; sid++) {
            h.connected(sid);
        }
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.nowNs += 2_000_000;
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.notification(3, LOOKING, 5, 0, 1, 0);
        h.advanceMs(1);
        assertEquals(ServerState.LOOKING, h.agent.state(), "2 is connected but silent");
        h.advanceMs(1);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "the last exchange took 2 ms, so it waited 2 ms");
    }

    @Test
    void joinsARunningLeaderWhenAQuorumReportsItAndItReportsLeading() {
        final AgentHarness h = node(5, 5, ZK);
        h.notification(1, FOLLOWING, 3, 0, 1, 0);
        h.notification(2, FOLLOWING, 3, 0, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state(), "the leader itself has not said it leads");
        h.notification(3, LEADING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "a late joiner with the highest sid still follows");
        assertEquals(3, h.agent.leader());
    }

    @Test
    void joinsALeaderElectedInALaterRoundThroughOutOfElectionVotes() {
        final AgentHarness h = node(4, 5, ZK);
        h.notification(1, FOLLOWING, 3, 0, 7, 0);
        h.notification(3, LEADING, 3, 0, 7, 0);
        h.notification(2, FOLLOWING, 3, 0, 7, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        assertEquals(7, h.agent.logicalClock(), "it adopts the leader's round");
    }

    @Test
    void neverElectsItselfFromStaleRoundFollowingVotes() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(1, FOLLOWING, 3, 0, 4, 0);
        h.notification(2, FOLLOWING, 3, 0, 4, 0);
        h.notification(4, FOLLOWING, 3, 0, 4, 0);
        assertEquals(ServerState.LOOKING, h.agent.state(),
            "votes for 3 from round 4 while 3 is in round 1 (ZOOKEEPER-1514)");
    }

    @Test
    void whenNotLookingItAnswersLookingServersWithItsVoteAndRealState() {
        final AgentHarness h = node(4, 5, ZK);
        h.notification(1, FOLLOWING, 3, 0, 2, 0);
        h.notification(3, LEADING, 3, 0, 2, 0);
        h.notification(2, FOLLOWING, 3, 0, 2, 0);
        h.take();
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertEquals(List.of(new AgentHarness.Sent("notification", 5, FOLLOWING, 3, 0, 2, 0)), h.take("notification"));
        h.notification(2, FOLLOWING, 3, 0, 2, 0);
        assertTrue(h.take("notification").isEmpty(), "no answer to a settled server");
    }

    @Test
    void anObserverIsAnsweredAtOnceAndNeverCounted() {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3).participant(4)
            .participant(5).observer(6).build();
        final AgentHarness h = new AgentHarness(1, e, ZK).start();
        final List<Long> broadcast = recipients(h.take("notification"));
        assertEquals(List.of(2L, 3L, 4L, 5L), broadcast, "voters broadcast only to voters");
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.take();
        h.notification(6, LOOKING, 5, 0, 1, 0);
        assertEquals(List.of(new AgentHarness.Sent("notification", 6, LOOKING, 1, 0, 1, 0)), h.take("notification"),
            "an observer gets our current vote and logical clock at once");
        h.advanceMs(1000);
        assertEquals(ServerState.LOOKING, h.agent.state(), "1, 5 and observer 6: the observer does not make a quorum");
        h.notification(4, LOOKING, 5, 0, 1, 0);
        h.advanceMs(200);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "1, 4 and 5 are three of five voters");
    }

    @Test
    void observerEndsObservingTheVotersLeader() {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3).observer(4).build();
        final AgentHarness h = new AgentHarness(4, e, ZK).start();
        final List<AgentHarness.Sent> sent = h.take("notification");
        assertEquals(List.of(1L, 2L, 3L), recipients(sent));
        assertTrue(sent.stream().allMatch(s -> s.leader() == Long.MIN_VALUE), "an observer proposes nobody");
        h.notification(1, FOLLOWING, 2, 0, 1, 0);
        h.notification(2, LEADING, 2, 0, 1, 0);
        assertEquals(ServerState.OBSERVING, h.agent.state());
        assertEquals(2, h.agent.leader());
    }

    @Test
    void aZeroWeightServerIsNeverAdopted() {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3)
            .group(1, 1, 2, 3).weight(3, 0).build();
        final AgentHarness h = new AgentHarness(1, e, ZK).start();
        h.notification(3, LOOKING, 3, Zxid.make(1, 99), 1, 1);
        assertEquals(1, h.agent.proposedLeader());
        h.notification(2, LOOKING, 2, 0, 1, 0);
        assertEquals(2, h.agent.proposedLeader());
    }

    @Test
    void emptyDatabaseRuleIgnoresLookingVotesWithZxidMinusOne() {
        final AgentHarness h = node(3, 5, ZK);
        h.notification(5, LOOKING, 5, -1, 1, 0);
        assertEquals(3, h.agent.proposedLeader(), "ZOOKEEPER-261: a LOOKING vote carrying zxid -1 is ignored");
    }

    @Test
    void zookeeperPolicyResendsAfter200MsOfSilenceDoublingTo60Seconds() {
        final AgentHarness h = node(3, 5, ZK);
        h.take();
        final long[] expectGapsMs = {200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000};
        for (final long gap : expectGapsMs) {
            h.advanceMs(gap - 1);
            assertTrue(h.take("notification").isEmpty(), "too early at gap " + gap);
            h.advanceMs(1);
            assertEquals(4, h.take("notification").size(), "resend after " + gap + " ms");
        }
    }

    @Test
    void fastPolicyResendsAfter50MsDoublingToOneSecond() {
        final AgentHarness h = node(3, 5, FAST);
        h.take();
        for (final long gap : new long[] {50, 100, 200, 400, 800, 1000, 1000}) {
            h.advanceMs(gap - 1);
            assertTrue(h.take("notification").isEmpty());
            h.advanceMs(1);
            assertEquals(4, h.take("notification").size());
        }
    }

    @Test
    void anArrivingNotificationPostponesTheResend() {
        final AgentHarness h = node(3, 5, ZK);
        h.take();
        h.advanceMs(150);
        h.notification(1, LOOKING, 1, 0, 1, 0);
        h.take();
        h.advanceMs(150);
        assertTrue(h.take("notification").isEmpty(), "the poll returned a message at 150 ms, so it waits until 350 ms");
        h.advanceMs(50);
        assertEquals(4, h.take("notification").size());
    }

    /** Server 1 of 3, which joined leader 3 through FOLLOWING/LEADING replies. */
    private static AgentHarness followerOfThree(final ElectionPolicy policy) {
        final AgentHarness h = node(1, 3, policy);
        h.notification(2, FOLLOWING, 3, 0, 1, 0);
        h.notification(3, LEADING, 3, 0, 1, 0);
        return h;
    }

    /** Server 3 of 5 under the fast policy, connected to all, LEADING after 1 and 2 voted for it and 60 ms passed. */
    private static AgentHarness fastLeaderOfFive() {
        final AgentHarness h = node(3, 5, FAST);
        for (long sid : new long[] {1, 2, 4, 5}) {
            h.connected(sid);
        }
        h.notification(1, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.advanceMs(60);
        return h;
    }

    private static AgentHarness leaderOfThree() {
        final AgentHarness h = node(3, 3, FAST);
        h.connected(1);
        h.connected(2);
        h.notification(1, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.LEADING, h.agent.state());
        return h;
    }

    @Test
    void aLeaderServesOnceAQuorumAcknowledgedNewLeaderAndPingsItsLearnersEveryHalfTick() {
        final AgentHarness h = leaderOfThree();
        assertTrue(!h.agent.isServing());
        h.learnerInfo(1);
        assertEquals(List.of(1L), recipients(h.take("leaderInfo")),
            "the leader and 1 are a quorum: epoch 1 is proposed");
        assertEquals(1, h.storage.acceptedEpoch(), "persisted before LEADERINFO goes out");
        h.ackEpoch(1, 0, 0);
        assertEquals(1, h.storage.currentEpoch(), "adopted with a quorum of ACKEPOCHs");
        assertEquals(List.of(1L), recipients(h.take("newLeader")));
        assertTrue(!h.agent.isServing(), "not established until NEWLEADER is acknowledged");
        h.zxidMessage(InboundMessages.ACK, 1, io.electionbench.core.Zxid.make(1, 0));
        assertTrue(h.agent.isServing());
        assertEquals(List.of(1L), recipients(h.take("upToDate")));
        h.advanceMs(1000);
        assertEquals(List.of(1L), recipients(h.take("ping")));
    }

    @Test
    void aLeaderStepsDownWhenItsLearnersFallSilentForSyncLimitTicks() {
        final AgentHarness h = leaderOfThree();
        h.learnerInfo(1);
        h.recover(1);
        for (int i = 0; i < 5; i++) {
            h.advanceMs(1000);
            h.pingAck(1);
        }
        assertEquals(ServerState.LEADING, h.agent.state());
        // Silent for exactly syncLimit x tickTime (5 x 2 s): still a synced follower, as in ZooKeeper.
        for (int i = 0; i < 10; i++) {
            h.advanceMs(1000);
        }
        assertEquals(ServerState.LEADING, h.agent.state(), "10 s of silence is not more than syncLimit ticks");
        // Past it, the leader notices at its next tick check (ticks are 2 s apart).
        h.advanceMs(1000);
        h.advanceMs(1000);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: not sufficient followers synced"), h.transitions.toString());
    }

    @Test
    void aLeaderThatStepsDownClosesItsRemainingLearners() {
        final AgentHarness h = fastLeaderOfFive();
        h.learnerInfo(1);
        h.reject(2);
        h.reject(4);
        h.take();
        h.reject(5);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals(List.of(1L), recipients(h.take("reject")), "learner 1 is told the relationship ended");
    }

    @Test
    void aZooKeeperLeaderWithoutAQuorumOfLearnersGivesUpAfterInitLimit() {
        final AgentHarness h = node(3, 3, ZK);
        h.notification(1, LOOKING, 3, 0, 1, 0);
        h.advanceMs(200);
        assertEquals(ServerState.LEADING, h.agent.state());
        h.advanceMs(19_999);
        assertEquals(ServerState.LEADING, h.agent.state());
        h.advanceMs(1);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: no quorum of learners within initLimit"));
    }

    @Test
    void aFastLeaderStepsDownAsSoonAsAQuorumFollowsAnotherLeader() {
        final AgentHarness h = fastLeaderOfFive();
        assertEquals(ServerState.LEADING, h.agent.state());
        assertEquals(List.of(1L, 2L, 4L, 5L), recipients(h.take("ping")), "it probes every connected voter");
        h.reject(1);
        h.reject(4);
        assertEquals(ServerState.LEADING, h.agent.state(), "2, 3 and 5 could still make a quorum");
        h.reject(5);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: a quorum follows another leader"));
    }

    @Test
    void aFollowerLooksAgainAfterSyncLimitTicksOfSilence() {
        final AgentHarness h = followerOfThree(ZK);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        assertEquals(List.of(3L), recipients(h.take("learnerInfo")));
        h.ping(3);
        assertTrue(!h.agent.isServing(), "a ping is not UPTODATE");
        h.followThrough(3, 1);
        assertTrue(h.agent.isServing());
        h.take();
        h.ping(3);
        assertEquals(List.of(3L), recipients(h.take("pingAck")));
        h.advanceMs(9_999);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.advanceMs(1);
        assertEquals(ServerState.LOOKING, h.agent.state());
    }

    @Test
    void aFollowerLooksAgainAtOnceWhenTheQuorumLinkToItsLeaderDrops() {
        final AgentHarness h = followerOfThree(ZK);
        h.ping(3);
        h.quorumDisconnected(2);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.quorumDisconnected(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: connection to leader lost"));
        assertEquals(2, h.agent.logicalClock());
    }

    @Test
    void aFollowerLooksAgainAtOnceWhenItsLeaderIsKilled() {
        final AgentHarness h = followerOfThree(ZK);
        h.ping(3);
        h.linkDown(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
    }

    /**
     * Anyone can open an election connection claiming the leader's sid (no peer secret) and hang up;
     * as in ZooKeeper, once the leader has answered on the learner connection only that connection,
     * or the leader's silence, ends following.
     */
    @Test
    void theElectionLinkToAnAnsweringLeaderComingAndGoingDoesNotEndFollowing() {
        final AgentHarness h = followerOfThree(ZK);
        h.ping(3);
        h.take();
        h.disconnected(3);
        h.connected(3);
        h.disconnected(3);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        assertEquals(3, h.agent.leader());
        h.ping(3);
        assertEquals(List.of(3L), recipients(h.take("pingAck")), "still answering its leader");
        h.advanceMs(9_000);
        h.ping(3);
        h.advanceMs(9_000);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "pings keep it following");
    }

    /** A leader killed right after the decision has no quorum link yet whose loss would tell. */
    @Test
    void aFollowerWhoseChosenLeaderDropsBeforeAnsweringLooksAgainAtOnce() {
        final AgentHarness h = followerOfThree(ZK);
        h.take();
        h.disconnected(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: connection to chosen leader lost before it answered"),
            h.transitions.toString());
    }

    @Test
    void aFollowerRefusedByItsChosenLeaderLooksAgain() {
        final AgentHarness h = followerOfThree(FAST);
        h.reject(2);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "only the chosen leader's refusal counts");
        h.reject(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
    }

    @Test
    void aLearnerThatNeverHearsFromItsLeaderGivesUpAfterInitLimit() {
        final AgentHarness h = followerOfThree(ZK);
        h.take();
        h.advanceMs(1000);
        assertTrue(!h.take("learnerInfo").isEmpty(), "it keeps announcing itself");
        h.advanceMs(19_000);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: leader unreachable within initLimit"));
    }

    @Test
    void aFastLookingServerKeepsEarlyLearnersOnlyWhileItProposesItself() {
        final AgentHarness h = node(4, 5, FAST);
        h.take();
        h.learnerInfo(1);
        assertTrue(h.take("reject").isEmpty(), "4 proposes itself, so it keeps 1 for when it leads");
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertEquals(List.of(1L), recipients(h.take("reject")), "its proposal moved to 5: 1 chose wrongly");
        h.learnerInfo(2);
        assertEquals(List.of(2L), recipients(h.take("reject")));
    }

    @Test
    void aFastLeaderServesLearnersThatAnnouncedThemselvesEarly() {
        final AgentHarness h = node(3, 3, FAST);
        h.connected(1);
        h.connected(2);
        h.learnerInfo(1);
        h.notification(1, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.LEADING, h.agent.state());
        assertEquals(List.of(1L), recipients(h.take("leaderInfo")), "1 announced itself while 3 was still deciding");
        h.recover(1);
        assertTrue(h.agent.isServing());
    }

    @Test
    void aZooKeeperLookingServerRefusesLearnersAsItsClosedQuorumPortWould() {
        final AgentHarness h = node(3, 3, ZK);
        h.take();
        h.learnerInfo(1);
        assertEquals(List.of(1L), recipients(h.take("reject")));
    }

    @Test
    void aZooKeeperLearnerRetriesFiveRefusalsBeforeLookingAgain() {
        final AgentHarness h = followerOfThree(ZK);
        for (int i = 0; i < 4; i++) {
            h.reject(3);
            assertEquals(ServerState.FOLLOWING, h.agent.state(), "refusal " + (i + 1));
        }
        h.reject(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: chosen leader is not leading"));
    }

    @Test
    void aFastLearnerLooksAgainAtTheFirstRefusal() {
        final AgentHarness h = followerOfThree(FAST);
        h.reject(3);
        assertEquals(ServerState.LOOKING, h.agent.state());
    }

    @Test
    void aFastNodeLeadsOnceAQuorumOfLearnersWaitsForIt() {
        final AgentHarness h = node(5, 5, FAST);
        h.notification(1, LOOKING, 5, 0, 1, 0);
        h.notification(2, LOOKING, 2, 0, 2, 0);
        assertEquals(2, h.agent.logicalClock(), "a refused voter's new round moved 5 on");
        h.learnerInfo(1);
        assertEquals(ServerState.LOOKING, h.agent.state());
        h.learnerInfo(3);
        assertEquals(ServerState.LOOKING, h.agent.state(),
            "a quorum waits; a better vote may still come during the quiet period");
        h.advanceMs(50);
        assertEquals(ServerState.LEADING, h.agent.state(), "1 and 3 decided for 5 and wait: with 5 they are a quorum");
        h.ackEpoch(1, 0, 0);
        h.ackEpoch(3, 0, 0);
        h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 0));
        h.zxidMessage(InboundMessages.ACK, 3, Zxid.make(1, 0));
        assertTrue(h.agent.isServing());
        assertTrue(h.transitions.contains("LEADING: a quorum already follows"));
    }

    @Test
    void aLearnerThatLeavesIsStruckOffTheEarlyLearners() {
        final AgentHarness h = node(5, 5, FAST);
        h.learnerInfo(1);
        h.reject(1);
        h.learnerInfo(3);
        assertEquals(ServerState.LOOKING, h.agent.state(), "1 left, so 3 and 5 are not a quorum");
    }

    @Test
    void aBetterVoteDuringTheWaitStillWinsOverEarlyLearners() {
        final AgentHarness h = node(3, 3, FAST);
        h.learnerInfo(2);
        h.notification(1, LOOKING, 1, Zxid.make(2, 5), 1, 2);
        assertEquals(List.of(2L), recipients(h.take("reject")), "1's newer epoch wins: 2 chose wrongly and is told so");
        h.advanceMs(100);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "1 and 3 vote for 1: 3 follows 1, not leads");
        assertEquals(1, h.agent.leader());
    }

    @Test
    void aVoterNeverReachedMustBeHeardBeforeEveryoneAgrees() {
        final AgentHarness h = node(1, 5, FAST);
        h.connected(2);
        h.connected(3);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state(),
            "4 and 5 may still be connecting at startup: wait the quiet period");
        h.advanceMs(50);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "nobody better spoke up: follow 3");
    }

    @Test
    void aVoterWhoseLinkDroppedHoldsNobodyUp() {
        final AgentHarness h = node(1, 5, FAST);
        for (long sid = 2; sid <= 5; sid++) {
            h.connected(sid);
        }
        h.disconnected(5);
        h.notification(4, LOOKING, 4, 0, 1, 0);
        h.notification(2, LOOKING, 4, 0, 1, 0);
        h.notification(3, LOOKING, 4, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(),
            "5 was reached before and is gone: 2, 3 and 4 are everyone");
    }

    @Test
    void aFastNodeAnswersAWorseVoteOfItsRoundWithItsProposal() {
        final AgentHarness h = node(3, 5, FAST);
        h.take();
        h.notification(1, LOOKING, 1, 0, 1, 0);
        assertEquals(List.of(new AgentHarness.Sent("notification", 1, LOOKING, 3, 0, 1, 0)), h.take("notification"),
            "1 has not seen 3's vote: tell it now rather than at the next resend");
        h.notification(5, LOOKING, 5, 0, 1, 0);
        h.take();
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertTrue(h.take("notification").isEmpty(), "an equal vote needs no answer");
    }

    @Test
    void aFastLeaderStepsDownWhenVotersItCountedLookForSomeoneElse() {
        final AgentHarness h = node(3, 5, FAST);
        for (long sid : new long[] {1, 2, 5}) {
            h.connected(sid);
        }
        h.notification(1, LOOKING, 3, 0, 1, 0);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state(), "1, 2 and 3 voted for 3 (4 is down, 5 silent)");
        h.learnerInfo(1);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertEquals(ServerState.LEADING, h.agent.state(), "1, 2 and 3 can still establish");
        h.notification(2, LOOKING, 5, 0, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state(),
            "2 withdrew its vote: 1 and 3 are no quorum, so do not wait initLimit");
        assertTrue(h.transitions.contains("LOOKING: a quorum looks for another leader"));
    }
}
