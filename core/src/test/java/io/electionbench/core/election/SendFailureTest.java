package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;

/**
 * What the agent does when a link refuses a send or reports not writable (the {@link PeerPublisher}
 * contract), one path at a time: a leader drops the learner and resets its link, a learner that
 * cannot reach its leader looks again, a full election link ends up carrying only the newest vote,
 * and a sync stream waits for a link that is not writable.
 */
class SendFailureTest {
    private static List<Long> recipients(final List<AgentHarness.Sent> sent) {
        return sent.stream().map(AgentHarness.Sent::to).sorted().collect(Collectors.toList());
    }

    /** What was sent of {@code type} so far, leaving the record as it is. */
    private static List<AgentHarness.Sent> sent(final AgentHarness h, final String type) {
        return h.sent.stream().filter(s -> s.type().equals(type)).collect(Collectors.toList());
    }

    private static List<Long> zxids(final List<AgentHarness.Sent> sent) {
        return sent.stream().map(AgentHarness.Sent::zxid).collect(Collectors.toList());
    }

    /** Server 3 of 3 with the given history (epoch 1), LEADING after 1 and 2 voted for it. */
    private static AgentHarness leader(final long... zxids) {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(3), ElectionPolicy.FAST);
        h.storage.epoch = zxids.length == 0 ? 0 : 1;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (final long z : zxids) {
            payload.putLong(0, z);
            h.storage.log.append(z, payload, 0, 8);
        }
        h.start();
        h.connected(1);
        h.connected(2);
        final long last = h.storage.lastLoggedZxid();
        h.notification(1, LOOKING, 3, last, 1, h.storage.epoch);
        h.notification(2, LOOKING, 3, last, 1, h.storage.epoch);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state());
        h.take();
        return h;
    }

    /** A leader serving with learners 1 and 2 synced. */
    private static AgentHarness servingLeader() {
        final AgentHarness h = leader();
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.recover(1);
        h.recover(2);
        assertTrue(h.agent.isServing());
        h.take();
        return h;
    }

    private static AgentHarness follower() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.take();
        return h;
    }

    /** The learner was let go: out of the leader's learners, and its quorum link reset (not sent a refusal). */
    private static void assertDroppedAndReset(final AgentHarness h, final long sid) {
        assertEquals(0, h.agent.learnerMask() & (1L << (sid - 1)), "learner " + sid + " is no longer a learner");
        assertEquals(List.of(sid), recipients(h.take("reset")), "its quorum link is reset");
    }

    private static void assertLastTransition(final AgentHarness h, final String expected) {
        assertEquals(expected, h.transitions.get(h.transitions.size() - 1), h.transitions.toString());
    }

    @Test
    void aLearnerThatCannotBeSentTheEpochIsDropped() {
        final AgentHarness h = leader();
        h.refuse(1, "leaderInfo");
        h.learnerInfo(1);
        h.learnerInfo(2);
        assertEquals(List.of(1L), recipients(h.refused), "the epoch is fixed once 2 reports; 1's link refuses it");
        assertEquals(List.of(2L), recipients(sent(h, "leaderInfo")));
        assertDroppedAndReset(h, 1);
        assertEquals(ServerState.LEADING, h.agent.state());
    }

    @Test
    void aLearnerThatCannotBeSentItsSyncStartIsDroppedAndTheOtherIsSynced() {
        final AgentHarness h = leader();
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.refuse(1, "syncStart");
        h.ackEpoch(1, 0, 0);
        h.ackEpoch(2, 0, 0);
        assertEquals(List.of(2L), recipients(sent(h, "syncStart")));
        assertDroppedAndReset(h, 1);
    }

    @Test
    void aLearnerWhoseSyncTxnIsRefusedIsDroppedMidStream() {
        final AgentHarness h = leader(Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3));
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.refuse(1, "proposal");
        h.ackEpoch(1, 1, Zxid.make(1, 1));
        assertEquals(List.of(Zxid.make(1, 2)), zxids(h.refused), "the first txn of the DIFF is refused");
        assertTrue(sent(h, "newLeader").isEmpty(), "and the stream stops there");
        assertDroppedAndReset(h, 1);
    }

    @Test
    void aLearnerWhoseSnapshotChunkIsRefusedIsDropped() {
        final AgentHarness h = leader(Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3));
        final UnsafeBuffer state = new UnsafeBuffer(new byte[1000]);
        h.storage.log.snapshot(Zxid.make(1, 2), state, 0, state.capacity());
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.refuse(1, "snapshotChunk");
        h.ackEpoch(1, 0, 0);
        assertEquals(SyncMode.SNAP.code(), sent(h, "syncStart").get(0).state());
        assertEquals(1, h.refused.size(), "the first chunk is refused: " + h.refused);
        assertTrue(sent(h, "proposal").isEmpty());
        assertDroppedAndReset(h, 1);
    }

    @Test
    void aLearnerThatCannotBeSentNewLeaderIsDropped() {
        final AgentHarness h = leader();
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.refuse(1, "newLeader");
        h.ackEpoch(1, 0, 0);
        assertEquals("newLeader", h.refused.get(0).type());
        assertDroppedAndReset(h, 1);
        h.recover(2);
        assertTrue(h.agent.isServing(), "the leader and 2 establish the epoch");
    }

    @Test
    void aSyncedLearnerThatCannotBeSentUpToDateIsDropped() {
        final AgentHarness h = leader();
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.refuse(1, "upToDate");
        h.recover(1);
        assertTrue(h.agent.isServing(), "the leader and 1 are a quorum");
        assertEquals("upToDate", h.refused.get(0).type(), "UPTODATE at establishment is refused");
        assertDroppedAndReset(h, 1);
        h.refuse(2, "upToDate");
        h.recover(2);
        assertEquals("upToDate", h.refused.get(1).type(), "so is a late learner's");
        assertDroppedAndReset(h, 2);
    }

    /**
     * A link backed up so far that it refuses everything, the refusal too: the learner must still find
     * out, or it serves on without the txns it was not sent until syncLimit (the simulator found
     * followers serving a shorter history than their leader's, with links that hold 8 messages).
     */
    @Test
    void aLearnerWhoseProposalIsRefusedIsToldByAResetNotByARefusalItWouldNeverGet() {
        final AgentHarness h = servingLeader();
        h.refuse(1);
        h.write(7);
        assertEquals(List.of(2L), recipients(sent(h, "proposal")));
        assertDroppedAndReset(h, 1);
        h.zxidMessage(InboundMessages.ACK, 2, Zxid.make(1, 1));
        assertArrayEquals(new long[] {7, WriteListener.COMMITTED, Zxid.make(1, 1), 3}, h.writeResults.remove(0),
            "the leader and 2 commit it");
    }

    @Test
    void aLearnerThatCannotBeSentACommitIsDropped() {
        final AgentHarness h = servingLeader();
        h.refuse(1, "commit");
        h.write(7);
        h.zxidMessage(InboundMessages.ACK, 2, Zxid.make(1, 1));
        assertEquals(List.of(2L), recipients(sent(h, "commit")));
        assertDroppedAndReset(h, 1);
    }

    @Test
    void aLeaderThatCannotReachItsLearnersDropsThemAndLooksAgain() {
        final AgentHarness h = servingLeader();
        h.refuse(1);
        h.refuse(2);
        h.write(7);
        assertEquals(0, h.agent.learnerMask());
        assertEquals(List.of(1L, 2L), recipients(h.take("reset")));
        h.advanceMs(2000);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertLastTransition(h, "LOOKING: not sufficient followers synced");
        assertArrayEquals(new long[] {7, WriteListener.UNKNOWN, Zxid.make(1, 1), 3}, h.writeResults.remove(0));
    }

    @Test
    void aLearnerThatCannotSendAckEpochLooksAgain() {
        final AgentHarness h = follower();
        h.refuse(3, "ackEpoch");
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertTrue(h.transitions.contains("LOOKING: cannot reach the leader"), h.transitions.toString());
    }

    @Test
    void aLearnerThatCannotAcknowledgeNewLeaderLooksAgain() {
        final AgentHarness h = follower();
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        h.syncStart(3, SyncMode.DIFF, 0);
        h.refuse(3, "ack");
        h.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertLastTransition(h, "LOOKING: cannot reach the leader");
    }

    @Test
    void aLearnerThatCannotAcknowledgeAProposalLooksAgain() {
        final AgentHarness h = follower();
        h.followThrough(3, 1);
        assertTrue(h.agent.isServing());
        h.refuse(3, "ack");
        h.proposal(3, Zxid.make(1, 1));
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertLastTransition(h, "LOOKING: cannot reach the leader");
    }

    /**
     * ZooKeeper keeps one notification per peer in its send queue and resends the last one; here a
     * full election link refuses the send and the agent resends its proposal as it is then, so the
     * votes it adopted in between are never sent.
     */
    @Test
    void aFullElectionLinkGetsOnlyTheNewestVoteOnceItTakesSendsAgain() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(5), ElectionPolicy.FAST);
        h.refuse(2, "notification");
        h.start();
        h.notification(3, LOOKING, 3, 0, 1, 0);
        h.notification(5, LOOKING, 5, 0, 1, 0);
        assertEquals(List.of(1L, 3L, 5L), h.refused.stream().map(AgentHarness.Sent::leader).distinct()
            .collect(Collectors.toList()), "each proposal in turn was refused");
        assertTrue(h.take().stream().noneMatch(s -> s.to() == 2));
        h.accept(2);
        h.advanceMs(1);
        final List<AgentHarness.Sent> toTwo = h.take("notification").stream().filter(s -> s.to() == 2)
            .collect(Collectors.toList());
        assertEquals(1, toTwo.size(), toTwo.toString());
        assertEquals(5, toTwo.get(0).leader(), "the newest vote");
        h.advanceMs(1);
        assertTrue(h.take("notification").isEmpty(), "and nothing more until the next resend");
    }

    @Test
    void aSyncStreamWaitsWhileTheLinkIsNotWritableAndGoesOnWhenItIs() {
        final AgentHarness h = leader(Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3));
        h.learnerInfo(1);
        h.learnerInfo(2);
        h.notWritable(1);
        h.ackEpoch(1, 1, Zxid.make(1, 1));
        assertEquals(List.of(1L), recipients(h.take("syncStart")));
        for (int i = 0; i < 3; i++) {
            h.advanceMs(100);
        }
        assertTrue(h.take("proposal").isEmpty(), "nothing streamed while not writable");
        assertEquals(ServerState.LEADING, h.agent.state());
        assertTrue((h.agent.learnerMask() & 1L) != 0, "and the learner is kept");
        h.accept(1);
        h.advanceMs(1);
        final List<AgentHarness.Sent> sent = h.take();
        assertEquals(List.of(Zxid.make(1, 2), Zxid.make(1, 3)),
            zxids(sent.stream().filter(s -> s.type().equals("proposal")).collect(Collectors.toList())));
        assertEquals("newLeader", sent.get(sent.size() - 1).type());
    }
}
