package io.electionbench.core;

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
}
