package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.core.zab.Follower;
import io.electionbench.core.zab.LearnerProgress.Phase;

/**
 * The recovery and broadcast rules after a decision, one agent driven by hand, grouped by the phase
 * they belong to as docs/recovery.md describes them (and as etcd raft's raft_paper_test.go follows the
 * paper's sections): discovery (FOLLOWERINFO, LEADERINFO, ACKEPOCH), synchronization (the DIFF, TRUNC
 * or SNAP stream), establishment (NEWLEADER and UPTODATE), broadcast (writes, proposals, acks, commits)
 * and the leader's hold on its learners. Each phase is checked from both sides where it has two: the
 * leader's view of each learner ({@link Phase}) and the learner's own step ({@link Follower.Step}).
 */
class RecoveryTest {
    private static final ElectionPolicy FAST = ElectionPolicy.FAST;

    private static List<Long> recipients(final List<AgentHarness.Sent> sent) {
        return sent.stream().map(AgentHarness.Sent::to).sorted().collect(Collectors.toList());
    }

    private static List<AgentHarness.Sent> ofType(final List<AgentHarness.Sent> sent, final String type) {
        return sent.stream().filter(s -> s.type().equals(type)).collect(Collectors.toList());
    }

    private static List<Long> zxids(final List<AgentHarness.Sent> sent) {
        return sent.stream().map(AgentHarness.Sent::zxid).collect(Collectors.toList());
    }

    /** The leader's view of learner {@code sid}. */
    private static Phase phase(final AgentHarness h, final long sid) {
        return h.agent.learnerPhase(h.agent.ensemble().indexOf(sid));
    }

    private static void assertLastTransition(final AgentHarness h, final String expected) {
        assertEquals(expected, h.transitions.get(h.transitions.size() - 1), h.transitions.toString());
    }

    /** Server 3 of {@code size} with the given history and epochs, LEADING after 1 and 2 voted for it. */
    private static AgentHarness leader(final int size, final long current, final long accepted, final long... zxids) {
        return leader(FAST, size, current, accepted, zxids);
    }

    private static AgentHarness leader(final ElectionPolicy policy, final int size, final long current,
        final long accepted, final long... zxids) {
        return leader(policy, Ensemble.majority(size), current, accepted, zxids);
    }

    /** Server 3 of voters 1-3 and observer 4, LEADING after 1 and 2 voted for it, at epoch 1. */
    private static AgentHarness observedLeader(final ElectionPolicy policy) {
        return leader(policy, Ensemble.builder().participant(1).participant(2).participant(3).observer(4).build(),
            1, 1);
    }

    private static AgentHarness leader(final ElectionPolicy policy, final Ensemble ensemble, final long current,
        final long accepted, final long... zxids) {
        return leader(policy, ensemble, current, accepted, -1, zxids);
    }

    /** As {@link #leader}, started from a snapshot at {@code snapshotZxid} (-1: none) and its log after it. */
    private static AgentHarness leader(final ElectionPolicy policy, final Ensemble ensemble, final long current,
        final long accepted, final long snapshotZxid, final long... zxids) {
        final int size = ensemble.size();
        final AgentHarness h = new AgentHarness(3, ensemble, policy);
        h.storage.epoch = current;
        h.storage.accepted = accepted;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (final long z : zxids) {
            payload.putLong(0, z);
            h.storage.log.append(z, payload, 0, 8);
        }
        if (snapshotZxid >= 0) {
            h.storage.log.snapshot(snapshotZxid, payload, 0, 8);
        }
        h.start();
        for (long sid = 1; sid <= size; sid++) {
            if (sid != 3) {
                h.connected(sid);
            }
        }
        final long last = h.storage.lastLoggedZxid();
        h.notification(1, LOOKING, 3, last, 1, current);
        h.notification(2, LOOKING, 3, last, 1, current);
        h.advanceMs(60);
        for (int ms = 0; ms < 1000 && h.agent.state() != ServerState.LEADING; ms += 10) {
            h.advanceMs(10);
        }
        assertEquals(ServerState.LEADING, h.agent.state());
        h.take();
        return h;
    }

    /** Server 3 of 3 serving, with learner 1 synced (epoch 1, empty history). */
    private static AgentHarness servingLeader() {
        final AgentHarness h = leader(3, 0, 0);
        h.learnerInfo(1);
        h.recover(1);
        assertTrue(h.agent.isServing());
        h.take();
        return h;
    }

