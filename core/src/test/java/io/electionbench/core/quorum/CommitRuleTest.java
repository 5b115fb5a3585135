package io.electionbench.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The commit rule, example by example (etcd raft's {@code TestMajorityCommittedIndex} style). */
class CommitRuleTest {
    private static final QuorumVerifier THREE = Ensemble.majority(3).quorum();
    private static final QuorumVerifier FIVE = Ensemble.majority(5).quorum();

    @Test
    void aMajorityCommitsTheMedianOfItsAcknowledgements() {
        assertEquals(2, CommitRule.committedZxid(new long[] {1, 2, 3}, 0b111, THREE));
        assertEquals(5, CommitRule.committedZxid(new long[] {5, 5, 1}, 0b111, THREE));
        assertEquals(3, CommitRule.committedZxid(new long[] {9, 3, 1, 4, 2}, 0b11111, FIVE));
    }

    @Test
    void onlyTheCountedMembersCount() {
        assertEquals(1, CommitRule.committedZxid(new long[] {1, 9, 9}, 0b011, THREE), "3 is not counted");
        assertEquals(CommitRule.NO_QUORUM, CommitRule.committedZxid(new long[] {9, 9, 9}, 0b001, THREE),
            "one of three is no quorum");
        assertEquals(CommitRule.NO_QUORUM, CommitRule.committedZxid(new long[0], 0, THREE));
    }

    @Test
    void hierarchicalWeightsDecide() {
        // Two groups: {0, 1} with weights 3 and 1, {2, 3} with weights 1 and 1. A quorum needs more
        // than half the weight in more than half (both) of the groups: 0 alone in the first, both in the second.
        final QuorumVerifier q = new HierarchicalQuorum(new long[] {0b0011, 0b1100}, new long[] {3, 1, 1, 1});
        assertEquals(4, CommitRule.committedZxid(new long[] {7, 9, 4, 5}, 0b1111, q), "0, 2 and 3 hold 4");
        assertEquals(CommitRule.NO_QUORUM, CommitRule.committedZxid(new long[] {7, 9, 4, 5}, 0b1110, q),
            "without 0 the first group has no majority of its weight");
    }

    @Test
    void observersNeverHelpToCommit() {
        final QuorumVerifier q = new MajorityQuorum(0b0111);
        assertEquals(2, CommitRule.committedZxid(new long[] {1, 2, 3, 9}, 0b1111, q),
            "observer 3's 9 counts for nothing");
    }
}
