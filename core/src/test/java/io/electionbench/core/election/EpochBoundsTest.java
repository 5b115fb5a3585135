package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;

/**
 * Epochs and zxids stay inside the epoch space whatever a peer claims: an out-of-range number is refused
 * and counted, a claim in range moves the epoch no further than a quorum's own state justifies, and an
 * exhausted epoch space halts the node instead of wrapping (docs/recovery.md, "Bounded epochs").
 */
class EpochBoundsTest {
    private static final long BEYOND = (1L << 32) - 1;

    /** Server 3 of {@code size} with epochs {@code current}/{@code accepted}, LEADING after 1 and 2 voted for it. */
    static AgentHarness leader(final int size, final long current, final long accepted) {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(size), ElectionPolicy.FAST);
        h.storage.epoch = current;
        h.storage.accepted = accepted;
        h.start();
        for (long sid = 1; sid <= size; sid++) {
            if (sid != 3) {
                h.connected(sid);
            }
        }
        h.notification(1, LOOKING, 3, 0, 1, current);
        h.notification(2, LOOKING, 3, 0, 1, current);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state());
        h.take();
        return h;
    }

    @Test
    void aLearnerInfoBeyondTheEpochSpaceIsRefusedAndCounted() {
        final AgentHarness h = leader(3, 1, 1);
        h.learnerInfo(1, BEYOND);
        assertTrue(h.take("leaderInfo").isEmpty(), "no epoch is proposed on a refused claim");
        assertEquals(1, h.agent.epochsRefused());
        assertEquals(1, h.storage.acceptedEpoch(), "nothing persisted");
        h.learnerInfo(2, 1);
        assertEquals(2, h.take("leaderInfo").get(0).peerEpoch(), "the honest quorum fixes max(1, 1) + 1");
    }

    /** The forged frame of the issue: an established leader hears a voter claim an epoch near the end of the space. */
    @Test
    void aLateClaimFarAheadMovesTheNextEpochByTwoAtMost() {
        final AgentHarness h = leader(3, 1, 1);
        h.learnerInfo(1, 1);
        assertEquals(2, h.take("leaderInfo").get(0).peerEpoch());
        h.recover(1);
        assertTrue(h.agent.isServing());
        h.learnerInfo(2, Zxid.MAX_EPOCH - 1);
        assertEquals(ServerState.LOOKING, h.agent.state(), "the fast leader looks again to include the voter");
        h.notification(1, LOOKING, 3, 0, 2, 2);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state(), h.transitions.toString());
        h.learnerInfo(1, 2);
        assertEquals(4, h.take("leaderInfo").get(0).peerEpoch(), "at most one past the established epoch 2, plus one");
        assertTrue(h.agent.epochsCapped() > 0);
        assertTrue(h.storage.acceptedEpoch() <= 4);
    }

    @Test
    void aClaimTheQuorumDoesNotNeedCannotRaiseTheEpoch() {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(3), ElectionPolicy.FAST);
        h.storage.epoch = 2;
        h.start();
        h.connected(1);
        h.connected(2);
        h.learnerInfo(2, Zxid.MAX_EPOCH - 1);
        h.learnerInfo(1, 2);
        h.notification(1, LOOKING, 3, 0, 1, 2);
        h.notification(2, LOOKING, 3, 0, 1, 2);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state(), h.transitions.toString());
        final List<AgentHarness.Sent> infos = h.take("leaderInfo");
        assertEquals(4, infos.get(0).peerEpoch(), "{3, 1} justify 2, so 2's claim counts as 3 at most: " + infos);
        assertTrue(h.agent.epochsCapped() > 0);
    }

    @Test
    void aQuorumThatNeedsTheClaimMovesTheEpochByTheJumpAtMost() {
        final AgentHarness h = leader(3, 2, 2);
        h.learnerInfo(1, Zxid.MAX_EPOCH - 1);
        final long epoch = h.take("leaderInfo").get(0).peerEpoch();
        assertEquals(2 + 1 + MemberAgent.MAX_EPOCH_JUMP, epoch, "capped at the jump above our own accepted 2");
        assertEquals(epoch, h.storage.acceptedEpoch());
        assertTrue(h.agent.epochsCapped() > 0);
    }

    @Test
    void anExhaustedEpochSpaceHaltsTheNodeAndNeverWraps() {
        final AgentHarness h = leader(3, Zxid.MAX_EPOCH, Zxid.MAX_EPOCH);
        h.learnerInfo(1, Zxid.MAX_EPOCH);
        assertEquals(List.of(), h.take("leaderInfo"));
        assertEquals(Zxid.MAX_EPOCH, h.storage.acceptedEpoch(), "never persisted past the end");
        assertEquals(1, h.halts.size(), h.halts.toString());
        assertTrue(h.halts.get(0).contains("epoch space exhausted"), h.halts.get(0));
        assertEquals(ServerState.LOOKING, h.agent.state());
        h.notification(1, LOOKING, 1, 0, 5, 1);
        h.advanceMs(1_000);
        assertTrue(h.take().isEmpty(), "a halted node sends nothing");
        assertEquals(1, h.halts.size(), "said once");
    }

    @Test
    void theLastEpochIsStillUsable() {
        final AgentHarness h = leader(3, Zxid.MAX_EPOCH - 1, Zxid.MAX_EPOCH - 1);
        h.learnerInfo(1, Zxid.MAX_EPOCH - 1);
        assertEquals(Zxid.MAX_EPOCH, h.take("leaderInfo").get(0).peerEpoch());
        h.recover(1);
        assertTrue(h.agent.isServing());
        assertNull(h.agent.haltReason());
    }

    @Test
    void aLeaderInfoBeyondTheEpochSpaceIsRefused() {
        final AgentHarness h = follower();
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, BEYOND);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals(0, h.storage.acceptedEpoch());
        assertEquals(1, h.agent.epochsRefused());
        assertTrue(h.take("ackEpoch").isEmpty());
    }

    @Test
    void aNewLeaderForAnotherEpochThanTheAcceptedOneIsRefused() {
        final AgentHarness h = follower();
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        h.syncStart(3, io.electionbench.core.sync.SyncMode.DIFF, h.storage.lastLoggedZxid());
        h.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(7, 0));
        assertEquals(ServerState.LOOKING, h.agent.state(), h.transitions.toString());
        assertEquals(0, h.storage.currentEpoch(), "the current epoch is never set above the accepted one");
        assertTrue(h.take("ack").isEmpty());
    }

    @Test
    void aTxnBeyondTheAcceptedEpochIsRefused() {
        final AgentHarness h = follower();
        h.followThrough(3, 1);
        assertTrue(h.agent.isServing());
        h.proposal(3, Zxid.make(5, 1));
        assertEquals(ServerState.LOOKING, h.agent.state(), h.transitions.toString());
        assertEquals(-1, h.storage.log.lastZxid(), "not logged");
    }

    @Test
    void aVoteBeyondTheEpochSpaceIsNotCounted() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.notification(2, LOOKING, 2, 0, 1, BEYOND);
        h.notification(3, LOOKING, 2, -5, 1, 0);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals(2, h.agent.epochsRefused());
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), "in-range votes still elect");
    }

    /** ZooKeeper's Leader.propose: a counter about to roll over forces a new epoch instead of wrapping. */
    @Test
    void anExhaustedCounterStartsANewEpoch() {
        final AgentHarness h = leader(3, 1, 1);
        h.learnerInfo(1, 1);
        h.recover(1);
        h.agent.maxCounterForTest(2);
        h.write(1);
        h.write(2);
        h.write(3);
        assertEquals(ServerState.LOOKING, h.agent.state(), h.transitions.toString());
        assertTrue(h.transitions.get(h.transitions.size() - 1).endsWith("zxid counter exhausted: a new epoch starts"));
        final long[] third = h.writeResults.stream().filter(r -> r[0] == 3).findFirst().orElseThrow();
        assertEquals(WriteListener.NOT_READY, third[1], "the third write was not logged: the client retries");
        assertEquals(Zxid.make(2, 2), h.storage.log.lastZxid(), "the log never holds a wrapped zxid");
    }

    private static AgentHarness follower() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.take();
        return h;
    }

    @SuppressWarnings("unused")
    private static UnsafeBuffer payload(final long value) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, value);
        return buffer;
    }
}
