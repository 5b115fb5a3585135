package io.electionbench.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VoteOrderTest {
    private static final int LOOKING = ServerState.LOOKING.code();
    private static final int FOLLOWING = ServerState.FOLLOWING.code();
    private static final int LEADING = ServerState.LEADING.code();

    @Test
    void peerEpochComesFirst() {
        assertTrue(VoteOrder.isGreater(1, Zxid.make(2, 1), 2, 3, Zxid.make(1, 900), 1));
        assertFalse(VoteOrder.isGreater(3, Zxid.make(1, 900), 1, 1, Zxid.make(2, 1), 2));
    }

    @Test
    void thenZxidThenSid() {
        assertTrue(VoteOrder.isGreater(2, 102, 1, 5, 101, 1));
        assertTrue(VoteOrder.isGreater(5, 101, 1, 2, 101, 1));
        assertFalse(VoteOrder.isGreater(2, 101, 1, 5, 101, 1));
    }

    @Test
    void isStrict() {
        assertFalse(VoteOrder.isGreater(3, 10, 1, 3, 10, 1));
    }

    @Test
    void comparesSigned() {
        assertTrue(VoteOrder.isGreater(1, 0, 0, 1, -1, 0));
        assertTrue(VoteOrder.isGreater(1, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE));
    }

    @Test
    void zeroWeightIsNeverBetter() {
        assertFalse(VoteOrder.isBetter(9, 1000, 9, 1, 0, 0, 0));
        assertTrue(VoteOrder.isBetter(9, 1000, 9, 1, 0, 0, 1));
    }

    @Test
    void lookingVotesMustMatchOnAllFourFields() {
        assertTrue(VoteOrder.votesEqual(LOOKING, 2, 3, 10, 4, 1, LOOKING, 2, 3, 10, 4, 1));
        assertFalse(VoteOrder.votesEqual(LOOKING, 2, 3, 10, 4, 1, LOOKING, 2, 3, 11, 4, 1));
        assertFalse(VoteOrder.votesEqual(LOOKING, 2, 3, 10, 4, 1, LOOKING, 2, 3, 10, 5, 1));
        assertFalse(VoteOrder.votesEqual(LOOKING, 2, 3, 10, 4, 1, FOLLOWING, 2, 3, 10, 4, 2));
        assertTrue(VoteOrder.votesEqual(FOLLOWING, 2, 3, 10, 4, 1, LOOKING, 2, 3, 10, 4, 1));
    }

    @Test
    void settledVotesIgnoreZxidAndRound() {
        assertTrue(VoteOrder.votesEqual(FOLLOWING, 2, 3, 10, 4, 1, LEADING, 2, 3, 99, 7, 1));
        assertFalse(VoteOrder.votesEqual(FOLLOWING, 2, 3, 10, 4, 1, LEADING, 2, 3, 10, 4, 2));
    }

    @Test
    void mixedVersionsCompareOnlyTheLeader() {
        assertTrue(VoteOrder.votesEqual(FOLLOWING, 0, 3, 10, 4, 1, LEADING, 2, 3, 99, 7, 5));
        assertFalse(VoteOrder.votesEqual(FOLLOWING, 0, 3, 10, 4, 1, LEADING, 2, 4, 10, 4, 1));
        assertFalse(VoteOrder.votesEqual(FOLLOWING, 0, 3, 10, 4, 1, LEADING, 0, 3, 10, 4, 5));
    }

    @Test
    void maskEqualToSetsThePresentMembersWhoseVoteIsEqual() {
        // member:              0        1        2          3        4
        final int[] states = {LOOKING, LOOKING, FOLLOWING, LOOKING, LOOKING};
        final int[] versions = {2, 2, 2, 2, 2};
        final long[] leaders = {3, 3, 3, 4, 3};
        final long[] zxids = {10, 10, 99, 10, 10};
        final long[] rounds = {4, 4, 7, 4, 4};
        final long[] peerEpochs = {1, 1, 1, 1, 1};

        // 0 and 4 equal, 1 equal but absent, 2 settled (zxid and round ignored), 3 another leader
        assertEquals(0b10101L, VoteOrder.maskEqualTo(0b11101L, states, versions, leaders, zxids, rounds, peerEpochs,
            FOLLOWING, 2, 3, 10, 4, 1));
        assertEquals(0b10011L, VoteOrder.maskEqualTo(0b11111L, states, versions, leaders, zxids, rounds, peerEpochs,
            LOOKING, 2, 3, 10, 4, 1), "a LOOKING vote must match all four fields");
        assertEquals(0L, VoteOrder.maskEqualTo(0L, states, versions, leaders, zxids, rounds, peerEpochs,
            LOOKING, 2, 3, 10, 4, 1));
    }
}
