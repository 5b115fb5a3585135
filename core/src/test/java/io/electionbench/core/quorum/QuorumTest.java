package io.electionbench.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuorumTest {
    @Test
    void majorityNeedsMoreThanHalfOfTheVoters() {
        final Ensemble e = Ensemble.majority(5);
        final QuorumVerifier q = e.quorum();
        assertFalse(q.containsQuorum(e.maskOf(1, 2)));
        assertTrue(q.containsQuorum(e.maskOf(1, 2, 5)));
        final Ensemble four = Ensemble.majority(4);
        assertFalse(four.quorum().containsQuorum(four.maskOf(1, 2)));
        assertTrue(four.quorum().containsQuorum(four.maskOf(1, 2, 3)));
    }

    @Test
    void observersNeverCount() {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3)
            .observer(4).observer(5).build();
        assertFalse(e.quorum().isVoter(e.indexOf(4)));
        assertFalse(e.quorum().containsQuorum(e.maskOf(1, 4, 5)));
        assertTrue(e.quorum().containsQuorum(e.maskOf(1, 2)));
    }

    @Test
    void hierarchicalNeedsMajorityOfGroupsEachWithMajorityWeight() {
        final Ensemble e = Ensemble.builder()
            .participant(1).participant(2).participant(3).participant(4).participant(5).participant(6)
            .participant(7).participant(8).participant(9)
            .group(1, 1, 2, 3).group(2, 4, 5, 6).group(3, 7, 8, 9).build();
        final QuorumVerifier q = e.quorum();
        assertEquals("hierarchical", q.kind());
        assertTrue(q.containsQuorum(e.maskOf(1, 2, 4, 5)));
        assertFalse(q.containsQuorum(e.maskOf(1, 2, 3, 4, 7)), "one group with a majority is not enough");
        assertFalse(q.containsQuorum(e.maskOf(1, 4, 7)), "a minority in every group is not enough");
    }

    @Test
    void weightsDecideWithinAGroup() {
        final Ensemble e = Ensemble.builder()
            .participant(1).participant(2).participant(3).participant(4).participant(5).participant(6)
            .group(1, 1, 2, 3).group(2, 4, 5, 6).weight(3, 3).weight(4, 3).build();
        final QuorumVerifier q = e.quorum();
        assertTrue(q.containsQuorum(e.maskOf(3, 4)));
        assertFalse(q.containsQuorum(e.maskOf(1, 2, 5, 6)), "1+1 of 5 and 1+1 of 5 are both at most half");
        assertEquals(3, q.weight(e.indexOf(3)));
    }

    @Test
    void zeroWeightGroupsAreNotCounted() {
        final Ensemble e = Ensemble.builder()
            .participant(1).participant(2).participant(3).participant(4)
            .group(1, 1, 2, 3).group(2, 4).weight(4, 0).build();
        assertTrue(e.quorum().containsQuorum(e.maskOf(1, 2)), "only group 1 has weight, so its majority is a quorum");
        assertEquals(0, e.quorum().weight(e.indexOf(4)));
    }

    /** QuorumHierarchical.parse takes any sid of a group line; an observer there weighs 0 and never votes. */
    @Test
    void anObserverInAGroupWeighsNothingAndNeverVotes() {
        final Ensemble e = Ensemble.builder().participant(1).participant(2).participant(3).observer(4)
            .group(1, 1, 2, 4).group(2, 3).weight(4, 0).build();
        assertFalse(e.quorum().isVoter(e.indexOf(4)));
        assertEquals(0, e.quorum().weight(e.indexOf(4)));
        assertTrue(e.quorum().containsQuorum(e.maskOf(1, 2, 3)));
        assertFalse(e.quorum().containsQuorum(e.maskOf(1, 3, 4)), "group 1 needs two of its voters 1 and 2");
        final Ensemble implicit = Ensemble.builder().participant(1).participant(2).participant(3).observer(4)
            .group(1, 1, 2, 3, 4).build();
        assertTrue(implicit.quorum().containsQuorum(implicit.maskOf(1, 2)), "the observer's implicit weight is 0 too");
    }

    @Test
    void builderRejectsInconsistentConfigs() {
        assertMessage("no participants", () -> Ensemble.builder().observer(1).build());
        assertMessage("positive", () -> Ensemble.builder().participant(0));
        assertMessage("weights need groups", () -> Ensemble.builder().participant(1).weight(1, 2).build());
        assertMessage("not grouped: [3]",
            () -> Ensemble.builder().participant(1).participant(2).participant(3).group(1, 1, 2).build());
        assertMessage("is an observer: an observer never votes, so its weight must be 0",
            () -> Ensemble.builder().participant(1).observer(2).group(1, 1, 2).weight(2, 1).build());
        assertMessage("not in the ensemble", () -> Ensemble.builder().participant(1).group(1, 1, 7).build());
        assertMessage("no set of servers can be a quorum", () -> Ensemble.builder().participant(1).participant(2)
            .group(1, 1).group(2, 2).weight(1, 0).weight(2, 0).build());
        assertMessage("more than one group",
            () -> Ensemble.builder().participant(1).participant(2).group(1, 1, 2).group(2, 2).build());
        final Ensemble.Builder big = Ensemble.builder();
        for (int sid = 1; sid <= 65; sid++) {
            big.participant(sid);
        }
        assertMessage("at most 64", big::build);
    }

    private static void assertMessage(final String expected, final org.junit.jupiter.api.function.Executable code) {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, code);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