    private static AgentHarness follower() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), FAST).start();
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.take();
        return h;
    }

    /** Zxids {@code epoch:1} to {@code epoch:count}. */
    private static long[] history(final long epoch, final int count) {
        final long[] zxids = new long[count];
        for (int i = 0; i < count; i++) {
            zxids[i] = Zxid.make(epoch, i + 1);
        }
        return zxids;
    }

    /** Discovery: the learners report, the leader fixes and sends the epoch, a quorum acknowledges it. */
    @Nested
    class Discovery {
        @Test
        void theNewEpochIsMaxAcceptedPlusOneOnceTheLeaderAndAQuorumReported() {
            final AgentHarness h = leader(5, 2, 2);
            h.learnerInfo(1, 4);
            assertTrue(h.take("leaderInfo").isEmpty(), "the leader and 1 are not a quorum of 5");
            h.learnerInfo(2, 1);
            final List<AgentHarness.Sent> infos = h.take("leaderInfo");
            assertEquals(List.of(1L, 2L), recipients(infos));
            assertEquals(5, infos.get(0).peerEpoch(), "max(2, 4, 1) + 1");
            assertEquals(5, h.storage.acceptedEpoch(), "the leader persisted it before proposing it");
            h.learnerInfo(4, 3);
            assertEquals(5, h.take("leaderInfo").get(0).peerEpoch(), "a late learner gets the fixed epoch");
        }

        /**
         * A late voter that accepted a later epoch than the fixed one (it proposed it as a leader that never
         * established) would refuse the fixed one at every attempt (one that accepted the same epoch follows):
         * the fast leader looks again once, and when it leads next it proposes an epoch above that voter's.
         */
        @Test
        void aLateVoterThatAcceptedALaterEpochMakesTheLeaderLookAgainAndLeadAboveIt() {
            final AgentHarness h = leader(5, 2, 2);
            h.learnerInfo(1, 2);
            h.learnerInfo(2, 1);
            assertEquals(3, h.take("leaderInfo").get(0).peerEpoch(), "max(2, 2, 1) + 1");
            h.learnerInfo(5, 3);
            assertEquals(3, h.take("leaderInfo").get(0).peerEpoch(),
                "5 accepted this very epoch: it acknowledges -1 and follows");
            h.learnerInfo(4, 4);
            assertEquals(ServerState.LOOKING, h.agent.state());
            assertTrue(h.transitions.get(h.transitions.size() - 1).endsWith("a voter accepted a later epoch than ours"),
                h.transitions.toString());
            assertTrue(h.take("leaderInfo").isEmpty(), "4 is not offered an epoch it would refuse");

            h.notification(1, LOOKING, 3, 0, 2, 2);
            h.notification(2, LOOKING, 3, 0, 2, 2);
            h.advanceMs(60);
            assertEquals(ServerState.LEADING, h.agent.state(), h.transitions.toString());
            h.learnerInfo(1, 3);
            h.learnerInfo(2, 3);
            assertEquals(5, h.take("leaderInfo").get(0).peerEpoch(), "above 4's accepted 4, not max(3, 3, 3) + 1");
            h.learnerInfo(4, 4);
            assertEquals(5, h.take("leaderInfo").get(0).peerEpoch(), "4 can follow this one");
            assertEquals(ServerState.LEADING, h.agent.state());
            assertEquals(0, h.agent.epochsCapped());
        }

        @Test
        void aLearnerMoreRecentThanTheLeaderIsRefusedAndAMinusOneAckDoesNotCount() {
            final AgentHarness h = leader(5, 1, 1, Zxid.make(1, 1), Zxid.make(1, 2));
            h.learnerInfo(1);
            h.learnerInfo(2);
            h.learnerInfo(4);
            h.take();
            h.ackEpoch(1, 1, Zxid.make(1, 5));
            assertEquals(List.of(1L), recipients(h.take("reject")), "1 logged txns of epoch 1 past the leader's");
            h.ackEpoch(2, -1, Zxid.make(1, 2));
            assertEquals(1, h.storage.currentEpoch(), "2 had accepted this epoch already: not counted");
            assertTrue(h.take("syncStart").isEmpty());
            h.ackEpoch(4, 1, Zxid.make(1, 1));
            assertEquals(1, h.storage.currentEpoch(), "the leader and 4 are not 3 of 5, and 2 does not count");
            h.learnerInfo(5);
            h.ackEpoch(5, 1, Zxid.make(1, 2));
            assertEquals(2, h.storage.currentEpoch(), "the leader, 4 and 5 adopt epoch 2");
            assertEquals(List.of(2L, 4L, 5L), recipients(h.take("syncStart")),
                "2 is synced even though its ack did not count");
        }

        /**
         * ZooKeeper's {@code Leader.waitForEpochAck} returns at once once the epoch is acknowledged by a quorum:
         * the "learner is ahead of the leader" check covers only the learners that take part in discovery. A
         * later one goes straight to its sync, here a TRUNC of the txns of epoch 1 the leader never had.
         */
        @Test
        void aLearnerMoreRecentThanTheLeaderThatJoinsAfterTheQuorumAcknowledgedIsSynced() {
            for (final ElectionPolicy policy : List.of(ElectionPolicy.ZOOKEEPER, FAST)) {
                final AgentHarness h = leader(policy, 3, 1, 1, Zxid.make(1, 1), Zxid.make(1, 2));
                h.learnerInfo(1);
                h.ackEpoch(1, 1, Zxid.make(1, 2));
                assertEquals(2, h.storage.currentEpoch(), policy + ": the leader and 1 acknowledged epoch 2");
                h.learnerInfo(2);
                h.take();
                h.ackEpoch(2, 1, Zxid.make(1, 5));
                final List<AgentHarness.Sent> sent = h.take();
                assertTrue(ofType(sent, "reject").isEmpty(), policy + ": the late learner is not refused");
                final List<AgentHarness.Sent> starts = ofType(sent, "syncStart");
                assertEquals(1, starts.size(), policy.toString());
                assertEquals(SyncMode.TRUNC.code(), starts.get(0).state(), policy.toString());
                assertEquals(Zxid.make(1, 2), starts.get(0).zxid(), policy.toString());
                assertEquals(Phase.NEWLEADER_SENT, phase(h, 2), policy.toString());
            }
        }

        /**
         * ZooKeeper's {@code Leader.getEpochToPropose} raises the epoch above every connecting learner's
         * accepted epoch, an observer's included (only participants count towards the quorum).
         */
        @Test
        void anObserversAcceptedEpochRaisesTheNewEpoch() {
            for (final ElectionPolicy policy : List.of(ElectionPolicy.ZOOKEEPER, FAST)) {
                final AgentHarness h = observedLeader(policy);
                h.learnerInfo(4, 2);
                assertTrue(h.take("leaderInfo").isEmpty(), policy + ": an observer is not part of the quorum");
                h.learnerInfo(1, 1);
                final List<AgentHarness.Sent> infos = h.take("leaderInfo");
                assertEquals(List.of(1L, 4L), recipients(infos), policy.toString());
                assertEquals(3, infos.get(0).peerEpoch(), policy + ": max(1, 1, observer's 2) + 1");
                assertEquals(0, h.agent.epochsCapped(), policy.toString());
            }
        }

        @Test
        void aFollowerAcknowledgesAnAlreadyAcceptedEpochWithMinusOneAndRefusesAnOlderOne() {
            final AgentHarness h = follower();
            h.storage.accepted = 4;
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 4);
            assertEquals(-1, h.take("ackEpoch").get(0).peerEpoch());
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 3);
            assertEquals(ServerState.LOOKING, h.agent.state());
            assertTrue(h.transitions.contains("LOOKING: leader proposed an epoch below the accepted one"));
        }

        @Test
        void eachLearnerReportsThenIsSentTheEpochOnceItIsFixed() {
            final AgentHarness h = leader(5, 1, 1);
            assertEquals(Phase.NONE, phase(h, 1));
            h.learnerInfo(1);
            assertEquals(Phase.INFO, phase(h, 1), "reported; the leader and 1 are not a quorum of 5");
            assertEquals(-1, h.agent.newEpoch());
            h.learnerInfo(2);
            assertEquals(2, h.agent.newEpoch());
            assertEquals(Phase.EPOCH_SENT, phase(h, 1));
            assertEquals(Phase.EPOCH_SENT, phase(h, 2));
            h.take();
            h.ackEpoch(1, 1, 0);
            assertEquals(Phase.EPOCH_ACKED, phase(h, 1));
            assertEquals(1, h.storage.currentEpoch(), "the leader and 1 are not a quorum: not current yet");
            assertTrue(h.take("syncStart").isEmpty(), "and nobody is synced before it is");
            h.ackEpoch(2, 1, 0);
            assertEquals(2, h.storage.currentEpoch());
            assertEquals(List.of(1L, 2L), recipients(h.take("syncStart")));
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 1), "an empty DIFF ends with NEWLEADER at once");
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 2));
        }

        @Test
        void anAckEpochTheLeaderDoesNotAwaitIsDropped() {
            final AgentHarness h = servingLeader();
            final long dropped = h.agent.messagesDropped();
            h.ackEpoch(1, 0, 0);
            assertEquals(dropped + 1, h.agent.messagesDropped());
            assertEquals(Phase.SYNCED, phase(h, 1));
            assertTrue(h.take("syncStart").isEmpty(), "no second sync");
        }

        @Test
        void aLearnerThatAnnouncesItselfAgainStartsDiscoveryOver() {
            final AgentHarness h = leader(3, 0, 0);
            h.learnerInfo(1);
            h.ackEpoch(1, 0, 0);
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 1));
            h.take();
            h.learnerInfo(1);
            assertEquals(List.of(1L), recipients(h.take("leaderInfo")), "it is sent the fixed epoch again");
            assertEquals(Phase.EPOCH_SENT, phase(h, 1));
            assertFalse(h.agent.isServing());
        }

        @Test
        void aLearnerAnnouncesItselfUntilItsLeaderAnswers() {
            final AgentHarness h = follower();
            assertEquals(Follower.Step.AWAIT_LEADER_INFO, h.agent.learnerStep());
            h.advanceMs(5);
            assertEquals(List.of(3L), recipients(h.take("learnerInfo")), "again after the policy's retry interval");
            h.advanceMs(5);
            assertTrue(h.take("learnerInfo").isEmpty(), "then twice as long");
            h.advanceMs(5);
            assertEquals(List.of(3L), recipients(h.take("learnerInfo")));
            h.ping(3);
            h.advanceMs(1000);
            assertTrue(h.take("learnerInfo").isEmpty(), "the leader answered: no more announcements");
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            assertEquals(Follower.Step.AWAIT_SYNC, h.agent.learnerStep());
        }
    }

    /** Synchronization: the leader streams each acknowledged learner its DIFF, TRUNC or SNAP, then NEWLEADER. */
    @Nested
    class Synchronization {
        @Test
        void aLaggingLearnerGetsADiffOfTheTxnsItMissesThenNewLeader() {
            final AgentHarness h = leader(3, 1, 1, Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3));
            h.learnerInfo(1);
            h.take();
            h.ackEpoch(1, 1, Zxid.make(1, 1));
            final List<AgentHarness.Sent> sent = h.take();
            assertEquals("syncStart", sent.get(0).type());
            assertEquals(SyncMode.DIFF.code(), sent.get(0).state());
            assertEquals(Zxid.make(1, 1), sent.get(0).zxid());
            assertEquals(List.of(Zxid.make(1, 2), Zxid.make(1, 3)),
                zxids(ofType(sent, "proposal")));
            assertEquals("newLeader", sent.get(sent.size() - 1).type());
            assertEquals(Zxid.make(2, 0), sent.get(sent.size() - 1).zxid());
        }

        @Test
        void aLearnerWithTxnsTheLeaderNeverCommittedIsTruncated() {
            final AgentHarness h = leader(3, 2, 2, Zxid.make(1, 1), Zxid.make(1, 2));
            h.learnerInfo(1);
            h.take();
            h.ackEpoch(1, 1, Zxid.make(1, 4));
            final AgentHarness.Sent start = h.take("syncStart").get(0);
            assertEquals(SyncMode.TRUNC.code(), start.state());
            assertEquals(Zxid.make(1, 2), start.zxid());
        }

        /**
         * ZooKeeper's {@code LearnerHandler.syncFollower} TRUNCs a learner past the leader's last committed
         * txn whatever the epochs. Here epoch 2 was established on 1:1 1:2 (the leader acknowledged it),
         * whose leader proposed 2:1 and 2:2 to learner 2 only; 2 joins late and truncates to 1:2.
         */
        @Test
        void aLearnerAheadInALaterEpochIsTruncatedToTheLeadersLastTxn() {
            for (final ElectionPolicy policy : List.of(ElectionPolicy.ZOOKEEPER, FAST)) {
                final AgentHarness h = leader(policy, 3, 2, 2, Zxid.make(1, 1), Zxid.make(1, 2));
                h.learnerInfo(1);
                h.ackEpoch(1, 2, Zxid.make(1, 2));
                h.learnerInfo(2);
                h.take();
                h.ackEpoch(2, 2, Zxid.make(2, 2));
                final List<AgentHarness.Sent> starts = h.take("syncStart");
                assertEquals(1, starts.size(), policy.toString());
                assertEquals(SyncMode.TRUNC.code(), starts.get(0).state(), policy.toString());
                assertEquals(Zxid.make(1, 2), starts.get(0).zxid(), policy.toString());
            }
        }

        /**
         * ZooKeeper's leader keeps its newest 500 txns in memory ({@code ZKDatabase.addCommittedProposal},
         * {@code commitLogCount}), whatever snapshots and log purges do, so a learner a few txns behind a
         * leader that just compacted its log still gets a DIFF, from that window.
         */
        @Test
        void aLearnerBehindALeaderThatJustCompactedItsLogGetsADiffFromTheCommittedWindow() {
            for (final ElectionPolicy policy : List.of(ElectionPolicy.ZOOKEEPER, FAST)) {
                final AgentHarness h = leader(policy, Ensemble.majority(3), 1, 1, history(1, 10));
                final UnsafeBuffer state = new UnsafeBuffer(new byte[100]);
                h.storage.log.snapshot(Zxid.make(1, 10), state, 0, state.capacity());
                h.learnerInfo(1);
                h.take();
                h.ackEpoch(1, 1, Zxid.make(1, 7));
                final List<AgentHarness.Sent> sent = h.take();
                assertEquals(SyncMode.DIFF.code(), sent.get(0).state(), policy + ": " + sent);
                assertEquals(Zxid.make(1, 7), sent.get(0).zxid(), policy.toString());
                assertEquals(List.of(Zxid.make(1, 8), Zxid.make(1, 9), Zxid.make(1, 10)),
                    zxids(ofType(sent, "proposal")), policy + ": from the window, the log holds none of them");
                assertEquals("newLeader", sent.get(sent.size() - 1).type(), policy.toString());
                assertTrue(ofType(sent, "snapshotChunk").isEmpty(), policy.toString());
            }
        }

        /**
         * The window is the member's, not the role's: the txns a follower logged are there when it leads
         * next, after it compacted its log ({@code ZKDatabase} outlives the {@code ZooKeeperServer} of
         * each role).
         */
        @Test
        void theWindowAFollowerFilledServesItsDiffsWhenItLeads() {
            final AgentHarness h = follower();
            h.connected(2);
            h.followThrough(3, 1);
            for (final long z : history(1, 6)) {
                h.proposal(3, z);
            }
            final UnsafeBuffer state = new UnsafeBuffer(new byte[100]);
            h.storage.log.snapshot(Zxid.make(1, 6), state, 0, state.capacity());
            h.linkDown(3);
            h.advanceMs(10);
            h.notification(2, LOOKING, 1, Zxid.make(1, 6), 2, 1);
            for (int ms = 0; ms < 1000 && h.agent.state() != ServerState.LEADING; ms += 10) {
                h.advanceMs(10);
            }
            assertEquals(ServerState.LEADING, h.agent.state(), h.transitions.toString());
            h.take();
            h.learnerInfo(2, 1);
            h.ackEpoch(2, 1, Zxid.make(1, 4));
            final List<AgentHarness.Sent> sent = h.take();
            final AgentHarness.Sent start = ofType(sent, "syncStart").get(0);
            assertEquals(SyncMode.DIFF.code(), start.state(), sent.toString());
            assertEquals(Zxid.make(1, 4), start.zxid());
            assertEquals(List.of(Zxid.make(1, 5), Zxid.make(1, 6)), zxids(ofType(sent, "proposal")));
        }

        /**
         * A restart fills the window from the log after the snapshot only ({@code ZKDatabase.loadDataBase}): a
         * learner exactly at the snapshot zxid, which neither the window nor the log holds, gets a SNAP in
         * ZooKeeper ({@code getProposalsFromTxnLog} needs that zxid in the log). The fast policy continues
         * it from the log: the snapshot is the history up to that zxid.
         */
        @Test
        void aLearnerAtTheSnapshotOfARestartedLeaderGetsASnapUnderZooKeeperAndADiffUnderFast() {
            final Ensemble three = Ensemble.majority(3);
            final AgentHarness zk = leader(ElectionPolicy.ZOOKEEPER, three, 1, 1, Zxid.make(1, 5), history(1, 10));
            zk.learnerInfo(1);
            zk.take();
            zk.ackEpoch(1, 1, Zxid.make(1, 5));
            List<AgentHarness.Sent> sent = zk.take();
            assertEquals(SyncMode.SNAP.code(), sent.get(0).state(), sent.toString());
            assertEquals(Zxid.make(1, 5), sent.get(0).zxid());
            assertEquals(List.of(Zxid.make(1, 6), Zxid.make(1, 7), Zxid.make(1, 8), Zxid.make(1, 9), Zxid.make(1, 10)),
                zxids(ofType(sent, "proposal")));

            final AgentHarness fast = leader(FAST, three, 1, 1, Zxid.make(1, 5), history(1, 10));
            fast.learnerInfo(1);
            fast.take();
            fast.ackEpoch(1, 1, Zxid.make(1, 5));
            sent = fast.take();
            assertEquals(SyncMode.DIFF.code(), sent.get(0).state(), sent.toString());
            assertEquals(Zxid.make(1, 5), sent.get(0).zxid());
            assertTrue(ofType(sent, "snapshotChunk").isEmpty());
            assertEquals(5, ofType(sent, "proposal").size());
        }

        @Test
        void aLearnerBehindTheLeadersSnapshotGetsTheSnapshotThenTheRest() {
            final AgentHarness h = leader(3, 1, 1, Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3), Zxid.make(1, 4));
            final UnsafeBuffer state = new UnsafeBuffer(new byte[150_000]);
            h.storage.log.snapshot(Zxid.make(1, 2), state, 0, state.capacity());
            h.learnerInfo(1);
            h.take();
            h.ackEpoch(1, 0, 0);
            final List<AgentHarness.Sent> sent = h.take();
            assertEquals(SyncMode.SNAP.code(), sent.get(0).state());
            assertEquals(Zxid.make(1, 2), sent.get(0).zxid());
            final List<AgentHarness.Sent> chunks = ofType(sent, "snapshotChunk");
            assertEquals(3, chunks.size(), "150,000 bytes in 64 KiB chunks");
            assertEquals(150_000, chunks.stream().mapToInt(AgentHarness.Sent::state).sum());
            assertEquals(List.of(Zxid.make(1, 3), Zxid.make(1, 4)),
                zxids(ofType(sent, "proposal")));
        }

        @Test
        void aGapInTheLeadersTxnsSendsTheLearnerBackToLooking() {
            final AgentHarness h = follower();
            h.followThrough(3, 1);
            h.proposal(3, Zxid.make(1, 1));
            h.proposal(3, Zxid.make(1, 3));
            assertEquals(ServerState.LOOKING, h.agent.state());
            assertTrue(h.transitions.contains("LOOKING: txn from the leader does not follow the log"));
        }

        @Test
        void aSyncSendsAtMostOneBatchPerPumpAndFinishesOnLaterDutyCycles() {
            final AgentHarness h = leader(3, 1, 1, history(1, 10_000));
            h.learnerInfo(1);
            h.take();
            h.ackEpoch(1, 1, 0);
            final List<AgentHarness.Sent> first = h.take();
            assertEquals(2 * 4096, ofType(first, "proposal").size(),
                "one batch as the sync starts and one from the duty cycle's pump");
            assertTrue(ofType(first, "newLeader").isEmpty());
            assertEquals(Phase.SYNCING, phase(h, 1));
            h.agent.doWork(h.nowNs);
            final List<AgentHarness.Sent> second = h.take();
            assertEquals(10_000 - 2 * 4096, ofType(second, "proposal").size());
            assertEquals("newLeader", second.get(second.size() - 1).type());
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 1));
        }

        @Test
        void aWriteAcceptedWhileALearnerSyncsReachesItThroughItsStream() {
            final AgentHarness h = servingLeader();
            h.learnerInfo(2);
            h.notWritable(2);
            h.ackEpoch(2, 0, 0);
            assertEquals(Phase.SYNCING, phase(h, 2), "its link is not writable: the stream waits");
            h.take();
            h.write(8);
            assertEquals(List.of(1L), recipients(h.take("proposal")), "broadcast only to the learner past NEWLEADER");
            h.accept(2);
            h.agent.doWork(h.nowNs);
            final List<AgentHarness.Sent> stream = h.take();
            assertEquals(List.of(Zxid.make(1, 1)), zxids(ofType(stream, "proposal")));
            assertEquals("newLeader", stream.get(stream.size() - 1).type());
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 2));
        }

        @Test
        void aLearnerLogsItsStreamWithoutAcknowledgingTxnByTxn() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.DIFF, 0);
            assertEquals(Follower.Step.SYNCING, h.agent.learnerStep());
            h.proposal(3, Zxid.make(1, 1));
            h.proposal(3, Zxid.make(1, 2));
            assertEquals(Zxid.make(1, 2), h.storage.lastLoggedZxid());
            assertTrue(h.take("ack").isEmpty(), "NEWLEADER's ACK covers the stream");
            assertFalse(h.agent.isServing());
        }

        @Test
        void aDiffThatDoesNotContinueTheLearnersHistorySendsItBackToLooking() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.DIFF, Zxid.make(0, 5));
            assertLastTransition(h, "LOOKING: leader's DIFF does not continue this history");
        }

        @Test
        void aSnapshotChunkOutOfOrderSendsTheLearnerBackToLooking() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.SNAP, 0);
            InboundMessages.offerSnapshotChunk(h.agent.inbound(), 3, Zxid.make(0, 2), 0, 100, 50,
                new UnsafeBuffer(new byte[50]), 0, 50);
            h.agent.doWork(h.nowNs);
            assertLastTransition(h, "LOOKING: snapshot chunk out of order from the leader");
        }

        @Test
        void aTxnBeforeTheSnapshotIsCompleteSendsTheLearnerBackToLooking() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.SNAP, 0);
            h.proposal(3, Zxid.make(1, 1));
            assertLastTransition(h, "LOOKING: unexpected txn from the leader");
        }
    }

    /** Establishment: NEWLEADER acknowledged by a quorum establishes the epoch; UPTODATE lets the learners serve. */
    @Nested
    class Establishment {
        @Test
        void aFollowerPersistsAcceptedBeforeAckEpochAndCurrentBeforeTheNewLeaderAck() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 4);
            assertEquals(4, h.storage.acceptedEpoch());
            final AgentHarness.Sent ack = h.take("ackEpoch").get(0);
            assertEquals(0, ack.peerEpoch(), "a newly accepted epoch is acknowledged with the current epoch");
            h.syncStart(3, SyncMode.DIFF, 0);
            h.proposal(3, Zxid.make(4, 1));
            assertEquals(0, h.storage.currentEpoch());
            h.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(4, 0));
            assertEquals(4, h.storage.currentEpoch());
            assertEquals(Zxid.make(4, 1), h.storage.lastLoggedZxid());
            assertEquals(List.of(Zxid.make(4, 0)), zxids(h.take("ack")));
            assertTrue(!h.agent.isServing());
            h.zxidMessage(InboundMessages.UP_TO_DATE, 3, Zxid.make(4, 1));
            assertTrue(h.agent.isServing());
            assertEquals(SyncMode.DIFF, h.agent.lastSyncMode());
        }

        @Test
        void theEpochIsEstablishedOnlyOnceAQuorumAcknowledgedNewLeader() {
            final AgentHarness h = leader(5, 0, 0);
            h.learnerInfo(1);
            h.learnerInfo(2);
            h.learnerInfo(4);
            h.ackEpoch(1, 0, 0);
            h.ackEpoch(2, 0, 0);
            h.ackEpoch(4, 0, 0);
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 4));
            h.take();
            final long newLeader = Zxid.make(h.agent.newEpoch(), 0);
            h.zxidMessage(InboundMessages.ACK, 1, newLeader);
            assertEquals(Phase.SYNCED, phase(h, 1));
            assertFalse(h.agent.isServing(), "the leader and 1 are not 3 of 5");
            assertTrue(h.take("upToDate").isEmpty());
            h.zxidMessage(InboundMessages.ACK, 2, newLeader);
            assertTrue(h.agent.isServing());
            assertEquals(List.of(1L, 2L), recipients(h.take("upToDate")), "every synced learner serves with it");
            h.zxidMessage(InboundMessages.ACK, 4, newLeader);
            assertEquals(List.of(4L), recipients(h.take("upToDate")), "one synced later gets UPTODATE at once");
        }

        @Test
        void anAckOfAnotherEpochsNewLeaderSyncsNobody() {
            final AgentHarness h = leader(3, 0, 0);
            h.learnerInfo(1);
            h.ackEpoch(1, 0, 0);
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 1));
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(h.agent.newEpoch() - 1, 0));
            assertEquals(Phase.NEWLEADER_SENT, phase(h, 1));
            assertFalse(h.agent.isServing());
        }

        @Test
        void aLearnerServesOnlyFromUpToDateAfterItsNewLeaderAck() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.DIFF, 0);
            h.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
            assertEquals(Follower.Step.SYNCED, h.agent.learnerStep());
            assertFalse(h.agent.isServing());
            h.zxidMessage(InboundMessages.UP_TO_DATE, 3, 0);
            assertEquals(Follower.Step.SERVING, h.agent.learnerStep());
            assertTrue(h.agent.isServing());
        }

        @Test
        void anUpToDateBeforeNewLeaderSendsTheLearnerBackToLooking() {
            final AgentHarness h = follower();
            h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
            h.syncStart(3, SyncMode.DIFF, 0);
            h.zxidMessage(InboundMessages.UP_TO_DATE, 3, 0);
            assertLastTransition(h, "LOOKING: unexpected UPTODATE from the leader");
            assertEquals(Follower.Step.NONE, h.agent.learnerStep());
        }
    }

    /** Broadcast: writes are logged, proposed, acknowledged in groups and committed by a quorum. */
    @Nested
    class Broadcast {
        @Test
        void aFollowerLogsProposalsAndAcknowledgesOncePerDutyCycle() {
            final AgentHarness h = follower();
            h.followThrough(3, 1);
            h.take();
            InboundMessages.offerProposal(h.agent.inbound(), 3, Zxid.make(1, 1), new UnsafeBuffer(new byte[4]), 0, 4);
            InboundMessages.offerProposal(h.agent.inbound(), 3, Zxid.make(1, 2), new UnsafeBuffer(new byte[4]), 0, 4);
            h.agent.doWork(h.nowNs);
            assertEquals(List.of(Zxid.make(1, 2)), zxids(h.take("ack")),
                "one cumulative ACK for both");
        }

        @Test
        void writesCommitOnAQuorumOfAcksAndAreRefusedElsewhere() {
            final AgentHarness h = leader(3, 0, 0);
            h.write(7);
            assertArrayEquals(new long[] {7, WriteListener.NOT_READY, -1, 3}, h.writeResults.remove(0),
                "not established yet");
            h.learnerInfo(1);
            h.recover(1);
            assertTrue(h.agent.isServing());
            h.take();
            h.write(8);
            assertEquals(List.of(1L), recipients(h.take("proposal")));
            assertTrue(h.writeResults.isEmpty(), "the leader alone is not a quorum of 3");
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 1));
            assertArrayEquals(new long[] {8, WriteListener.COMMITTED, Zxid.make(1, 1), 3}, h.writeResults.remove(0));
            assertEquals(List.of(Zxid.make(1, 1)), zxids(h.take("commit")));
            h.write(9);
            h.linkDown(1);
            h.linkDown(2);
            for (int i = 0; i < 12 && h.agent.state() == ServerState.LEADING; i++) {
                h.advanceMs(1000);
            }
            assertEquals(ServerState.LOOKING, h.agent.state());
            assertArrayEquals(new long[] {9, WriteListener.UNKNOWN, Zxid.make(1, 2), 3}, h.writeResults.remove(0),
                "proposed, never acknowledged by a quorum: the outcome is unknown");
            h.write(10);
            assertEquals(WriteListener.NOT_LEADER, h.writeResults.remove(0)[1]);
        }

        @Test
        void aWriteToAFollowerNamesTheLeader() {
            final AgentHarness h = follower();
            h.write(5);
            assertArrayEquals(new long[] {5, WriteListener.NOT_LEADER, -1, 3}, h.writeResults.remove(0));
        }
        @Test
        void aStaleOrRepeatedAckCommitsNothingMore() {
            final AgentHarness h = servingLeader();
            h.write(8);
            h.write(9);
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 2));
            assertEquals(2, h.writeResults.size(), "one cumulative ACK commits both");
            assertEquals(List.of(Zxid.make(1, 2)), zxids(h.take("commit")), "in one COMMIT");
            h.writeResults.clear();
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 1));
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 2));
            assertTrue(h.writeResults.isEmpty());
            assertTrue(h.take("commit").isEmpty());
            assertEquals(Zxid.make(1, 2), h.agent.commitZxid());
        }

        @Test
        void aLearnersCommitPointOnlyMovesForward() {
            final AgentHarness h = follower();
            h.followThrough(3, 1);
            h.proposal(3, Zxid.make(1, 1));
            h.proposal(3, Zxid.make(1, 2));
            h.zxidMessage(InboundMessages.COMMIT, 3, Zxid.make(1, 2));
            h.zxidMessage(InboundMessages.COMMIT, 3, Zxid.make(1, 1));
            assertEquals(Zxid.make(1, 2), h.agent.commitZxid());
        }

        /**
         * A COMMIT beyond what the learner has logged cannot come from a leader that follows the protocol
         * (every PROPOSAL precedes its COMMIT on the one connection): the commit point stops at the last
         * logged zxid, the rest is counted as dropped, and the state-entry invariant holds.
         */
        @Test
        void aCommitBeyondTheLearnersLogMovesTheCommitPointOnlyToItsEnd() {
            final AgentHarness h = follower();
            h.followThrough(3, 1);
            h.proposal(3, Zxid.make(1, 1));
            final long dropped = h.agent.messagesDropped();
            h.zxidMessage(InboundMessages.COMMIT, 3, Zxid.make(1, 9));
            assertEquals(Zxid.make(1, 1), h.agent.commitZxid(), "not past the log's end");
            assertEquals(dropped + 1, h.agent.messagesDropped());
            h.proposal(3, Zxid.make(1, 2));
            assertEquals(ServerState.FOLLOWING, h.agent.state());
            h.zxidMessage(InboundMessages.COMMIT, 3, Zxid.make(1, 2));
            assertEquals(Zxid.make(1, 2), h.agent.commitZxid());
        }

        @Test
        void aWriteOverTheSizeLimitIsRefusedAndNotProposed() {
            final AgentHarness h = servingLeader();
            final int length = MemberAgent.MAX_WRITE_BYTES + 1;
            h.agent.onWrite(5, new UnsafeBuffer(new byte[length]), 0, length);
            assertArrayEquals(new long[] {5, WriteListener.TOO_LARGE, -1, 3}, h.writeResults.remove(0));
            assertTrue(h.take("proposal").isEmpty());
        }

        @Test
        void aLeaderWithTheMostProposalsOutstandingAnswersBusyUntilOneCommits() {
            final AgentHarness h = servingLeader();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            for (int i = 1; i <= MemberAgent.MAX_OUTSTANDING; i++) {
                h.agent.onWrite(i, payload, 0, 8);
            }
            assertTrue(h.writeResults.isEmpty(), "none acknowledged yet, none refused");
            h.agent.onWrite(0, payload, 0, 8);
            assertArrayEquals(new long[] {0, WriteListener.BUSY, -1, 3}, h.writeResults.remove(0));
            h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 1));
            assertEquals(WriteListener.COMMITTED, h.writeResults.remove(0)[1]);
            h.take();
            h.agent.onWrite(-1, payload, 0, 8);
            assertTrue(h.writeResults.isEmpty(), "room for one more");
            assertEquals(1, h.take("proposal").size());
        }
    }

    /** The leader's hold on its learners: which links end the relationship. */
    @Nested
    class Leadership {
        /**
         * A learner's election link may come and go (anyone can claim its sid on that port when no peer
         * secret is set); the leader keeps it while its quorum link stands and it answers pings, and lets
         * it go when its quorum link drops.
         */
        @Test
        void aLeaderKeepsALearnerWhoseElectionLinkDropsAndForgetsOneWhoseQuorumLinkDrops() {
            final AgentHarness h = leader(3, 0, 0);
            h.learnerInfo(1);
            h.recover(1);
            assertTrue(h.agent.isServing());
            h.disconnected(1);
            h.take();
            for (int i = 0; i < 12; i++) {
                h.advanceMs(1000);
                h.pingAck(1);
            }
            assertEquals(ServerState.LEADING, h.agent.state(), "12 s, past syncLimit: the learner still counts");
            assertTrue(h.agent.isServing());
            assertTrue(recipients(h.take("ping")).contains(1L), "and is still pinged");
            h.quorumDisconnected(1);
            h.advanceMs(2000);
            assertEquals(ServerState.LOOKING, h.agent.state());
            assertTrue(h.transitions.contains("LOOKING: not sufficient followers synced"), h.transitions.toString());
        }

    }
}
